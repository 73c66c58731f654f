"""`restansebot import` and `restansebot directory import`: the core's guards, with the CLI's own hints.

The core's messages name no command-line option (the chat shows them too); the hints that do are added here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.context import Cli, out, parse_day
from bot.platform import adapters
from restanse_core.clock import OSLO
from restanse_core.errors import ConfirmationNeeded, ImportRefused, UserError
from restanse_core.fields import FIELDS
from restanse_core.words import plural

if TYPE_CHECKING:
    from restanse_core.importers import ImportSummary

# The importers (pandas) are imported by the commands that read a file, not when the parser is built.


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="les inn månedens restanseliste (.csv, .xlsx eller Noark 5 arkivstruktur.xml)"
    )
    p.add_argument("file", type=Path, metavar="FIL", help="restanselista fra arkivsystemet")
    p.add_argument(
        "--as-of",
        type=parse_day,
        metavar="DATO",
        help="dato for lista (standard: datoen i fila, «Utskrevet …», ellers i dag)",
    )
    p.add_argument(
        "--skip-invalid", action="store_true", help="lagre de gyldige radene og list opp de ugyldige"
    )
    p.add_argument(
        "--confirm",
        action="store_true",
        help="lagre selv om lista har advarsler (manglende kolonner, ingen eller langt færre restanser, eldre dato)",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FELT=OVERSKRIFT",
        help=f"kolonne for et felt ({', '.join(FIELDS)})",
    )
    p.set_defaults(func=import_command)

    directory = sub.add_parser("directory", help="katalogen over enheter og personer")
    dsub = directory.add_subparsers(dest="directory_command", required=True, metavar="KOMMANDO")
    p = dsub.add_parser("import", help="les inn enheter (enhet;navn;overordnet;ledere) og/eller personer")
    p.add_argument(
        "files", type=Path, nargs="+", metavar="FIL", help="enheter.csv og/eller personer.csv (eller .xlsx)"
    )
    p.add_argument("--confirm", action="store_true", help="lagre også en fil med bare overskriftsraden")
    p.set_defaults(func=directory_import)
    dsub.add_parser("history", help="hvem som har endret katalogen, når og fra hvilken fil").set_defaults(
        func=directory_history
    )


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, heading = pair.partition("=")
        field = field.strip().lower()
        if not sep or not heading.strip():
            raise UserError(
                f'--column «{pair}»: skriv FELT=OVERSKRIFT, for eksempel --column enhet="Adm. enhet".'
            )
        if field not in FIELDS:
            raise UserError(f"--column «{pair}»: ukjent felt «{field}». Kjente felt: {', '.join(FIELDS)}.")
        mapping[field] = heading.strip()
    return mapping


def import_hint(exc: UserError) -> str | None:
    """What the person can do about the refusal with this command's options."""
    from restanse_core.importers import ListNeedsConfirmation
    from restanse_core.importers.guards import AmbiguousColumns, MissingColumn

    if isinstance(exc, ListNeedsConfirmation):
        hints = [
            f"Heter kolonnen for {w.field} noe annet, angi den med --column {w.field}=OVERSKRIFT. "
            f"Mangler den i eksporten deres, før den opp i innstillingen absent_columns."
            for w in exc.warnings
            if w.field
        ]
        return "\n".join([*hints, "Er lista riktig likevel, les den inn på nytt med --confirm."])
    if isinstance(exc, MissingColumn):
        return f"Angi kolonnen med --column {exc.field}=OVERSKRIFT."
    if isinstance(exc, AmbiguousColumns):
        return f'Velg den som gjelder med --column {exc.field}="{exc.headings[-1]}".'
    if isinstance(exc, ImportRefused):
        return "Eller bruk --skip-invalid for å lagre bare de gyldige radene."
    return None


def import_command(cli: Cli, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from restanse_core.importers import import_snapshot

    mapping = _mapping(args.column)
    err = Console(stderr=True)
    with Progress(
        TextColumn("Leser {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    ) as progress:
        task = progress.add_task(args.file.name, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            summary = import_snapshot(
                cli.engine,
                args.file,
                cli.settings,
                as_of=args.as_of,
                imported_by=f"cli:{cli.user}",
                skip_invalid=args.skip_invalid,
                confirmed=args.confirm,
                mapping=mapping,
                progress=report,
                clock=cli.clock,
            )
        except UserError as exc:
            hint = import_hint(exc)
            raise (UserError(f"{exc.message}\n{hint}") if hint else exc) from None
    print_summary(summary)
    return 0


def print_summary(s: ImportSummary) -> None:
    verb = "erstattet" if s.replaced else "lagret"
    source = {
        "file": f" (datoen fra fila: «{s.printed.line}»)" if s.printed else "",
        "today": " (dagens dato)"
        if s.kind == "noark5"
        else " (dagens dato: fila har ingen linje som «Utskrevet dd.mm.åååå»)",
    }.get(s.as_of_source, "")
    out.print(f"Restanselista per {s.as_of:%d.%m.%Y}{source} er {verb} fra {s.file}.", markup=False)
    out.print(f"  Rader lest:          {s.rows_read}")
    out.print(f"  Restanser lagret:    {s.restanser}")
    if s.previous:
        out.print(f"  Forrige liste per {s.previous[0]:%d.%m.%Y}: {s.previous[1]} restanser")
    if s.written_off:
        out.print(f"  Avskrevne (ikke restanser): {s.written_off}")
    for jp_type, n in sorted(s.skipped_types.items()):
        out.print(f"  Hoppet over, type {jp_type}: {n} (bare I og N gir restanser)")
    if s.duplicates:
        out.print(f"  Duplikater (samme journalpost og saksbehandler, telt én gang): {s.duplicates}")
    if s.cleaned_values:
        out.print(f"  Kontrolltegn fjernet fra {plural(s.cleaned_values, 'verdi', 'verdier')}")
    if s.invalid_rows:
        out.print(f"  Ugyldige rader hoppet over: {s.invalid_rows}")
        for problem in s.skipped_problems:
            out.print(f"    • {problem}", markup=False)
        if s.invalid_rows > len(s.skipped_problems):
            out.print(f"    … og flere (i alt {plural(s.invalid_rows, 'rad', 'rader')}).")
    if s.unknown_units:
        out.print(
            f"  Enheter som ikke er i katalogen ({len(s.unknown_units)}): {_short_list(s.unknown_units)}",
            markup=False,
        )
    if s.unknown_people:
        out.print(
            f"  Saksbehandlere som ikke er i katalogen ({len(s.unknown_people)}): {_short_list(s.unknown_people)}",
            markup=False,
        )
    for assumption in s.assumptions:
        out.print(f"  Merk: {assumption}", markup=False)
    for warning in s.warnings:
        out.print(f"  Bekreftet: {warning.message}", markup=False)


def _short_list(items: list[str], n: int = 30) -> str:
    return ", ".join(items[:n]) + (f" … og {len(items) - n} til" if len(items) > n else "")


def directory_import(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.importers.directory import import_directory
    from restanse_core.importers.source import Limits

    paths: list[Path] = args.files
    try:
        files = import_directory(
            cli.engine,
            paths,
            Limits.of(cli.settings),
            channels=[a.NAME for a in adapters() if hasattr(a, "sender")],  # what a person's `kanal` may name
            confirmed=args.confirm,
            changed_by=f"cli:{cli.user}",
            clock=cli.clock,
        )
    except ConfirmationNeeded as exc:
        raise UserError(
            f"{exc.message}\nSkal katalogen likevel tømmes for dem, les inn fila på nytt med --confirm."
        ) from None
    for path, f in zip(paths, files, strict=True):
        what = (
            plural(len(f.units), "enhet", "enheter")
            if f.kind == "units"
            else plural(len(f.people), "person", "personer")
        )
        out.print(f"{path.name}: {what} lest inn (erstatter de forrige).", markup=False)
        for note in f.notes:
            out.print(f"  Merk: {note}", markup=False)
        if f.cleaned:
            out.print(f"  Kontrolltegn fjernet fra {plural(f.cleaned, 'verdi', 'verdier')}", markup=False)
    return 0


def directory_history(cli: Cli, args: argparse.Namespace) -> int:
    """Who changed the directory, when, from which file."""
    from bot.plaintext import table_lines
    from bot.replies import Table
    from restanse_core.store import repository

    with cli.engine.connect() as conn:
        changes = repository.directory_changes(conn)
    if not changes:
        out.print("Katalogen er ikke endret etter at historikken ble innført.")
        return 0
    columns = ("Endret", "Hva", "Antall", "Fil", "Av", "Sjekksum")
    rows = tuple(
        (
            f"{c.changed_at.astimezone(OSLO):%d.%m.%Y %H:%M}",
            "enheter" if c.kind == "units" else "personer",
            str(c.count),
            c.file_name,
            c.changed_by,
            c.checksum[:12],
        )
        for c in changes
    )
    lines = table_lines(Table(columns, rows, numeric=frozenset({2})))
    out.print("\n".join(line.removeprefix("  ") for line in lines), markup=False)
    return 0
