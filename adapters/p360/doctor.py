"""`doctor` for 360: the key present (never shown), 360 answering, one small read as a sample person, the response
codes, and the people who would see no «Avskriv» for want of a login."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from adapters.p360.client import SifError
from adapters.p360.config import CLIENT_ENV, KEY_ENV, load_config
from adapters.p360.documents import window_query
from adapters.p360.port import P360Source
from bot.doctor import Finding, Severity
from restanse_core.clock import today
from restanse_core.errors import UserError
from restanse_core.reports import all_person_counts
from restanse_core.store import repository

if TYPE_CHECKING:
    from bot.platform import Runtime


def _credentials(runtime: Runtime) -> list[Finding]:
    options = runtime.settings.source_options.get("p360", {})
    header = options.get("auth", runtime.env.get("RESTANSEBOT_P360_AUTH", "header")) == "header"
    present = [f"{name}: {'satt' if runtime.env.get(name) else 'mangler'}" for name in (KEY_ENV, CLIENT_ENV)]
    missing = not runtime.env.get(KEY_ENV) or (header and not runtime.env.get(CLIENT_ENV))
    if missing:
        return [Finding(Severity.BLOCKING, "360: nøkkelen mangler (" + "; ".join(present) + ").",
                        f"Sett {KEY_ENV} (og {CLIENT_ENV} med p360_auth = \"header\") i miljøet til tjenesten.")]  # fmt: skip
    return [Finding(Severity.OK, "360: nøkkelen er satt (" + "; ".join(present) + ").")]


async def checks(runtime: Runtime) -> list[Finding]:
    findings = _credentials(runtime)
    if findings[0].severity is Severity.BLOCKING:
        return findings
    try:
        config = load_config(runtime.settings.source_options.get("p360", {}), runtime.env)
    except UserError as exc:
        return [*findings, Finding(Severity.BLOCKING, exc.message, "Rett innstillingene og prøv igjen.")]
    source = P360Source(config, runtime.settings)
    try:
        findings += await _answers(source)
        if findings[-1].severity is Severity.BLOCKING:
            return findings
        findings += await _small_read(source, runtime)
        findings += _codes(source)
        findings += _logins(source, runtime)
    finally:
        await source.close()
    return findings


async def _answers(source: P360Source) -> list[Finding]:
    try:
        await source.client.call("SupportService", "Ping", None)
        return [Finding(Severity.OK, f"360 svarer på {source.options.base_url} (SupportService/Ping).")]
    except SifError:
        pass
    try:
        version = await source.client.call("SupportService", "GetSIFVersion", None)
        return [Finding(Severity.OK, f"360 svarer på {source.options.base_url} (SIF-versjon {version}).")]
    except SifError as exc:
        return [Finding(Severity.BLOCKING, f"360 svarer ikke: {exc.message}",
                        "Sjekk p360_base_url, nøkkelen og at tjenesten når 360s SIF-tjeneste.")]  # fmt: skip


async def _small_read(source: P360Source, runtime: Runtime) -> list[Finding]:
    """One page of the last week's documents, asked as a real person when writing off happens as people."""
    sample = next(
        (p for p in sorted(runtime.bot.org.people.values(), key=lambda p: p.initials) if p.login), None
    )
    day = today(runtime.clock)
    try:
        query = window_query(await source.query_filter(), day - timedelta(days=7), day + timedelta(days=1),
                             source.options.page_base)  # fmt: skip
        if source.needs_login and sample is not None:
            query["ADContextUser"] = sample.login
        answer = await source.client.call("DocumentService", "GetDocuments", query)
    except SifError as exc:
        who = f" som {sample.initials} ({sample.login})" if source.needs_login and sample else ""
        return [Finding(Severity.BLOCKING, f"360 avviste et lite oppslag i dokumentene{who}: {exc.message}",
                        "Sjekk kategoriene, statusene og arkivene i innstillingene, og at brukeren finnes i 360.")]  # fmt: skip
    who = f" som {sample.initials}" if source.needs_login and sample else ""
    found = int((answer or {}).get("TotalCount") or 0)
    return [Finding(Severity.OK, f"Et lite oppslag{who} i 360 fant {found} åpne dokumenter fra siste uke.")]


def _codes(source: P360Source) -> list[Finding]:
    if not source.unlisted_codes:
        return []
    codes = ", ".join(source.unlisted_codes)
    return [
        Finding(
            Severity.WARNING,
            f"360 har avskrivningskoder som ikke står i avskrivningskoder: {codes}. Dokumenter avskrevet med dem "
            "regnes som restanser.",
            "Legg kodene til i avskrivningskoder (temporary = true bare for foreløpige svar som ***).",
        )
    ]


def _logins(source: P360Source, runtime: Runtime) -> list[Finding]:
    if not source.needs_login:
        return []
    org = runtime.bot.org
    with runtime.engine.connect() as conn:
        newest = repository.snapshot_on_or_before(conn, None)
        counts = all_person_counts(conn, newest.id) if newest else {}
    without = sorted(i for i in counts if i in org.people and not org.people[i].login)
    if not without:
        return [Finding(Severity.OK, "Alle saksbehandlere med restanser har brukernavn i 360.")]
    shown = ", ".join(without[:10]) + (f" … og {len(without) - 10} til" if len(without) > 10 else "")
    return [
        Finding(
            Severity.WARNING,
            f"{len(without)} saksbehandlere med restanser har ikke brukernavn i 360 og kan ikke avskrive fra boten: {shown}.",
            "Fyll inn kolonnen brukernavn i personfila, eller la synkroniseringen finne dem (e-post i 360).",
        )
    ]
