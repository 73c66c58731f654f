"""Running the bot: `restansebot serve` and `restansebot doctor`."""

from __future__ import annotations

import argparse

from bot.cli.context import Cli, out
from bot.platform import adapters
from restanse_core.errors import UserError
from restanse_core.words import plural


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="kjør boten: Slack- og Teams-endepunktene, /readiness, /guide og planleggeren"
    )
    p.add_argument("--host", default="127.0.0.1", help="adresse å lytte på (standard 127.0.0.1)")
    p.add_argument("--port", type=int, default=3978, help="port (standard 3978)")
    for adapter in adapters():
        if add := getattr(adapter, "add_serve_options", None):
            add(p)
    p.set_defaults(func=serve)

    p = sub.add_parser(
        "doctor", help="sjekk oppsettet før første måned: database, kanaler, innlogging, katalog"
    )
    p.set_defaults(func=doctor)


def serve(cli: Cli, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.bootstrap import Platforms

    runtime = cli.with_platforms(Platforms.SERVE, host=args.host, port=args.port, options=vars(args))
    assert runtime.app is not None
    out.print(
        f"Restansebot lytter på http://{args.host}:{args.port} (offentlig adresse {runtime.public_url}).",
        markup=False,
    )
    try:
        web.run_app(runtime.app, host=args.host, port=args.port, print=None, access_log=None)
    except OSError as exc:
        raise UserError(
            f"Kan ikke lytte på {args.host}:{args.port}: {exc.strerror or exc}. "
            "Er porten i bruk av et annet program? Velg en annen med --port."
        ) from None
    return 0


def doctor(cli: Cli, args: argparse.Namespace) -> int:
    import asyncio

    from bot.doctor import Severity, run_checks

    marks = {Severity.BLOCKING: "✗", Severity.WARNING: "!", Severity.OK: "✓"}
    findings = asyncio.run(run_checks(cli.settings, cli.clock))
    for finding in findings:
        out.print(f"{marks[finding.severity]} {finding.message}", markup=False)
        if finding.fix:
            out.print(f"    → {finding.fix}", markup=False)
    blocking = sum(1 for f in findings if f.severity is Severity.BLOCKING)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    advice = plural(warnings, "advarsel", "advarsler")
    if blocking:
        out.print(
            f"\n{plural(blocking, 'problem', 'problemer')} hindrer utsendingen; {advice}.", markup=False
        )
        return 1
    out.print(f"\nKlar til å sende; {advice}.", markup=False)
    return 0
