"""Public 360 end to end: `restansebot sync`, `avskriv`, `sync sjekk` and the nightly sync in `serve`, each as a
process, against the fake 360 over HTTP on 127.0.0.1, with the clock pinned by RESTANSEBOT_NOW."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from adapters.p360.tests.fakes import KEY, Fake360
from adapters.p360.tests.world import UKA_OPEN, config, directory, environment, populate, restansebot, start
from restanse_core.store import make_engine
from tests.processes import Running


@pytest.fixture
def fake() -> Iterator[Fake360]:
    with Running(Fake360(page_size=5)) as fake:
        populate(fake)
        yield fake


def query(db_url: str, sql: str) -> list[tuple]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def open_for(db_url: str, initials: str) -> list[str]:
    return [
        r[0]
        for r in query(
            db_url,
            "SELECT jp_id FROM restanser WHERE saksbehandler = '" + initials + "' AND snapshot_id = "
            "(SELECT id FROM snapshots ORDER BY as_of DESC LIMIT 1) ORDER BY jp_id",
        )
    ]


@pytest.fixture
def archive(cli, sqlite_url, tmp_path, fake):
    """The directory imported and today's list synced from 360; returns (db_url, env). (PostgreSQL: the first
    test here, and the services' own tests.)"""
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    env = environment(tmp_path, fake, config(tmp_path, fake))
    result = restansebot(db_url, env, "sync")
    assert result.returncode == 0, result.stderr
    return db_url, env


# ---- reading ---------------------------------------------------------------------------------------------


def test_sync_stores_todays_list_from_360(cli, db_url, tmp_path, fake):
    directory(cli, db_url, tmp_path)
    env = environment(tmp_path, fake, config(tmp_path, fake))

    result = restansebot(db_url, env, "sync")

    assert result.returncode == 0, result.stderr
    assert "Restanselista per 16.12.2019 er lagret fra 360." in result.stdout
    assert (
        "Restanser lagret:    23" in result.stdout
    )  # UKA 15 (the note too), TOR 1, ABC 4, NYL 1, GDO 1, TDR 1
    assert "Enheter som ikke er i katalogen (1): NYENHET" in result.stdout
    assert "Brukernavn funnet for 1 personer." in result.stdout  # TOR's, through his contact's e-mail
    assert "Månedens liste for 12.2019: ja" in result.stdout
    assert len(open_for(db_url, "UKA")) == UKA_OPEN
    assert "2019/700-2" in open_for(db_url, "UKA")  # answered with ***: still a restanse
    assert "2019/700-3" not in open_for(db_url, "UKA")  # written off with TE
    assert open_for(db_url, "TOR") == ["2019/800-1"]
    assert query(db_url, "SELECT saksbehandler, enhet FROM restanser WHERE jp_id = '2019/800-2'") == [
        ("", "GDO")
    ]
    assert query(db_url, "SELECT count(*) FROM restanser WHERE title LIKE '%Ola Nordmann%'") == [(0,)]
    assert query(db_url, "SELECT public_title FROM restanser WHERE jp_id = '2019/700-1'") == [
        ("Henvendelse fra privatperson",)
    ]
    assert query(db_url, "SELECT brukernavn FROM people WHERE initials = 'TOR'") == [("tolsen",)]
    assert query(db_url, "SELECT source_kind, monthly FROM snapshots") == [("live", True)]

    # What 360 was asked: every call with the key; documents paged per JournalDate window, with contacts,
    # without files, and without the response codes that end a restanse (*** is not one of them).
    assert fake.calls and all(c.authorised for c in fake.calls)
    reads = fake.calls_to("GetDocuments")
    assert len(reads) > 4 and {c.parameter["Page"] for c in reads} >= {0, 1, 2}
    first = reads[0].parameter
    assert first["IncludeDocumentContacts"] is True and first["IncludeFiles"] is False
    excluded = {f["Value"] for f in first["AdditionalFields"] if f["Name"] == "ToResponseCode"}
    assert excluded == {1, 2, 3, 4, 5, 7}  # BU NN TLF TE TO SA; *** (6) keeps the restanse
    assert {"Name": "ToJournalStatus", "Value": 8, "OperatorType": "!="} in first["AdditionalFields"]
    assert first["AdditionalListFields"] == [{"Name": "ToDocumentCategory", "Value": [110, 200001, 113]}]

    asked = cli("--db", db_url, "ask", "--as", "UKA", "mine restanser")
    assert f"Du har {UKA_OPEN} restanser per 16.12.2019" in asked.out
    listed = cli("--db", db_url, "snapshots", "list")
    assert "  360  " in listed.out and "live, månedens" in listed.out


def test_sync_again_replaces_todays_list_but_never_an_imported_file(cli, archive, tmp_path, fake):
    db_url, env = archive
    fake.documents.pop(1001)
    again = restansebot(db_url, env, "sync")
    assert again.returncode == 0 and "er erstattet fra 360" in again.stdout
    assert len(open_for(db_url, "UKA")) == UKA_OPEN - 1

    export = tmp_path / "liste.csv"
    export.write_text("Jpnr;Sbh;Enhet\n2019/1-1;UKA;LMA\n", encoding="utf-8")
    assert cli("--db", db_url, "import", export, "--as-of", "2019-12-16", "--confirm").code == 0
    skipped = restansebot(db_url, env, "sync")
    assert skipped.returncode == 0
    assert "er lest inn fra fila liste.csv, og den går foran" in skipped.stdout
    assert open_for(db_url, "UKA") == ["2019/1-1"]


def test_a_list_far_shorter_than_the_last_is_held_until_the_arkiv_saves_it(cli, archive, tmp_path, fake):
    db_url, _ = archive
    for d in list(fake.documents.values())[3:]:
        d["_response_code"] = 4  # 360 suddenly lists almost nothing
    env = environment(tmp_path, fake, config(tmp_path, fake), now="2019-12-17T06:00:00+01:00")

    held = restansebot(db_url, env, "sync")

    assert held.returncode == 1
    assert "360 ga 3 restanser, mot 23 i den forrige lista" in held.stderr
    assert "restansebot sync lagre" in held.stdout
    assert query(db_url, "SELECT count(*) FROM snapshots") == [(1,)]  # the 16th's list still holds
    status = restansebot(db_url, env, "sync", "status")
    assert "holdt tilbake, 3 restanser" in status.stdout and "er holdt tilbake: lagre den" in status.stdout

    saved = restansebot(db_url, env, "sync", "lagre")
    assert saved.returncode == 0, saved.stderr
    assert "Restanselista per 17.12.2019 er lagret fra 360." in saved.stdout
    assert len(open_for(db_url, "UKA")) == 3


def test_a_failed_sync_keeps_the_last_good_list_and_says_why(archive, fake):
    db_url, env = archive
    fake.status_for["DocumentService/GetDocuments"] = 503
    failed = restansebot(db_url, env, "sync")
    assert failed.returncode == 1
    assert "Kunne ikke lese restansene fra 360: 360 svarte med HTTP 503" in failed.stderr
    assert "Den forrige lista gjelder fortsatt." in failed.stderr
    assert "Traceback" not in failed.stderr
    assert len(open_for(db_url, "UKA")) == UKA_OPEN

    del fake.status_for["DocumentService/GetDocuments"]
    fake.vanish_after_first_page = True
    shifted = restansebot(db_url, env, "sync")
    assert shifted.returncode == 1 and "oppga" in shifted.stderr and "men sendte" in shifted.stderr

    env = {**env, "RESTANSEBOT_P360_AUTHKEY": "wrong-key-9876"}
    refused = restansebot(db_url, env, "sync")
    assert refused.returncode == 1 and "360 avviste nøkkelen (HTTP 401)" in refused.stderr
    assert "wrong-key-9876" not in refused.stderr + refused.stdout and KEY not in refused.stderr


def test_doctor_checks_360_without_showing_the_key(archive, fake):
    db_url, env = archive
    checked = restansebot(db_url, env, "doctor")
    report = checked.stdout
    assert (
        "✓ 360: nøkkelen er satt (RESTANSEBOT_P360_AUTHKEY: satt; RESTANSEBOT_P360_CLIENTID: satt)." in report
    )
    assert "✓ 360 svarer på" in report
    assert "✓ Et lite oppslag som ABC i 360 fant" in report
    assert fake.calls_to("GetDocuments")[-1].parameter["ADContextUser"] == "acappelen"
    assert "! 360 har avskrivningskoder som ikke står i avskrivningskoder: BI, GG." in report
    assert (
        "! 1 saksbehandlere med restanser har ikke brukernavn i 360 og kan ikke avskrive fra boten: NYL."
        in report
    )
    assert KEY not in report + checked.stderr

    missing = restansebot(db_url, {**env, "RESTANSEBOT_P360_AUTHKEY": ""}, "doctor")
    assert missing.returncode == 1
    assert "✗ 360: nøkkelen mangler (RESTANSEBOT_P360_AUTHKEY: mangler" in missing.stdout


# ---- writing off -----------------------------------------------------------------------------------------


def test_saksbehandler_writes_off_an_item_in_360_and_it_leaves_the_list(cli, archive, fake):
    db_url, env = archive
    done = restansebot(
        db_url,
        env,
        "avskriv",
        "2019/100-3",
        "--som",
        "uka",
        "--kode",
        "TE",
        "--merknad",
        "Svar sendt på e-post",
    )

    assert done.returncode == 0, done.stderr
    assert "2019/100-3 er avskrevet i 360 med TE (tatt til etterretning)." in done.stdout
    [call] = fake.calls_to("SignOffDocument")
    assert call.parameter == {"Document": "2019/100-3", "ResponseCode": "TE", "ADContextUser": "ukarlsen",
                              "Note": "Svar sendt på e-post"}  # fmt: skip
    assert "2019/100-3" not in open_for(db_url, "UKA")
    assert (
        f"Du har {UKA_OPEN - 1} restanser" in cli("--db", db_url, "ask", "--as", "UKA", "mine restanser").out
    )
    log = restansebot(db_url, env, "avskrivinger")
    assert "2019/100-3  TE  av UKA  (liste: UKA)  avskrevet" in log.stdout
    assert query(db_url, "SELECT count(*) FROM writeoffs WHERE answer LIKE '%e-post%'") == [
        (0,)
    ]  # note not kept

    again = restansebot(db_url, env, "sync")  # 360 no longer lists it: it stays gone, nothing is reported
    assert "Avskrevet fra boten, men fortsatt åpne" not in again.stdout
    assert len(open_for(db_url, "UKA")) == UKA_OPEN - 1


def test_a_refusal_from_360_is_shown_and_nothing_changes(archive, fake):
    db_url, env = archive
    fake.refuse_signoff["2019/100-4"] = "Dokumentet er låst av en annen bruker"
    refused = restansebot(db_url, env, "avskriv", "2019/100-4", "--som", "UKA", "--kode", "TO")
    assert refused.returncode == 1
    assert "360 avskrev ikke 2019/100-4: Dokumentet er låst av en annen bruker" in refused.stderr
    assert "2019/100-4" in open_for(db_url, "UKA")
    assert (
        "2019/100-4  TO  av UKA  (liste: UKA)  avvist: 360 avskrev ikke"
        in restansebot(db_url, env, "avskrivinger").stdout
    )


def test_a_timeout_is_followed_by_a_look_up_not_a_second_call(archive, fake):
    db_url, env = archive
    fake.signoff_delay = 3.0  # 360 does it, but answers after the adapter has stopped waiting (1 s)
    done = restansebot(db_url, env, "avskriv", "2019/100-5", "--som", "UKA", "--kode", "TE")
    assert done.returncode == 0, done.stderr
    assert (
        "360 svarte ikke i tide, men 2019/100-5 er ikke lenger åpen: 2019/100-5 er avskrevet" in done.stdout
    )
    assert len(fake.calls_to("SignOffDocument")) == 1
    assert [c.parameter["Recno"] for c in fake.calls_to("GetDocuments") if "Recno" in c.parameter] == [1005]
    assert "2019/100-5" not in open_for(db_url, "UKA")


def test_a_double_press_sends_one_call(archive, fake, tmp_path):
    db_url, env = archive
    env = {**env, "RESTANSEBOT_CONFIG": str(config(tmp_path, fake, p360_writeoff_timeout_seconds=30))}
    fake.signoff_delay = 4.0
    presses = [start(db_url, env, "avskriv", "2019/100-6", "--som", "UKA", "--kode", "TE") for _ in range(2)]
    results = [(p.wait(120), *p.communicate()) for p in presses]
    assert sorted(code for code, _, _ in results) == [0, 1]
    assert any("Avskrivingen av 2019/100-6 er alt i gang." in err for _, _, err in results)
    assert len(fake.calls_to("SignOffDocument")) == 1


def test_nobody_writes_off_someone_elses_item_and_a_person_without_login_is_told_why(archive, fake):
    db_url, env = archive
    other = restansebot(db_url, env, "avskriv", "2019/100-7", "--som", "ABC", "--kode", "TE")
    assert other.returncode == 1 and "Bare saksbehandleren kan avskrive 2019/100-7." in other.stderr
    without = restansebot(db_url, env, "avskriv", "2019/300-1", "--som", "NYL", "--kode", "TE")
    assert without.returncode == 1
    assert "Jeg kjenner ikke brukernavnet ditt i 360, så jeg kan ikke avskrive for deg." in without.stderr
    assert fake.calls_to("SignOffDocument") == []


def test_a_note_to_two_people_is_written_off_for_all_only_when_confirmed(archive, fake, tmp_path):
    db_url, env = archive
    refused = restansebot(db_url, env, "avskriv", "2019/800-1", "--som", "UKA", "--kode", "TE")
    assert refused.returncode == 1
    assert "Notatet har flere mottakere og kan bare avskrives for alle – gjør det i 360" in refused.stderr

    env = {**env, "RESTANSEBOT_CONFIG": str(config(tmp_path, fake, p360_multi_recipient_notes="confirm"))}
    asked = restansebot(db_url, env, "avskriv", "2019/800-1", "--som", "UKA", "--kode", "TE")
    assert asked.returncode == 1
    assert "Notatet 2019/800-1 har flere mottakere: Tor Olsen (TOR), Unni Karlsen (UKA)." in asked.stderr
    assert "--alle-mottakere" in asked.stderr and fake.calls_to("SignOffDocument") == []

    done = restansebot(
        db_url, env, "avskriv", "2019/800-1", "--som", "UKA", "--kode", "TE", "--alle-mottakere"
    )
    assert done.returncode == 0, done.stderr
    assert "Den er tatt ut av lista til TOR, UKA." in done.stdout
    assert len(fake.calls_to("SignOffDocument")) == 1
    assert open_for(db_url, "TOR") == [] and "2019/800-1" not in open_for(db_url, "UKA")


# ---- serve -----------------------------------------------------------------------------------------------


def test_serve_syncs_by_itself_at_night(cli, sqlite_url, tmp_path, fake):
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    env = environment(tmp_path, fake, config(tmp_path, fake), now="2019-12-16T05:10:00+01:00")  # after 05:00
    server = start(db_url, env, "serve", "--port", "0")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not query(
            db_url, "SELECT status FROM sync_runs WHERE status = 'stored'"
        ):
            assert server.poll() is None, server.communicate()
            time.sleep(0.5)
        assert query(db_url, "SELECT started_by, status FROM sync_runs") == [("planlegger", "stored")]
        assert len(open_for(db_url, "UKA")) == UKA_OPEN
    finally:
        server.terminate()
        server.communicate(timeout=30)
