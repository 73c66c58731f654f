"""The archive's month in chat (issue 12), end to end: the arkiv drops the month's export into the 1:1 chat,
gets a preview, presses «Lagre» — and the month goes out at its moment with no shell on the server.

Everything goes through `restansebot serve` (or `restansebot shell`) started as a process; only Slack and
Teams are faked, over real HTTP on 127.0.0.1, the fakes also being the platforms' file hosts. The clock is
pinned with RESTANSEBOT_NOW: the list is dropped in on Monday 16.12.2019 in the afternoon, and the reminders
go out on Tuesday 17.12.2019 at 09:00."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.slack.tests.fakes import BOT_TOKEN, FakeSlack, file_share, mention
from adapters.teams.tests import recorded
from adapters.teams.tests.conftest import ANONYMOUS
from adapters.teams.tests.fakes import FakeConnector
from adapters.teams.tests.test_serve_process import post
from restanse_core.store import make_engine
from tests.conftest import HEADER, run_restansebot, stored, write_csv
from tests.processes import Running, Serve, clean_env, outbox, wait_until
from tests.test_serve import answers_to, post_signed, press, slack_env

NOVEMBER = "2019-11-13T10:00:00+01:00"  # the previous list, imported the day it was printed
UPLOADED = "2019-12-16T14:00:00+01:00"  # a Monday afternoon: the month goes out Tuesday 09:00
SEND_MOMENT = "2019-12-17T09:00:30+01:00"
EXPIRED = "2019-12-17T15:00:00+01:00"  # 25 hours after the upload; a pending upload waits 24
SAKSBEHANDLERE = [f"S{i:02d}" for i in range(6)]
EVERYONE = [*SAKSBEHANDLERE, "LED", "TDL", "ARK"]
EXPORT = "restanser-desember.csv"
SAVE, CANCEL = "opplasting.lagre", "opplasting.avbryt"
RESTRICTED_TITLE = "Barnevern for Ola Nordmann"


# ---- the archive's data ------------------------------------------------------------------------------------


def people_file(path: Path, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    return write_csv(
        path,
        [
            "initialer;navn;epost;enhet;rolle",
            "LED;Lise Eide;led@k.no;LMA;leder",
            "TDL;Trond Dahl;tdl@k.no;TDR;leder",
            "ARK;Arne Arkiv;ark@k.no;TDR;arkiv",
            *[f"{p};Person {p};{p.lower()}@k.no;LMA;saksbehandler" for p in SAKSBEHANDLERE],
            *extra,
        ],
    )


def export(printed: str, per_person: dict[str, int], *, broken_row: int | None = None) -> bytes:
    """A restanse report as the records system prints it: a title line with the print date, then the
    procedure's headings, in Windows-1252. Each saksbehandler's I-entries, one U-entry (not a restanse) and a
    confidential entry whose title must never be stored or shown. `broken_row` (1-based, counting the whole
    file) gets a journal date that is not a date."""
    rows = ["Restanseliste Testkommune;;;;;;;;;", f"Utskrevet {printed};;;;;;;;;", "", HEADER]
    for n, (who, count) in enumerate(per_person.items()):
        rows += [
            f"2019/{100 + n}-{i};I;{(i % 28) + 1:02d}.10.2019;Søknad om tiltak {i};;{who};LMA;;;"
            for i in range(1, count + 1)
        ]
    rows.append("2019/900-1;U;04.11.2019;Svar på søknad;;S00;LMA;;;")
    rows.append(f"2019/901-1;I;05.11.2019;{RESTRICTED_TITLE};Henvendelse fra privatperson;S05;LMA;13 Ofl;;")
    if broken_row is not None:
        cells = rows[broken_row - 1].split(";")
        cells[2] = "snart"
        rows[broken_row - 1] = ";".join(cells)
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


NOVEMBER_COUNTS = {p: 30 for p in SAKSBEHANDLERE}  # 180 restanser, + the confidential one (S05's)
DECEMBER_COUNTS = {p: 30 + i for i, p in enumerate(SAKSBEHANDLERE)}  # 195, + the confidential one


@pytest.fixture
def archive(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The directory and November's list, imported with the CLI on the day November's list was printed."""

    def load(db_url: str) -> None:
        monkeypatch.setenv("RESTANSEBOT_NOW", NOVEMBER)
        units = write_csv(
            tmp_path / "enheter.csv",
            ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;LED", "TDR;Teknisk drift;;TDL"],
        )
        november = tmp_path / "restanser-november.csv"
        november.write_bytes(export("13.11.2019", NOVEMBER_COUNTS))
        for args in (
            ("directory", "import", units, people_file(tmp_path / "personer.csv")),
            ("import", november),
        ):
            result = cli("--db", db_url, *args)
            assert result.code == 0, result.out + result.err
        monkeypatch.delenv("RESTANSEBOT_NOW")

    return load


def snapshots_list(db_url: str, tmp_path: Path) -> str:
    """`restansebot snapshots list`, as the arkiv would run it on the server."""
    result = run_restansebot(
        "--db", db_url, "snapshots", "list", tmp_path=tmp_path, env={"RESTANSEBOT_NOW": SEND_MOMENT}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def lists_stored(db_url: str) -> list[tuple[str, int, str]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [
                (str(r.as_of), r.n, r.imported_by)
                for r in conn.execute(
                    text(
                        "SELECT s.as_of, s.imported_by, COUNT(r.id) AS n FROM snapshots s "
                        "LEFT JOIN restanser r ON r.snapshot_id = s.id "
                        "GROUP BY s.id, s.as_of, s.imported_by ORDER BY s.as_of"
                    )
                )
            ]
    finally:
        engine.dispose()


# ---- Slack ------------------------------------------------------------------------------------------------


def slack(fake: FakeSlack, tmp_path: Path, now: str = UPLOADED) -> dict[str, str]:
    return slack_env(fake, tmp_path, now=now, RESTANSEBOT_SLACK_FILE_HOSTS="127.0.0.1")


def people_in(fake: FakeSlack, initials: list[str] = EVERYONE) -> None:
    for who in initials:  # Slack user ids that match the DM channels the fake hands out
        fake.add_user(f"U{who}", f"{who.lower()}@k.no")


def drop(server: Serve, user: str, file: dict[str, Any], channel: str | None = None) -> None:
    """`user` drops `file` into the DM with the bot (or into `channel`)."""
    body = json.dumps(file_share(user, file, channel=channel))
    assert post_signed(server, body, "application/json") == 200


def seen(message: dict[str, Any]) -> str:
    """All a person sees of a posted message: its text and its blocks."""
    return json.dumps({k: message.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def labelled(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The message's buttons as the person sees them: label → (action, value)."""
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {
        e["text"]["text"]: (e["action_id"].split("#")[0], e.get("value", ""))
        for b in blocks
        if b.get("type") == "actions"
        for e in b["elements"]
    }


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """The message's buttons: action → value."""
    return {action: value for action, value in labelled(message).values()}


def next_answers(fake: FakeSlack, user: str, after: int, n: int = 1, what: str = "the answer") -> list[dict]:
    wait_until(lambda: len(answers_to(fake, user)) >= after + n, timeout=60, what=what)
    return answers_to(fake, user)[after:]


def about(fake: FakeSlack, user: str, after: int, name: str) -> list[dict[str, Any]]:
    """The answers to `user` since the first `after` that name the file (the month's reports may come between)."""
    return [m for m in answers_to(fake, user)[after:] if name in seen(m)]


def uploaded(fake: FakeSlack, server: Serve, user: str, name: str, content: bytes) -> tuple[str, dict]:
    """Drop a file in as `user`; returns the acknowledgement and the answer that follows it (the preview)."""
    before = len(answers_to(fake, user))
    drop(server, user, fake.share_file(name, content, user=user))
    wait_until(
        lambda: len(about(fake, user, before, name)) >= 2, what=f"the acknowledgement and preview of {name}"
    )
    ack, preview = about(fake, user, before, name)[:2]
    return seen(ack), preview


def december() -> bytes:
    return export("16.12.2019", DECEMBER_COUNTS)


@pytest.mark.slow
def test_the_arkiv_drops_the_month_into_slack_saves_it_and_the_reminders_go_out_by_themselves(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            ack, preview = uploaded(fake, server, "UARK", EXPORT, december())
            assert f"Leser fila {EXPORT}" in ack
            shown = seen(preview)
            for expected in (
                f"Forhåndsvisning: {EXPORT}",
                "16.12.2019 (fra fila)",  # the print date on the title line
                "Rader lest",
                "197",  # rows: 195 + the U-entry + the confidential one
                "196",  # restanser
                "Sammenlignet med lista per 13.11.2019: 181 → 196 (+15)",
                "LMA 181 → 196",
                "Påminnelsene for måneden: 6 saksbehandlere med egen melding",
                "17.12.2019 kl. 09:00",
                "ligger fortsatt i chatten",  # the first upload says the export stays in Slack
            ):
                assert expected in shown, (expected, shown)
            assert RESTRICTED_TITLE not in shown
            actions = buttons(preview)
            assert set(actions) == {SAVE, CANCEL}
            assert lists_stored(sqlite_url) == [("2019-11-13", 181, "cli:ukjent")]  # nothing stored yet
            before = len(answers_to(fake, "UARK"))
            press(server, "UARK", SAVE, actions[SAVE])
            (done,) = next_answers(fake, "UARK", before, what="the confirmation of Lagre")
            assert "Lagret: restanselista per 16.12.2019 fra restanser-desember.csv, 196 restanser" in seen(
                done
            )
            assert outbox(sqlite_url) == {}  # stored, not sent: the month goes out at its moment
        listed = snapshots_list(sqlite_url, tmp_path)
        assert "16.12.2019" in listed and "ARK via slack:UARK" in listed and EXPORT in listed, listed
        assert [d.authorization for d in fake.downloads] == [f"Bearer {BOT_TOKEN}"]

        tuesday = slack(fake, tmp_path, now=SEND_MOMENT)
        with Serve(sqlite_url, tuesday) as server:  # Tuesday 09:00, and nobody typed anything
            wait_until(
                lambda: (
                    {f"saksbehandler:{p}" for p in SAKSBEHANDLERE} <= set(outbox(sqlite_url))
                    and set(outbox(sqlite_url).values()) == {"sent"}
                ),
                what="the month's reminders",
            )
            # A corrected list dropped in afterwards does not promise the month's reminders once more.
            corrected = export("17.12.2019", DECEMBER_COUNTS)
            _, again = uploaded(fake, server, "UARK", "restanser-desember-rettet.csv", corrected)
            assert "Påminnelsene for 2019-12 ble sendt 17.12.2019" in seen(again), seen(again)
            assert "De sendes" not in seen(again) and set(buttons(again)) == {SAVE, CANCEL}
        for who, count in {**DECEMBER_COUNTS, "S05": DECEMBER_COUNTS["S05"] + 1}.items():
            assert any(f"{count} restanser" in seen(m) for m in answers_to(fake, f"U{who}")), who


def uploads_kept(db_url: str) -> list[tuple[str, bool]]:
    """Each pending upload's status, and whether the bot still holds the file's content."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, content FROM pending_uploads ORDER BY created_at"))
            return [(r.status, r.content is not None) for r in rows]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_avbryt_stores_nothing_and_the_cancelled_preview_cannot_be_saved_afterwards(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    before = stored(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, preview = uploaded(fake, server, "UARK", EXPORT, december())
            actions = buttons(preview)
            assert uploads_kept(sqlite_url) == [("pending", True)]
            asked = len(answers_to(fake, "UARK"))
            press(server, "UARK", CANCEL, actions[CANCEL])
            (cancelled,) = next_answers(fake, "UARK", asked, what="the answer to Avbryt")
            assert "Avbrutt – restanser-desember.csv er ikke lagret" in seen(cancelled)
            press(server, "UARK", SAVE, actions[SAVE])  # the old preview's Lagre, pressed afterwards
            (late,) = next_answers(fake, "UARK", asked + 1, what="the answer to a late Lagre")
            assert "gjelder ikke lenger" in seen(late) and not buttons(late)
    assert stored(sqlite_url) == before
    assert uploads_kept(sqlite_url) == [("cancelled", False)]  # the file's content is gone from the bot


@pytest.mark.slow
def test_a_broken_file_gets_the_imports_own_message_and_stores_nothing(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    before = stored(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, answer = uploaded(
                fake, server, "UARK", EXPORT, export("16.12.2019", DECEMBER_COUNTS, broken_row=9)
            )
    shown = seen(answer)
    assert f"{EXPORT}, rad 9, kolonne «Jour.dato»: «snart»" in shown, shown
    assert "Ingenting er lagret" in shown and "«columns»" in shown  # the chat's way, not a CLI flag
    assert "--" not in shown and not buttons(answer)
    assert stored(sqlite_url) == before
    assert uploads_kept(sqlite_url) == [("cancelled", False)]


@pytest.mark.slow
def test_a_file_slack_sends_by_id_only_is_looked_up_and_read(archive, sqlite_url: str, tmp_path: Path):
    """Slack may send a shared file as `{"id": …, "file_access": "check_file_info"}`: files.info gives the rest."""
    archive(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            file = fake.share_file(EXPORT, december(), user="UARK")
            drop(server, "UARK", {"id": file["id"], "file_access": "check_file_info"})
            wait_until(lambda: len(about(fake, "UARK", 0, EXPORT)) >= 2, what="the preview")
    assert [c["file"] for c in fake.calls_to("files.info")] == [file["id"]]
    assert f"Forhåndsvisning: {EXPORT}" in seen(about(fake, "UARK", 0, EXPORT)[1])


@pytest.mark.slow
def test_a_saksbehandlers_file_is_refused_kindly_and_never_downloaded(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    before = stored(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            drop(server, "US00", fake.share_file(EXPORT, december(), user="US00"))
            (answer,) = next_answers(fake, "US00", 0, what="the answer to the saksbehandler")
    assert "det er arkivet som leser inn restanselister" in seen(answer) and not buttons(answer)
    assert fake.downloads == []
    assert stored(sqlite_url) == before and uploads_kept(sqlite_url) == []


@pytest.mark.slow
def test_a_file_shared_in_a_channel_is_never_read(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            in_channel = fake.share_file("i-kanalen.csv", december(), user="UARK")
            drop(server, "UARK", in_channel, channel="C0LMA")
            with_mention = fake.share_file("med-omtale.csv", december(), user="UARK")
            body = mention("UARK", "C0LMA", "her er lista", files=[with_mention], subtype="file_share")
            assert post_signed(server, json.dumps(body), "application/json") == 200
            # The same arkiv then drops a file into the DM: once that is previewed, the channel's are long done.
            _, preview = uploaded(fake, server, "UARK", EXPORT, december())
            assert set(buttons(preview)) == {SAVE, CANCEL}
            wait_until(
                lambda: any(c["channel"] == "C0LMA" for c in fake.calls_to("chat.postMessage")),
                what="the answer to the mention in the channel",
            )
    (in_the_channel,) = [c.params for c in fake.calls_to("chat.postMessage") if c["channel"] == "C0LMA"]
    assert "Filer leser jeg bare inn i en direktemelding med meg" in seen(in_the_channel)
    downloaded = [d.path for d in fake.downloads]
    assert len(downloaded) == 1 and downloaded[0].endswith(f"/download/{EXPORT}")
    assert uploads_kept(sqlite_url) == [("pending", True)]  # only the DM's


@pytest.mark.slow
def test_the_bot_token_goes_to_slacks_file_host_only(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    with Running(FakeSlack()) as fake, Running(FakeSlack()) as elsewhere:
        people_in(fake)
        # A host that is not one of RESTANSEBOT_SLACK_FILE_HOSTS (the same fake, by another name).
        foreign = elsewhere.share_file("annen.csv", december(), user="UARK")
        foreign_url = foreign["url_private_download"].replace("127.0.0.1", "localhost")
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, answer = uploaded(fake, server, "UARK", EXPORT, december())  # the ordinary case
            assert set(buttons(answer)) == {SAVE, CANCEL}
            redirected = fake.share_file("videresendt.csv", december(), user="UARK", redirect_to=foreign_url)
            asked = len(answers_to(fake, "UARK"))
            drop(server, "UARK", redirected)
            _, failed = next_answers(fake, "UARK", asked, 2, what="the answer to a redirected file")
            assert "fikk ikke hentet fila videresendt.csv" in seen(failed) and not buttons(failed)
            elsewhere_file = {
                **fake.share_file("utenfor.csv", b"", user="UARK"),
                "url_private_download": foreign_url,
            }
            drop(server, "UARK", elsewhere_file)
            _, refused = next_answers(fake, "UARK", asked + 2, 2, what="the answer to a file elsewhere")
            assert "fikk ikke hentet fila utenfor.csv" in seen(refused)
    assert elsewhere.downloads == []  # neither the token nor anything else went there
    assert [d.authorization for d in fake.downloads] == [f"Bearer {BOT_TOKEN}"] * 2
    assert BOT_TOKEN not in server.log.read_text()


@pytest.mark.slow
def test_an_upload_confirmed_after_it_expired_is_not_stored(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    before = stored(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, preview = uploaded(fake, server, "UARK", EXPORT, december())
        asked = len(answers_to(fake, "UARK"))
        with Serve(sqlite_url, slack(fake, tmp_path, now=EXPIRED)) as server:  # the next day, 25 hours later
            press(server, "UARK", SAVE, buttons(preview)[SAVE])
            (late,) = next_answers(fake, "UARK", asked, what="the answer to Lagre a day late")
    assert "gjelder ikke lenger" in seen(late) and "utløpt" in seen(late) and not buttons(late)
    assert stored(sqlite_url) == before
    assert uploads_kept(sqlite_url) == [("expired", False)]


@pytest.mark.slow
def test_a_directory_changed_after_the_preview_gives_a_new_preview_instead_of_storing(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, preview = uploaded(fake, server, "UARK", EXPORT, december())
            newcomer = people_file(tmp_path / "personer-ny.csv", ["NYS;Ny Saksbehandler;nys@k.no;LMA;"])
            changed = run_restansebot(
                "--db", sqlite_url, "directory", "import", newcomer, tmp_path=tmp_path,
                env={"RESTANSEBOT_NOW": UPLOADED},
            )  # fmt: skip
            assert changed.returncode == 0, changed.stderr
            asked = len(answers_to(fake, "UARK"))
            press(server, "UARK", SAVE, buttons(preview)[SAVE])
            (again,) = next_answers(fake, "UARK", asked, what="the answer to Lagre after the change")
            assert "endret siden forhåndsvisningen" in seen(again) and "Forhåndsvisning" in seen(again)
            assert lists_stored(sqlite_url) == [("2019-11-13", 181, "cli:ukjent")]
            press(server, "UARK", SAVE, buttons(again)[SAVE])  # the new preview's Lagre stores it
            (done,) = next_answers(fake, "UARK", asked + 1, what="the answer to the new Lagre")
    assert "Lagret: restanselista per 16.12.2019" in seen(done)
    assert lists_stored(sqlite_url)[-1] == ("2019-12-16", 196, "ARK via slack:UARK")


def directory_now(db_url: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The people's initials, and each directory change as (kind, file, who)."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            people = sorted(r.initials for r in conn.execute(text("SELECT initials FROM people")))
            changes = [
                (r.kind, r.file_name, r.changed_by)
                for r in conn.execute(
                    text("SELECT kind, file_name, changed_by FROM directory_changes ORDER BY id")
                )
            ]
        return people, changes
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_arkiv_updates_the_people_from_slack(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    changed = [
        line
        for line in people_file(tmp_path / "x.csv").read_text().splitlines()
        if not line.startswith("S05")
    ]
    changed.append("NYS;Ny Saksbehandler;;LMA;saksbehandler")
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, preview = uploaded(fake, server, "UARK", "personer.csv", "\r\n".join(changed).encode())
            shown = seen(preview)
            for expected in (
                "En personfil med 9 personer",
                "Nye (1): NYS",
                "Fjernes (1): S05",
                "uten e-postadresse: NYS",
            ):
                assert expected in shown, (expected, shown)
            assert "S05" in directory_now(sqlite_url)[0]  # nothing changed before Lagre
            asked = len(answers_to(fake, "UARK"))
            press(server, "UARK", SAVE, buttons(preview)[SAVE])
            (done,) = next_answers(fake, "UARK", asked, what="the answer to Lagre")
    assert "Lagret: katalogen er oppdatert fra personer.csv" in seen(done)
    people, changes = directory_now(sqlite_url)
    assert "NYS" in people and "S05" not in people
    assert changes[-1] == ("people", "personer.csv", "ARK via slack:UARK")
    history = run_restansebot(
        "--db", sqlite_url, "directory", "history", tmp_path=tmp_path,
        env={"RESTANSEBOT_NOW": UPLOADED, "COLUMNS": "200"},
    )  # fmt: skip
    assert history.returncode == 0, history.stderr
    newest = history.stdout.splitlines()[2]  # under the headings and the rule, newest first
    assert "16.12.2019 14:00" in newest and "personer.csv" in newest and "ARK via slack:UARK" in newest, (
        newest
    )


@pytest.mark.slow
def test_a_list_without_a_print_date_asks_which_date_and_is_stored_with_the_one_chosen(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    undated = b"\r\n".join(december().split(b"\r\n")[3:])  # from the headings on: no «Utskrevet» line
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(sqlite_url, slack(fake, tmp_path)) as server:
            _, question = uploaded(fake, server, "UARK", EXPORT, undated)
            assert "Hvilken dato skal den lagres med?" in seen(question)
            asked = len(answers_to(fake, "UARK"))
            assert set(labelled(question)) == {"I dag (16.12.2019)", "Siste virkedag (13.12.2019)", "Avbryt"}
            press(server, "UARK", *labelled(question)["Siste virkedag (13.12.2019)"])
            (preview,) = next_answers(fake, "UARK", asked, what="the preview with the date chosen")
            assert "13.12.2019 (valgt)" in seen(preview) and "De sendes 17.12.2019 kl. 09:00" in seen(preview)
            press(server, "UARK", SAVE, buttons(preview)[SAVE])
            (done,) = next_answers(fake, "UARK", asked + 1, what="the answer to Lagre")
    assert "Lagret: restanselista per 13.12.2019" in seen(done)
    assert lists_stored(sqlite_url)[-1] == ("2019-12-13", 196, "ARK via slack:UARK")


@pytest.mark.slow
@pytest.mark.postgres
def test_lagre_pressed_at_another_replica_on_postgresql_stores_the_list(archive, postgres_url: str, tmp_path):
    archive(postgres_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        env = slack(fake, tmp_path)
        with Serve(postgres_url, env) as first, Serve(postgres_url, env) as second:
            _, preview = uploaded(fake, first, "UARK", EXPORT, december())
            asked = len(answers_to(fake, "UARK"))
            press(second, "UARK", SAVE, buttons(preview)[SAVE])
            (done,) = next_answers(fake, "UARK", asked, what="the answer from the second replica")
    assert "Lagret: restanselista per 16.12.2019" in seen(done)
    assert lists_stored(postgres_url)[-1] == ("2019-12-16", 196, "ARK via slack:UARK")
    assert uploads_kept(postgres_url) == [("stored", False)]


@pytest.mark.slow
def test_lagre_pressed_twice_at_once_stores_the_list_once(archive, db_url: str, tmp_path: Path):
    archive(db_url)
    with Running(FakeSlack()) as fake:
        people_in(fake)
        with Serve(db_url, slack(fake, tmp_path)) as server:
            _, preview = uploaded(fake, server, "UARK", EXPORT, december())
            asked = len(answers_to(fake, "UARK"))
            presses = [
                threading.Thread(target=press, args=(server, "UARK", SAVE, buttons(preview)[SAVE]))
                for _ in range(2)
            ]  # a double click: Slack sends both presses
            for pressed in presses:
                pressed.start()
            for pressed in presses:
                pressed.join()
            answers = [seen(a) for a in next_answers(fake, "UARK", asked, 2, what="both answers")]
    assert sum("Lagret: restanselista per 16.12.2019" in a for a in answers) == 1, answers
    assert not any("noe gikk galt" in a for a in answers), answers
    assert lists_stored(db_url) == [
        ("2019-11-13", 181, "cli:ukjent"),
        ("2019-12-16", 196, "ARK via slack:UARK"),
    ]
    assert uploads_kept(db_url) == [("stored", False)]


# ---- Teams ------------------------------------------------------------------------------------------------


def submit_button(call: Any, action: str) -> dict[str, Any]:
    """The Action.Submit of the card's button for `action`, as Teams shows it."""
    card = call.card
    assert card is not None, call.text
    found = [
        a
        for element in json.loads(json.dumps(card))["body"]
        if element.get("type") == "ActionSet"
        for a in element["actions"]
        if a.get("type") == "Action.Submit" and a["data"].get("restansebot") == action
    ]
    assert len(found) == 1, call.text
    return found[0]


@pytest.mark.slow
def test_the_arkiv_drops_the_month_into_teams_and_saves_it_from_the_card(archive, sqlite_url: str, tmp_path):
    archive(sqlite_url)
    with Running(FakeConnector()) as fake:
        upload = recorded.load("message_file_download_info_personal.json", service_url=fake.url)
        upload["attachments"] = [
            fake.share_file(EXPORT, december())
        ]  # the recorded shape, served by the fake
        arkiv = upload["from"]["id"]
        fake.member(arkiv, "ark@k.no", name="Arne Arkiv")  # Teams' member look-up gives the e-mail
        env = clean_env(
            tmp_path, **ANONYMOUS, RESTANSEBOT_NOW=UPLOADED, RESTANSEBOT_TEAMS_FILE_HOSTS="127.0.0.1"
        )
        in_group = {
            **upload,
            "id": "1485983408000",
            "conversation": {
                "id": "19:arkivgruppa@thread.v2",
                "conversationType": "groupChat",
                "isGroup": True,
            },
            "attachments": [fake.share_file("i-gruppa.csv", december())],
        }
        with Serve(sqlite_url, env) as server:
            assert post(server.url + "/api/messages", in_group) in (200, 202)  # the same file in a group chat
            wait_until(lambda: len(fake.activities) >= 1, what="the answer in the group chat")
            (refused,) = fake.activities
            assert refused.conversation == "19:arkivgruppa@thread.v2"
            assert "Filer leser jeg bare inn i en direktemelding med meg" in refused.text
            fake.clear()
            assert post(server.url + "/api/messages", upload) in (200, 202)
            wait_until(lambda: len(fake.activities) >= 2, what="the acknowledgement and the preview")
            ack, preview = fake.activities[:2]
            assert f"Leser fila {EXPORT}" in ack.text
            assert ack.path.endswith(f"/activities/{upload['id']}")  # a reply in the turn
            assert preview.conversation == upload["conversation"]["id"]  # then proactively, in the same chat
            for expected in (
                "16.12.2019 (fra fila)",
                "181 → 196",
                "6 saksbehandlere",
                "17.12.2019 kl. 09:00",
            ):
                assert expected in preview.text, (expected, preview.text)
            assert RESTRICTED_TITLE not in preview.text
            lagre = submit_button(preview, SAVE)
            assert lagre["title"] == "Lagre"
            assert lists_stored(sqlite_url) == [("2019-11-13", 181, "cli:ukjent")]
            pressed = recorded.load(
                "message_action_submit.json",
                service_url=fake.url,
                **{k: upload[k] for k in ("from", "conversation", "recipient", "channelData")},
                value=lagre["data"],  # what Teams sends for an Action.Submit: the button's data
            )
            assert post(server.url + "/api/messages", pressed) in (200, 202)
            wait_until(lambda: len(fake.activities) >= 3, what="the answer to Lagre")
            assert (
                "Lagret: restanselista per 16.12.2019 fra restanser-desember.csv" in fake.activities[2].text
            )
    assert len(fake.downloads) == 1 and fake.downloads[0].authorization is None  # no token to the downloadUrl
    assert lists_stored(sqlite_url)[-1] == ("2019-12-16", 196, f"ARK via teams:{arkiv}")


# ---- the terminal -----------------------------------------------------------------------------------------


def shell(db_url: str, tmp_path: Path, *lines: str) -> str:
    result = run_restansebot(
        "--db", db_url, "shell", "--as", "ARK", stdin="\n".join(lines) + "\n", tmp_path=tmp_path,
        env={"RESTANSEBOT_NOW": UPLOADED, "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_terminal_reads_the_file_and_lagre_stores_it(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    dropped = tmp_path / EXPORT
    dropped.write_bytes(december())
    said = shell(sqlite_url, tmp_path, f"last inn {dropped}", "lagre")
    assert f"Forhåndsvisning: {EXPORT}" in said and "16.12.2019 (fra fila)" in said
    assert said.index("Forhåndsvisning") < said.index("Lagret: restanselista per 16.12.2019")
    assert lists_stored(sqlite_url)[-1] == ("2019-12-16", 196, "ARK via terminal")
    assert "ARK via terminal" in snapshots_list(sqlite_url, tmp_path)


def test_the_preview_counts_who_and_which_units_are_not_in_the_directory_in_words(
    archive, sqlite_url: str, tmp_path: Path
):
    archive(sqlite_url)
    dropped = tmp_path / EXPORT
    dropped.write_bytes(december() + "2019/950-1;I;05.11.2019;Søknad;;XYZ;ZZZ;;;\r\n".encode("cp1252"))
    said = " ".join(shell(sqlite_url, tmp_path, f"last inn {dropped}", "avbryt").split())
    assert "1 saksbehandler, 1 enhet" in said  # (not «1 saksbehandlere, 1 enheter»)


def test_the_terminal_stores_nothing_on_avbryt(archive, sqlite_url: str, tmp_path: Path):
    archive(sqlite_url)
    before = stored(sqlite_url)
    dropped = tmp_path / EXPORT
    dropped.write_bytes(december())
    said = shell(sqlite_url, tmp_path, f"last inn {dropped}", "avbryt", "lagre")
    assert "Avbrutt – restanser-desember.csv er ikke lagret" in said
    assert "Lagret" not in said
    assert stored(sqlite_url) == before


def test_an_older_list_is_saved_only_with_lagre_likevel_and_promises_no_reminders(
    archive, sqlite_url, tmp_path
):
    archive(sqlite_url)
    newest, older = tmp_path / EXPORT, tmp_path / "restanser-gammel.csv"
    newest.write_bytes(december())
    older.write_bytes(export("02.12.2019", NOVEMBER_COUNTS))
    said = shell(sqlite_url, tmp_path, f"last inn {newest}", "lagre", f"last inn {older}", "lagre likevel")
    second = said[said.index("Forhåndsvisning: restanser-gammel.csv") :]
    assert "men det finnes allerede en nyere liste per 16.12.2019" in second
    assert "De sendes" not in second  # the newest list decides the month's reminders
    assert "Skriv «lagre likevel» · «avbryt»" in second and "Lagret: restanselista per 02.12.2019" in second
    assert [day for day, _, _ in lists_stored(sqlite_url)] == ["2019-11-13", "2019-12-02", "2019-12-16"]
