"""`restansebot doctor` for e-mail: does the mail service answer as configured — connect, TLS and login (SMTP),
or a token with Mail.Send (Graph)? Nothing is sent."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import aiosmtplib
from aiosmtplib import SMTPAuthenticationError, SMTPException

from adapters.epost.config import OUTLOOK_SCOPE, EmailConfig, configured, load_config
from adapters.epost.tokens import TokenError, Tokens
from bot.doctor import Finding, Severity
from bot.network import is_loopback_host
from restanse_core.errors import UserError

TIMEOUT_SECONDS = 20.0
README = "se «E-post» i README.md"


async def check(env: Mapping[str, str]) -> list[Finding]:
    if not configured(env):
        return []
    try:
        config = load_config(env)
    except UserError as exc:
        return [Finding(Severity.BLOCKING, f"E-post: {exc.message}", f"Rett innstillingen ({README}).")]
    if config.transport == "graph":
        return await _graph(config)
    return await _smtp(config)


def _roles(token: str) -> list[str] | None:
    """The app permissions in an access token (a JWT), or None if it cannot be read."""
    try:
        payload = token.split(".")[1]
        claims: Any = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return [str(r) for r in claims.get("roles") or []]
    except (IndexError, ValueError, AttributeError):
        return None


async def _token(tokens: Tokens, what: str, needed: str) -> tuple[list[Finding], str | None]:
    try:
        token = await tokens.get()
    except TokenError as exc:
        fix = (
            "Sjekk RESTANSEBOT_EMAIL_TENANT_ID, RESTANSEBOT_EMAIL_CLIENT_ID og RESTANSEBOT_EMAIL_CLIENT_SECRET "
            f"(og at hemmeligheten ikke er utløpt), {README}."
        )
        return [
            Finding(Severity.BLOCKING, f"E-post: fikk ikke token fra Microsoft Entra ID ({exc.detail}).", fix)
        ], None
    roles = _roles(token)
    if roles is not None and needed not in roles:
        fix = f"Gi appen applikasjonstillatelsen {needed} med administratorsamtykke, {README}."
        return [
            Finding(Severity.BLOCKING, f"E-post: tokenet for {what} mangler tillatelsen {needed}.", fix)
        ], token
    return [Finding(Severity.OK, f"E-post: token fra Microsoft Entra ID for {what}.")], token


async def _graph(config: EmailConfig) -> list[Finding]:
    assert config.entra is not None
    tokens = Tokens(config.entra, f"{config.graph_url}/.default")
    findings, token = await _token(tokens, "Microsoft Graph", "Mail.Send")
    if token is not None:
        findings.append(
            Finding(
                Severity.OK,
                f"E-post sendes som {config.sender} gjennom Microsoft Graph.",
                "Begrens Mail.Send til arkivets postkasse med en tilgangspolicy (New-ApplicationAccessPolicy).",
            )
        )
    return findings


async def _smtp(config: EmailConfig) -> list[Finding]:
    smtp = config.smtp
    assert smtp is not None
    where = f"{smtp.host}:{smtp.port}"
    findings: list[Finding] = []
    if smtp.security == "none" and not is_loopback_host(smtp.host):
        findings.append(
            Finding(
                Severity.WARNING,
                f"E-post til {where} går ukryptert (RESTANSEBOT_SMTP_SECURITY=none).",
                "Bruk starttls eller tls hvis e-posttjenesten kan det.",
            )
        )
    if smtp.auth == "login" and smtp.host.lower().endswith(("office365.com", "outlook.com")):
        findings.append(
            Finding(
                Severity.WARNING,
                "Exchange Online slår av SMTP-innlogging med passord (basic auth) innen utgangen av desember 2026.",
                "Bytt til RESTANSEBOT_SMTP_AUTH=xoauth2 eller RESTANSEBOT_EMAIL_TRANSPORT=graph.",
            )
        )
    client = aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        use_tls=smtp.security == "tls",
        start_tls=False,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        try:
            await client.connect()
        except (SMTPException, OSError) as exc:
            fix = "Sjekk RESTANSEBOT_SMTP_HOST og RESTANSEBOT_SMTP_PORT, og at brannmuren slipper boten ut."
            if smtp.security == "tls":
                fix += " Med tls må sertifikatet være gyldig for vertsnavnet."
            return [
                *findings,
                Finding(Severity.BLOCKING, f"E-post: får ikke kontakt med {where} ({_detail(exc)}).", fix),
            ]
        findings.append(Finding(Severity.OK, f"E-post: {where} svarer."))
        if smtp.security == "starttls":
            try:
                await client.starttls()
            except (SMTPException, OSError) as exc:
                fix = "Tjenesten må tilby STARTTLS med et sertifikat som er gyldig for vertsnavnet (eller bruk tls)."
                return [
                    *findings,
                    Finding(Severity.BLOCKING, f"E-post: STARTTLS mot {where} feilet ({_detail(exc)}).", fix),
                ]
        if smtp.security != "none":
            findings.append(
                Finding(Severity.OK, f"E-post: kryptert forbindelse ({smtp.security}) med gyldig sertifikat.")
            )
        findings += await _login(client, config)
    finally:
        client.close()
    return findings


async def _login(client: aiosmtplib.SMTP, config: EmailConfig) -> list[Finding]:
    smtp = config.smtp
    assert smtp is not None
    if smtp.auth == "none":
        return [Finding(Severity.OK, "E-post: ingen innlogging (RESTANSEBOT_SMTP_AUTH=none).")]
    findings: list[Finding] = []
    try:
        if smtp.auth == "login":
            assert smtp.username and smtp.password
            await client.login(smtp.username, smtp.password)
        else:
            assert config.entra is not None and smtp.username
            findings, token = await _token(Tokens(config.entra, OUTLOOK_SCOPE), "SMTP", "SMTP.SendAsApp")
            if token is None:
                return findings
            await client.auth_xoauth2(smtp.username, token)
    except SMTPAuthenticationError as exc:
        settings = (
            "RESTANSEBOT_SMTP_USERNAME og RESTANSEBOT_SMTP_PASSWORD"
            if smtp.auth == "login"
            else ("at appen har SMTP.SendAsApp og tilgang til postkassen (Add-MailboxPermission)")
        )
        return [
            *findings,
            Finding(
                Severity.BLOCKING, f"E-post: innloggingen ble avvist ({exc.code}).", f"Sjekk {settings}."
            ),
        ]
    except (SMTPException, OSError) as exc:
        fix = (
            "Tjenesten må tilby innlogging over kryptert forbindelse, eller sett RESTANSEBOT_SMTP_AUTH=none."
        )
        return [
            *findings,
            Finding(Severity.BLOCKING, f"E-post: innlogging var ikke mulig ({_detail(exc)}).", fix),
        ]
    return [*findings, Finding(Severity.OK, f"E-post: innlogget som {smtp.username}.")]


def _detail(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:200] or type(exc).__name__
