"""`restansebot doctor`: what an IT administrator must get right before the first month.

Each check returns findings; a *blocking* finding means the month cannot be sent, a *warning* is worth
fixing, *ok* says what was checked. Adapters add their own checks (credentials the platform accepts, an
e-mail transport that answers) through a module-level `async def doctor(runtime) -> list[Finding]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.platform import adapters, configured_adapters
from restanse_core.clock import Clock
from restanse_core.model import Rolle
from restanse_core.settings import Settings
from restanse_core.words import plural

if TYPE_CHECKING:
    from bot.platform import Runtime


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    OK = "ok"


@dataclass(frozen=True)
class Finding:
    """One thing doctor found: what is wrong (or right), and how to fix it."""

    severity: Severity
    message: str
    fix: str = ""


async def run_checks(settings: Settings, clock: Clock) -> list[Finding]:
    """Every check, in the order an administrator fixes things: database, channels, directory, schedule."""
    from bot.bootstrap import Platforms, bootstrap

    runtime = bootstrap(settings, platforms=Platforms.SEND, clock=clock, migrate=False)
    findings = _database(runtime)
    names = [a.NAME for a in configured_adapters(runtime.env)]
    if names:
        findings.append(Finding(Severity.OK, "Kanaler for utsending: " + ", ".join(names) + "."))
    else:
        findings.append(
            Finding(
                Severity.BLOCKING,
                "Ingen kanal for utsending er satt opp (Teams, Slack eller e-post).",
                "Sett SLACK_BOT_TOKEN, CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID eller "
                "RESTANSEBOT_EMAIL_TRANSPORT – se README.",
            )
        )
    for adapter in adapters():
        if (check := getattr(adapter, "doctor", None)) is not None:
            try:
                findings += await check(runtime)
            except Exception as exc:
                findings.append(
                    Finding(
                        Severity.BLOCKING, f"{adapter.NAME}: sjekken feilet ({type(exc).__name__}: {exc})."
                    )
                )
    findings += await _source(runtime)
    if not any(f.severity is Severity.BLOCKING and f.message.startswith("Databasen") for f in findings):
        findings += _directory(runtime)
        findings += _schedule(runtime)
    findings += _settings(settings)
    for sender in runtime.senders.values():
        if (close := getattr(sender, "close", None)) is not None:
            await close()
    runtime.engine.dispose()
    return findings


async def _source(runtime: Runtime) -> list[Finding]:
    """The records system the list is read from (`source`), through its adapter's own checks."""
    from bot.sources import source_module

    if not runtime.settings.source:
        return []
    try:
        check = getattr(source_module(runtime.settings.source), "doctor", None)
        return await check(runtime) if check is not None else []
    except Exception as exc:  # a broken check must not hide the others
        return [
            Finding(
                Severity.BLOCKING, f"{runtime.settings.source}: sjekken feilet ({type(exc).__name__}: {exc})."
            )
        ]


def _database(runtime: Runtime) -> list[Finding]:
    from bot.store import schema_behind

    try:
        behind = schema_behind(runtime.engine)
    except SQLAlchemyError as exc:
        return [
            Finding(
                Severity.BLOCKING,
                f"Databasen svarer ikke ({runtime.engine.url.render_as_string()}): {type(exc).__name__}.",
                "Sjekk RESTANSEBOT_DATABASE_URL, at databaseserveren kjører og at brukeren har tilgang.",
            )
        ]
    if behind:
        return [
            Finding(
                Severity.BLOCKING,
                "Databaseskjemaet er ikke oppdatert (mangler " + ", ".join(sorted(behind)) + ").",
                "Kjør «restansebot db upgrade».",
            )
        ]
    return [Finding(Severity.OK, "Databasen svarer, og skjemaet er oppdatert.")]


def _directory(runtime: Runtime) -> list[Finding]:
    org = runtime.bot.org
    findings = []
    if not org.people:
        findings.append(
            Finding(
                Severity.BLOCKING,
                "Katalogen er tom: ingen personer er lest inn.",
                "Les inn enheter og personer med «restansebot directory import enheter.csv personer.csv».",
            )
        )
        return findings
    if not org.people_with_role(Rolle.ARKIV):
        findings.append(
            Finding(
                Severity.BLOCKING,
                "Ingen person har rollen arkiv: ingen får utsendingsrapporten eller kan sende fra chat.",
                "Gi minst én person rollen «arkiv» i personfila og les den inn på nytt.",
            )
        )
    no_email = sorted(p.initials for p in org.people.values() if not p.email)
    if no_email:
        findings.append(
            Finding(
                Severity.WARNING,
                f"{plural(len(no_email), 'person', 'personer')} uten e-postadresse kan ikke nås i chat eller "
                f"på e-post: {', '.join(no_email[:10])}{' …' if len(no_email) > 10 else ''}.",
                "Fyll inn e-post i personfila.",
            )
        )
    leaderless = sorted(u.code for u in org.units.values() if not u.leaders)
    if leaderless:
        findings.append(
            Finding(
                Severity.WARNING,
                f"{plural(len(leaderless), 'enhet', 'enheter')} uten leder: "
                f"{', '.join(leaderless[:10])}{' …' if len(leaderless) > 10 else ''}.",
                "Fyll inn ledere i enhetsfila (kolonnen «ledere»).",
            )
        )
    return findings


def _schedule(runtime: Runtime) -> list[Finding]:
    moment = runtime.scheduler.next_moment()
    return [Finding(Severity.OK, moment)]


def _settings(settings: Settings) -> list[Finding]:
    findings = []
    if not settings.guide_url and not settings.public_url:
        findings.append(
            Finding(
                Severity.WARNING,
                "Ingen lenke til veiledningen: meldingene viser den bare i chatten.",
                "Sett RESTANSEBOT_GUIDE_URL (intranett) eller RESTANSEBOT_PUBLIC_URL.",
            )
        )
    if not settings.contacts:
        findings.append(
            Finding(
                Severity.WARNING,
                "Ingen kontaktpersoner i arkivet er satt opp: meldingene nevner ingen å spørre.",
                "Sett «contacts» i konfigurasjonsfila.",
            )
        )
    return findings
