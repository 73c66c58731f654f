"""`restansebot doctor` for Teams: a token Microsoft Entra ID issues for the bot, and an https address."""

from __future__ import annotations

from adapters.teams.app import connection_manager
from adapters.teams.config import TeamsConfig
from bot.doctor import Finding, Severity
from restanse_core.errors import UserError

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


async def check(config: TeamsConfig, public_url: str) -> list[Finding]:
    if config.anonymous:
        return [
            Finding(
                Severity.WARNING,
                "Teams kjører i anonym modus: bare for lokal prøving, ikke for Teams i organisasjonen.",
                "Sett CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, TENANTID og CLIENTSECRET fra Azure Bot.",
            )
        ]
    findings = []
    try:
        provider = connection_manager(config).get_default_connection()
        await provider.get_access_token(BOT_FRAMEWORK_SCOPE.removesuffix("/.default"), [BOT_FRAMEWORK_SCOPE])
        findings.append(Finding(Severity.OK, "Microsoft Entra ID utsteder token for Teams-boten."))
    except UserError as exc:
        findings.append(Finding(Severity.BLOCKING, exc.message))
    except Exception as exc:
        findings.append(
            Finding(
                Severity.BLOCKING,
                f"Teams: fikk ikke token for boten ({type(exc).__name__}: {str(exc)[:200]}).",
                "Sjekk CLIENTID, TENANTID og CLIENTSECRET (eller sertifikatet) mot Azure Bot-ressursen.",
            )
        )
    if not public_url.startswith("https://"):
        findings.append(
            Finding(
                Severity.BLOCKING,
                f"Teams sender bare til https-adresser, men den offentlige adressen er {public_url}.",
                "Sett RESTANSEBOT_PUBLIC_URL til https-adressen der /api/messages nås, og samme adresse som "
                "meldingsendepunkt i Azure Bot.",
            )
        )
    return findings
