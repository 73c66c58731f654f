"""How long the command line takes to start, and which libraries each command loads that it does not use.

    python -m bench.cli_startup                  # the code in this checkout
    python -m bench.cli_startup --code DIR       # another copy of the code (`git archive COMMIT | tar -x -C DIR`)
    python -m bench.cli_startup --before DIR     # this checkout and another copy, interleaved run by run

Each figure is the median of `--runs` (5) fresh processes, the commands taking turns round by round so load
on the machine falls on all alike. The floor is `python -c "import sqlalchemy, pydantic_settings"`: what any
command that opens the database must load. The commands run on a temporary SQLite database holding a small
organisation and one list, imported through the CLI (so the schema is current), and the month's reminders
planned (for `nudges status`), with the clock pinned. Which libraries a command loaded is read from
`sys.modules` when it ends.
`doctor` is timed up to the end of its first check (the database), when the process is stopped.

Python's bytecode cache is on, in the temporary folder (PYTHONPYCACHEPREFIX), and one unmeasured round fills
it first — as after an ordinary install. Without it (PYTHONDONTWRITEBYTECODE, set on some development
machines, or an editable install in a read-only tree) every start compiles the project's modules anew, which
costs each command about 0.15 s more.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe

ROOT = Path(__file__).resolve().parent.parent
NOW = "2019-12-16T10:00:00+01:00"

# Libraries no command below uses: loading one is start-up time spent for nothing.
UNWANTED = (
    "pandas",
    "numpy",
    "matplotlib",
    "alembic",
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "aiohttp",
)
# Heavy ones that some commands do use; shown for information.
NOTED = ("jinja2", "babel", "holidays", "apscheduler", "lxml", "rich")

COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "ask --as ARK status": ["ask", "--as", "ARK", "status"],
    "ask --as ARK hjelp": ["ask", "--as", "ARK", "hjelp"],
    "nudges status": ["nudges", "status"],
    "doctor (first check)": ["doctor"],
}

# Runs `restansebot ARGS` as the console script does, then writes the top-level packages it loaded to a file.
# For doctor it stops the process once the first check (the database) has run.
WRAPPER = """
import os, sys
out, *args = sys.argv[1:]

def loaded():
    with open(out, "w") as f:
        f.write("\\n".join(sorted({m.split(".")[0] for m in sys.modules})))

if args[-1:] == ["doctor"]:
    import bot.doctor
    first = bot.doctor._database
    def stop_after(runtime):
        first(runtime)
        loaded()
        os._exit(0)
    bot.doctor._database = stop_after

import atexit
atexit.register(loaded)
sys.argv = ["restansebot", *args]
from bot import cli
getattr(cli, "run", cli.main)()  # as the console script does (older copies of the code: main)
"""

# The month's reminders planned into the outbox (what `nudges send` does before it sends), so that
# `nudges status` has a period to report on.
PLAN = """
import sys
from bot.bootstrap import bootstrap
from bot.delivery.period import plan_into_outbox
from restanse_core.clock import default_clock, today
from restanse_core.settings import load_settings

runtime = bootstrap(load_settings(None, database_url=sys.argv[1]), clock=default_clock())
bot = runtime.bot
assert plan_into_outbox(bot, runtime.outbox, None, today(default_clock()), "bench", bot.chart_url) is not None
"""


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def organisation(folder: Path) -> list[list[str]]:
    """Two units, 23 people, 600 restanser: imported through the CLI, as an archive would start."""
    people = [f"S{i:02d}" for i in range(20)]
    units = write(
        folder / "enheter.csv", ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;LED", "TDR;Teknisk drift;;"]
    )
    persons = write(
        folder / "personer.csv",
        [
            "initialer;navn;epost;enhet;rolle",
            "LED;Lise Eide;led@k.no;LMA;leder",
            "TDL;Trond Dahl;tdl@k.no;TDR;leder",
            "ARK;Arne Arkiv;ark@k.no;TDR;arkiv",
            *(f"{p};Person {p};{p.lower()}@k.no;LMA;" for p in people),
        ],
    )
    rows = ["Jpnr;Type;Sbh;Enhet;Jour.dato"] + [
        f"2019/{n}-{i};I;{p};LMA;01.10.2019" for n, p in enumerate(people) for i in range(30)
    ]
    listing = write(folder / "liste.csv", rows)
    return [
        ["directory", "import", str(units), str(persons)],
        ["import", str(listing), "--as-of", "2019-12-16"],
    ]


def environment(folder: Path, code: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HOME=str(folder), XDG_DATA_HOME=str(folder / "data"), RESTANSEBOT_NOW=NOW, COLUMNS="120")
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["PYTHONPATH"] = str(code)  # the copy of the code under test, ahead of the installed one
    return env


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    took = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # doctor exits 1 with its blocking findings (no channel set up)
        raise SystemExit(f"{' '.join(argv[3:])} failed ({process.returncode}):\n{output.decode()}")
    return took, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the copy of the code to measure")
    parser.add_argument(
        "--before", type=Path, help="also another copy (the code before a change), interleaved run by run"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    codes = {"": args.code.resolve()}
    if args.before:
        codes = {"after: ": codes[""], "before: ": args.before.resolve()}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = ["--db", f"sqlite:///{folder / 'restansebot.db'}"]
        first = next(
            iter(codes.values())
        )  # the database is made by the code measured (both share the schema)
        env = environment(folder, first)
        for step in organisation(folder):
            subprocess.run(
                [sys.executable, "-m", "bot", *db, *step], env=env, cwd=first, check=True, capture_output=True
            )
        subprocess.run(
            [sys.executable, "-c", PLAN, db[1]], env=env, cwd=first, check=True, capture_output=True
        )

        loaded_file = folder / "loaded.txt"
        floor = [sys.executable, "-c", "import sqlalchemy, pydantic_settings"]
        runs: dict[str, tuple[list[str], dict[str, str]]] = {"floor": (floor, env)}
        for label, code in codes.items():
            for name, command in COMMANDS.items():
                extra = [] if command == ["--help"] else db
                argv = [sys.executable, "-c", WRAPPER, str(loaded_file), *extra, *command]
                runs[label + name] = (argv, environment(folder, code))

        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        loaded: dict[str, set[str]] = {}
        for argv, run_env in runs.values():  # fills the bytecode cache
            timed(argv, run_env, folder)
        for _ in range(args.runs):
            for name, (argv, run_env) in runs.items():
                wall, used = timed(argv, run_env, folder)
                times[name].append(wall)
                cpu[name].append(used)
                if name != "floor" and name not in loaded:
                    loaded[name] = set(loaded_file.read_text().split())

    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    wall_floor, cpu_floor = medians["floor"], cpu_medians["floor"]
    print(describe())
    print(f"code: {', '.join(f'{label}{code}' for label, code in codes.items())}; medians of {args.runs}\n")
    print(
        "| command | wall s | above the floor | CPU s | above the floor | unwanted libraries loaded | also loaded |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| floor: `import sqlalchemy, pydantic_settings` | {wall_floor:.3f} | — | {cpu_floor:.3f} | — | — | — |"
    )
    report: dict[str, Any] = {"floor": wall_floor, "cpu_floor": cpu_floor, "commands": {}}
    for name in runs:
        if name == "floor":
            continue
        unwanted = [lib for lib in UNWANTED if lib in loaded[name]]
        noted = [lib for lib in NOTED if lib in loaded[name]]
        print(
            f"| {name.partition(': ')[0] + ': ' if ': ' in name else ''}`{name.partition(': ')[2] or name}` | "
            f"{medians[name]:.3f} | {medians[name] - wall_floor:+.3f} | "
            f"{cpu_medians[name]:.3f} | {cpu_medians[name] - cpu_floor:+.3f} | "
            f"{', '.join(unwanted) or 'none'} | {', '.join(noted) or 'none'} |"
        )
        report["commands"][name] = {
            "median": medians[name],
            "cpu": cpu_medians[name],
            "runs": times[name],
            "unwanted": unwanted,
            "noted": noted,
        }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
