"""An archive on 360 for the process tests: a directory, a configuration file, and the documents in the fake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from adapters.p360.tests.fakes import (
    CLIENT_ID,
    INCOMING,
    NOTE,
    OUTGOING,
    Fake360,
    contact,
    document,
    enterprise,
    person,
)
from tests.conftest import write_csv

UNITS = {code: enterprise(code, recno=200000 + n) for n, code in enumerate(("LMA", "GDO", "TDR", "NYENHET"))}
PEOPLE = {  # initials: (name, e-mail, contact recno in 360, login in 360 or None)
    "UKA": ("Unni Karlsen", "unni.karlsen@kommune.no", 300001, "ukarlsen"),
    "ABC": ("Anne Berit Cappelen", "anne.cappelen@kommune.no", 300002, "acappelen"),
    "TOR": ("Tor Olsen", "tor.olsen@kommune.no", 300003, "tolsen"),
    "NYL": ("Nina Ylvisaker", "nina.ylvisaker@kommune.no", 300004, None),
}
UKA_OPEN = 15  # 12 letters, the restricted one, the one answered with ***, and the note to UKA and TOR


def directory(cli, db_url: str, tmp_path: Path) -> None:
    units = write_csv(
        tmp_path / "enheter.csv",
        ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;LED", "GDO;Geodata;;", "TDR;Teknisk drift;;"],
    )
    people = write_csv(
        tmp_path / "personer.csv",
        [
            "initialer;navn;epost;enhet;rolle;brukernavn",
            "UKA;Unni Karlsen;unni.karlsen@kommune.no;LMA;;ukarlsen",
            "ABC;Anne Berit Cappelen;anne.cappelen@kommune.no;LMA;;acappelen",
            "TOR;Tor Olsen;tor.olsen@kommune.no;GDO;;",  # no login in the file: the sync finds it
            "NYL;Nina Ylvisaker;nina.ylvisaker@kommune.no;LMA;;",  # no login anywhere
            "LED;Lise Eide;lise.eide@kommune.no;LMA;leder;",
            "ARK;Arne Arkiv;arne.arkiv@kommune.no;TDR;arkiv;",
        ],
    )
    assert cli("--db", db_url, "directory", "import", units, people).code == 0


def responsible(initials: str) -> dict:
    name, email, recno, _ = PEOPLE[initials]
    return person(name, email, recno)


def recipient(initials: str) -> dict:
    name, email, recno, _ = PEOPLE[initials]
    return contact("Mottaker", name, email, recno=recno)


def populate(fake: Fake360) -> None:
    """UKA: 12 letters over the year, a restricted one, one answered with *** (still open) and one written off
    with TE (not open); a note to UKA and TOR; ABC 3; NYL 1; a note to the unit GDO; one without anyone in TDR;
    one in a unit not in the directory; an outgoing letter and a cancelled one (neither is a restanse)."""
    for _initials, (_, email, recno, login) in PEOPLE.items():
        fake.contacts.append({"Recno": recno, "Email": email, "Categories": ["Intern"]})
        if login:
            fake.users.append(
                {"Login": login, "IsActive": True, "ContactRecno": recno, "IsServiceUser": False}
            )
    sender = [contact("Avsender", "Ola Avsender", "ola@example.no", kind="Privatperson")]
    for i in range(1, 13):
        fake.add(document(1000 + i, f"2019/100-{i}", journal_date=f"2019-{i:02d}-0{1 + i % 9}", unit=UNITS["LMA"],
                          responsible=responsible("UKA"), contacts=sender))  # fmt: skip
    fake.add(
        document(
            1100,
            "2019/700-1",
            title="Barnevern for Ola Nordmann",
            official_title="Henvendelse fra privatperson",
            access_code="13 Ofl",
            unit=UNITS["LMA"],
            responsible=responsible("UKA"),
        ),
        document(
            1101, "2019/700-2", unit=UNITS["LMA"], responsible=responsible("UKA"), response_code=6
        ),  # ***
        document(
            1102, "2019/700-3", unit=UNITS["LMA"], responsible=responsible("UKA"), response_code=4
        ),  # TE
        document(
            1200,
            "2019/800-1",
            category=NOTE,
            title="Internt notat",
            unit=UNITS["LMA"],
            contacts=[recipient("UKA"), recipient("TOR")],
        ),
        document(
            1201,
            "2019/800-2",
            category=NOTE,
            unit=UNITS["LMA"],
            contacts=[contact("Mottaker", "Geodata", kind="Virksomhet", recno=200001, reference="GDO")],
        ),
        document(1300, "2019/200-1", unit=UNITS["LMA"], responsible=responsible("ABC")),
        document(1301, "2019/200-2", unit=UNITS["LMA"], responsible=responsible("ABC")),
        document(1302, "2019/200-3", unit=UNITS["LMA"], responsible=responsible("ABC")),
        document(1400, "2019/300-1", unit=UNITS["LMA"], responsible=responsible("NYL")),
        document(1500, "2019/400-1", unit=UNITS["TDR"], responsible=None),
        document(1600, "2019/500-1", unit=UNITS["NYENHET"], responsible=responsible("ABC")),
        document(1700, "2019/600-1", category=OUTGOING, unit=UNITS["LMA"], responsible=responsible("UKA")),
        document(1701, "2019/600-2", unit=UNITS["LMA"], responsible=responsible("UKA"), status=8),  # Utgår
    )


def config(tmp_path: Path, fake: Fake360, **extra: object) -> Path:
    settings: dict[str, object] = {
        "source": "p360",
        "p360_base_url": fake.base_url,
        "p360_from_date": "2019-01-01",
        "p360_window_days": 120,
        "p360_categories_incoming": [110, 200001],
        "p360_categories_note": [113],
        "p360_journal_statuses_exclude": [8],
        "p360_writeoff_timeout_seconds": 1,
        "records_link": "https://360.kommune.no/locator?jp={id}",
        **extra,
    }
    path = tmp_path / "restansebot.toml"
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()), encoding="utf-8")
    return path


def environment(
    tmp_path: Path, fake: Fake360, conf: Path, now: str = "2019-12-16T06:00:00+01:00"
) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        RESTANSEBOT_NOW=now,
        RESTANSEBOT_CONFIG=str(conf),
        RESTANSEBOT_P360_AUTHKEY=fake.key,
        RESTANSEBOT_P360_CLIENTID=CLIENT_ID,
    )
    return env


def restansebot(db_url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", db_url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def start(db_url: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", db_url, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


__all__ = ["INCOMING", "UKA_OPEN"]
