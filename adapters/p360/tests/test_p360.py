"""The 360 adapter's own choices: the key in the query instead of headers, writing off as the service account,
how enterprises map to the directory's units, and configuration errors said by key, the key never shown."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.p360 import source as make_source
from adapters.p360.config import P360Settings
from adapters.p360.documents import to_rows
from adapters.p360.tests.conftest import env, p360_settings
from adapters.p360.tests.fakes import NOTE, Fake360, contact, document, enterprise, person
from restanse_core.errors import UserError
from restanse_core.settings import Settings
from restanse_core.sources.port import Outcome, WriteOff
from tests.conftest import write_csv


async def test_the_key_can_go_in_the_query_instead_of_the_headers():
    fake = Fake360(auth="query")
    await fake.start()
    try:
        fake.add(document(1, "2019/1-1", responsible=person("Unni Karlsen", "unni.karlsen@kommune.no", 9)))
        source = make_source(p360_settings(fake, auth="query"), {"RESTANSEBOT_P360_AUTHKEY": fake.key})
        frames = [f async for f in source.read(date(2019, 12, 16))]
        await source.close()
    finally:
        await fake.stop()
    assert [row for f in frames for row in f["id"]] == ["2019/1-1"]
    assert fake.calls and all(c.authorised for c in fake.calls)


async def test_as_the_service_account_the_note_says_who_wrote_it_off(fake):
    fake.users.append(
        {"Login": "svc-restansebot", "IsActive": True, "ContactRecno": 1, "IsServiceUser": True}
    )
    fake.add(document(1, "2019/1-1"))
    settings = p360_settings(fake, context_user="service", service_user="svc-restansebot")
    source = make_source(settings, env(fake))
    assert source.needs_login is False
    result = await source.write_off(
        WriteOff("1", "2019/1-1", "UKA", "TE", "Ferdig behandlet", None, "Unni Karlsen")
    )
    await source.close()
    assert result.outcome is Outcome.DONE
    [call] = fake.calls_to("SignOffDocument")
    assert call.parameter == {
        "Document": "2019/1-1",
        "ResponseCode": "TE",
        "ADContextUser": "svc-restansebot",
        "Note": "Avskrevet i Restansebot av Unni Karlsen: Ferdig behandlet",
    }


async def test_with_logins_from_the_teams_upn_360_is_not_asked_for_users(fake):
    fake.users.append({"Login": "ukarlsen", "IsActive": True, "ContactRecno": 7, "IsServiceUser": False})
    fake.contacts.append({"Recno": 7, "Email": "unni.karlsen@kommune.no", "Categories": ["Intern"]})
    by_email = make_source(p360_settings(fake), env(fake))
    by_upn = make_source(p360_settings(fake, login_from="upn"), env(fake))
    try:
        assert await by_email.logins(["unni.karlsen@kommune.no"]) == {"unni.karlsen@kommune.no": "ukarlsen"}
        asked = len(fake.calls)
        assert await by_upn.logins(["unni.karlsen@kommune.no"]) == {}
        assert len(fake.calls) == asked  # no GetUsers: the bot fills the login from the Teams look-up
    finally:
        await by_email.close()
        await by_upn.close()


@pytest.mark.parametrize(
    ("key", "document_unit", "recipient_unit"),
    [("Referencenumber", "LMA", "GDO"), ("ExternalId", "X-LMA", "EXT-GDO"), ("Recno", "200001", "200002"),
     ("Name", "Enhet LMA", "Geodata")],
)  # fmt: skip
def test_enterprises_map_to_units_by_the_configured_key(key, document_unit, recipient_unit):
    settings = P360Settings(base_url="http://360", from_date="2019-01-01", unit_key=key)
    gdo = contact("Mottaker", "Geodata", kind="Virksomhet", recno=200002, reference="GDO")
    gdo["ExternalId"] = "EXT-GDO"
    docs = [
        document(1, "2019/1-1", unit=enterprise("LMA", recno=200001)),
        document(2, "2019/1-2", category=NOTE, unit=enterprise("LMA", recno=200001), contacts=[gdo]),
    ]
    rows = to_rows(docs, settings, set())
    assert list(rows["enhet"]) == [document_unit, recipient_unit]
    assert list(rows["saksbehandler"]) == ["", ""]  # no person: ufordelt in the unit


def test_configuration_errors_name_the_key_and_the_key_stays_out_of_the_file(
    cli, sqlite_url, tmp_path, monkeypatch
):
    conf = tmp_path / "r.toml"
    conf.write_text('source = "p360"\np360_base_url = "ftp://360"\n', encoding="utf-8")
    result = cli("--db", sqlite_url, "--config", conf, "sync")
    assert result.code == 2
    assert "p360_base_url (RESTANSEBOT_P360_BASE_URL): «ftp://360» er ikke en adresse" in result.err
    assert "p360_from_date (RESTANSEBOT_P360_FROM_DATE): må settes" in result.err

    conf.write_text('source = "p360"\np360_authkey = "hemmelig-123"\n', encoding="utf-8")
    result = cli("--db", sqlite_url, "--config", conf, "sync")
    assert result.code == 2 and "leses bare fra miljøet (RESTANSEBOT_P360_AUTHKEY" in result.err
    assert "hemmelig-123" not in result.err + result.out

    conf.write_text(
        'source = "p360"\np360_base_url = "https://360"\np360_from_date = "2019-01-01"\n', encoding="utf-8"
    )
    result = cli("--db", sqlite_url, "--config", conf, "sync")
    assert result.code == 2 and "RESTANSEBOT_P360_AUTHKEY mangler" in result.err

    conf.write_text('source = "ephorte"\n', encoding="utf-8")
    result = cli("--db", sqlite_url, "--config", conf, "sync")
    assert result.code == 2 and "ukjent kilde «ephorte»; kjente kilder: p360" in result.err


def test_without_a_source_sync_and_avskriv_say_how_to_set_one_up(cli, sqlite_url, tmp_path):
    people = write_csv(tmp_path / "p.csv", ["initialer;navn;epost;enhet", "UKA;Unni Karlsen;u@k.no;LMA"])
    assert cli("--db", sqlite_url, "directory", "import", people).code == 0
    for args in (("sync",), ("avskriv", "2019/1-1", "--som", "UKA", "--kode", "TE")):
        result = cli("--db", sqlite_url, *args)
        assert result.code == 2 and 'Ingen kilde er satt opp. Sett source = "p360"' in result.err


def test_p360_settings_refuse_an_unknown_key():
    with pytest.raises(UserError) as raised:
        make_source(Settings(source="p360", p360_windows=3), {})
    assert "p360_windows" in raised.value.message
