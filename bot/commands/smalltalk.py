"""«hei» and «takk»: answered as a colleague would, with a hint of what to ask. Understood only when no real
command is in the text («Hei! Kan du vise mine restanser?» is `mine restanser`)."""

from __future__ import annotations

from bot.commands.flest import example_unit
from bot.context import Ask
from bot.registry import Command
from bot.replies import Paragraph, Reply
from restanse_core.model import Rolle


def listing(words: list[str], and_word: str) -> str:
    """«a», «b» og «c»."""
    quoted = [f"«{w}»" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {and_word} {quoted[-1]}"


def suggestions(ask: Ask) -> str:
    """What this person would most likely ask next, in their language."""
    bot, t = ask.bot, ask.bot.texts
    asker = ask.asker
    assert asker is not None
    if asker.role == Rolle.ARKIV:
        words = [bot.registry.name(c, t) for c in ("oversikt", "flest", "send")]
    elif bot.org.units_led_by(asker.initials):
        words = [bot.registry.name("mine", t), example_unit(ask), bot.registry.name("flest", t)]
    else:
        words = [bot.registry.name("mine", t), example_unit(ask)]
    return listing(words, t("common.and"))


def _answer(ask: Ask, kind: str) -> Reply:
    t = ask.bot.texts
    help_word = ask.bot.registry.name("hjelp", t)
    if ask.asker is None:
        return Reply((Paragraph(t(f"small_talk.{kind}_unknown", help=help_word)),))
    first_name = ask.asker.name.split()[0] if ask.asker.name else ask.asker.initials
    text = t(f"small_talk.{kind}", name=first_name, suggestions=suggestions(ask), help=help_word)
    return Reply((Paragraph(text),))


HELLO = Command(
    id="hei",
    aliases=(
        "hei",
        "hallo",
        "heisann",
        "hei hei",
        "god morgen",
        "god dag",
        "morn",
        "hello",
        "hi",
        "hey",
        "good morning",
    ),
    help_key="commands.hjelp",
    handler=lambda ask: _answer(ask, "hello"),
    open_to_unknown=True,
    hidden=True,
    small_talk=True,
)

THANKS = Command(
    id="takk",
    aliases=("takk", "tusen takk", "mange takk", "takker", "thanks", "thank you", "cheers", "ok takk"),
    help_key="commands.hjelp",
    handler=lambda ask: _answer(ask, "thanks"),
    open_to_unknown=True,
    hidden=True,
    small_talk=True,
)
