"""`restansebot sync` (the list from the records system) and `restansebot avskriv` (write an item off on a
person's behalf), with the write-off log for the arkiv. The chat's «oppdater» and «Avskriv» use the same services."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from bot.cli.context import Cli, err, out
from restanse_core.clock import OSLO
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from restanse_core.sources.port import RestanseSource
    from restanse_core.sources.sync import SyncResult

# The records system's port, the sync and the write-off are imported by the commands that use them, not
# when the parser is built.

T = TypeVar("T")
STATUS_WORDS = {
    "running": "pågår", "stored": "lagret", "held": "holdt tilbake", "failed": "feilet", "skipped": "hoppet over",
    "saved": "lagret etter at den ble holdt", "cancelled": "forkastet", "busy": "opptatt",
    "done": "avskrevet", "refused": "avvist", "uncertain": "usikker", "pending": "pågår",
}  # fmt: skip


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="oppdater restanselista fra arkivsystemet nå (kilden i innstillingene)")
    p.set_defaults(func=sync_now)
    ssub = p.add_subparsers(dest="sync_command", metavar="KOMMANDO")
    ssub.add_parser("status", help="de siste oppdateringene, og en liste som er holdt tilbake").set_defaults(
        func=sync_status
    )
    ssub.add_parser("lagre", help="lagre lista som ble holdt tilbake likevel").set_defaults(func=sync_save)
    ssub.add_parser("avbryt", help="forkast lista som ble holdt tilbake").set_defaults(func=sync_cancel)

    p = sub.add_parser("avskriv", help="avskriv en restanse i arkivsystemet på vegne av en person")
    p.add_argument("jp_id", metavar="JOURNALPOST", help="journalpostnummeret, f.eks. 2019/1234-5")
    p.add_argument("--som", required=True, metavar="INITIALER", help="personen det avskrives for")
    p.add_argument("--kode", required=True, metavar="KODE", help="avskrivningskoden, f.eks. TE eller TO")
    p.add_argument("--merknad", metavar="TEKST", help="merknad til arkivsystemet (lagres ikke i boten)")
    p.add_argument(
        "--alle-mottakere", action="store_true", help="et notat til flere: avskriv det for alle mottakerne"
    )
    p.set_defaults(func=avskriv)

    p = sub.add_parser("avskrivinger", help="avskrivinger gjort fra boten, med svaret fra arkivsystemet")
    p.add_argument("--dager", type=int, default=30, metavar="N", help="de siste N dagene (standard 30)")
    p.set_defaults(func=avskrivinger)


def _with_source(cli: Cli, work: Callable[[RestanseSource], Awaitable[T]]) -> T:
    import asyncio

    from bot.sources import build_source

    source = build_source(cli.settings, cli.runtime.env)

    async def run() -> T:
        try:
            return await work(source)
        finally:
            await source.close()

    return asyncio.run(run())


def sync_now(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.sources.sync import run_sync

    engine, settings, clock = cli.engine, cli.settings, cli.clock
    result = _with_source(
        cli, lambda source: run_sync(engine, source, settings, clock, started_by=f"cli:{cli.user}")
    )
    print_sync(result)
    return 0 if result.status in ("stored", "skipped", "busy") else 1


def print_sync(result: SyncResult) -> None:
    from bot.cli.imports import print_summary

    if result.status == "stored" and result.summary is not None:
        print_summary(result.summary)
        if result.monthly:
            out.print(f"  Månedens liste for {result.as_of:%m.%Y}: ja (påminnelsene bygger på den).")
    else:
        (err if result.status in ("failed", "held") else out).print(result.message, markup=False)
    if result.status == "held" and result.summary is not None:
        out.print(
            f"  Restanser i den holdte lista: {result.summary.restanser} (forrige liste: {result.previous})"
        )
        out.print(
            "  Lagre den likevel med «restansebot sync lagre», eller forkast den med «restansebot sync avbryt»."
        )
    if result.logins_filled:
        out.print(f"  Brukernavn funnet for {result.logins_filled} personer.")
    if result.reappeared:
        out.print(
            f"  Avskrevet fra boten, men fortsatt åpne i arkivsystemet ({len(result.reappeared)}): "
            + ", ".join(result.reappeared),
            markup=False,
        )


def sync_status(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.store import live

    with cli.engine.connect() as conn:
        runs = live.recent_runs(conn)
        held = live.held_run(conn)
    if not runs:
        out.print("Restanselista er ikke oppdatert fra arkivsystemet ennå.")
    for run in runs:
        count = "" if run.restanser is None else f", {run.restanser} restanser"
        out.print(
            f"{run.started_at.astimezone(OSLO):%d.%m.%Y %H:%M}  {STATUS_WORDS.get(run.status, run.status)}{count}  "
            f"({run.started_by})",
            markup=False,
        )
        if run.message:
            out.print(f"    {run.message}", markup=False)
    if held is not None:
        out.print(
            f"En liste per {held[0].as_of:%d.%m.%Y} er holdt tilbake: lagre den med «restansebot sync lagre» "
            "eller forkast den med «restansebot sync avbryt».",
            markup=False,
        )
    return 0


def sync_save(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.sources.sync import save_held

    engine, settings, clock = cli.engine, cli.settings, cli.clock

    async def save(source: RestanseSource) -> SyncResult:
        return save_held(engine, source, settings, clock, saved_by=f"cli:{cli.user}")

    print_sync(_with_source(cli, save))
    return 0


def sync_cancel(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.sources.sync import cancel_held

    run = cancel_held(cli.engine, cli.clock, cancelled_by=f"cli:{cli.user}")
    out.print(
        f"Lista per {run.as_of:%d.%m.%Y} som ble holdt tilbake er forkastet. Den forrige gjelder fortsatt."
    )
    return 0


def avskriv(cli: Cli, args: argparse.Namespace) -> int:
    from bot.sources import sent_lists
    from restanse_core.sources.writeoff import Status, write_off

    person = cli.bot.person(args.som)
    if person is None:
        raise UserError(f"Finner ingen person med initialene «{args.som}» i katalogen.")
    engine, settings, clock = cli.engine, cli.settings, cli.clock
    answer = _with_source(
        cli,
        lambda source: write_off(
            engine,
            source,
            settings,
            clock,
            person=person,
            jp_id=args.jp_id,
            code=args.kode,
            note=args.merknad,
            confirm_all=args.alle_mottakere,
            protected=sent_lists(engine),
        ),
    )
    if answer.status is Status.DONE:
        out.print(answer.message, markup=False)
        if answer.removed_from:
            out.print(f"Den er tatt ut av lista til {', '.join(answer.removed_from)}.", markup=False)
        return 0
    err.print(answer.message, markup=False)
    if answer.status is Status.CONFIRM:
        err.print("Bruk --alle-mottakere for å avskrive det for alle.")
    return 1


def avskrivinger(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.store import live

    since = cli.clock.now() - timedelta(days=args.dager)
    with cli.engine.connect() as conn:
        entries = live.writeoff_log(conn, since)
    if not entries:
        out.print(f"Ingen avskrivinger fra boten de siste {args.dager} dagene.")
    for e in entries:
        out.print(
            f"{e.requested_at.astimezone(OSLO):%d.%m.%Y %H:%M}  {e.jp_id}  {e.method}  av {e.person}  "
            f"(liste: {e.recipients or 'ufordelt'})  {STATUS_WORDS.get(e.status, e.status)}"
            + (f": {e.answer}" if e.answer and e.status != "done" else ""),
            markup=False,
        )
    return 0
