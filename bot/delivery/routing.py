"""Who is reached on which channel: the order channels are tried for a person, and what the settings may name.

`platforms` lists the channels in the order they are tried (default teams, slack, epost); a person's own
`kanal` (from the people file) goes first among them; a channel that is not configured is skipped. The
first channel that finds the person gets the message; one that fails for good hands it on to the next, and
the delivery report says so («ikke funnet i Teams → e-post»). An uncertain send never moves on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from types import ModuleType

from bot.texts import Texts
from restanse_core.errors import UserError
from restanse_core.model import Person
from restanse_core.settings import Settings

ROUTE_SEPARATOR = "; "


def channel_order(
    person: Person, platforms: Sequence[str], configured: Collection[str], after: str | None = None
) -> list[str]:
    """The channels to try for `person`, in order; from `after` on when a retry continues where it stopped."""
    preferred = [person.kanal] if person.kanal and person.kanal in platforms else []
    order = [name for name in dict.fromkeys([*preferred, *platforms]) if name in configured]
    if after in order:
        order = order[order.index(after) :]
    return order


def channel_label(texts: Texts, name: str) -> str:
    """«Teams», «Slack», «e-post»: a channel's name as people write it."""
    try:
        return texts(f"channels.{name}")
    except KeyError:  # an adapter the phrase catalogue does not know
        return name.capitalize()


def route_text(notes: Iterable[str]) -> str | None:
    """Why the channels before the one used could not take the message, as one line (None: no detour)."""
    return ROUTE_SEPARATOR.join(n for n in notes if n) or None


def check_channel_settings(settings: Settings, adapters: Iterable[ModuleType]) -> None:
    """Refuse, by key, a channel name no adapter has and a unit channel on a channel without channels (e-mail).

    The core checks only the form of these settings; which channels exist is known here, from the adapters."""
    senders = [a for a in adapters if hasattr(a, "sender")]  # the terminal, say, sends nothing
    known = [a.NAME for a in senders]
    with_channels = [a.NAME for a in senders if getattr(a, "UNIT_CHANNELS", True)]
    problems = [
        f"  • platforms (RESTANSEBOT_PLATFORMS): ukjent kanal «{name}»; kjente: {', '.join(known)}"
        for name in settings.platforms
        if name not in known
    ]
    for unit, target in sorted(settings.channels.items()):
        platform = target.partition(":")[0]
        if platform not in known:
            problems.append(
                f"  • channels.{unit} (RESTANSEBOT_CHANNELS): ukjent plattform «{platform}»; "
                f"kjente: {', '.join(with_channels)}"
            )
        elif platform not in with_channels:
            problems.append(
                f"  • channels.{unit} (RESTANSEBOT_CHANNELS): «{target}» – {platform} har ingen kanaler; "
                f"enhetens tall kan postes i {' eller '.join(with_channels)}"
            )
    if problems:
        raise UserError("\n".join(["Feil i konfigurasjonen:", *problems]))
