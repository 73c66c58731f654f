"""`restansebot nudges plan`: who gets which message this month, as the procedure does it — nothing is sent."""

from __future__ import annotations

import json

import pytest


def plan(cli, db_url, *args, env=None):
    result = cli("--db", db_url, "nudges", "plan", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def messages(data, kind):
    return {m["recipient"]: m for m in data["messages"] if m["kind"] == kind}


def test_saksbehandler_with_exactly_30_gets_a_nudge_and_29_does_not(cli, loaded):
    data = plan(cli, loaded, "--date", "2019-12-17")
    officers = messages(data, "saksbehandler")
    assert set(officers) == {"UKA"}
    assert officers["UKA"]["count"] == 30 and officers["UKA"]["unit"] == "LMA"
    assert data["threshold"] == 30 and data["as_of"] == "2019-12-16"


def test_threshold_is_configurable(cli, loaded, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_THRESHOLD", "29")
    officers = messages(plan(cli, loaded, "--date", "2019-12-17"), "saksbehandler")
    assert set(officers) == {"UKA", "ABC"}


def test_deadline_skips_closed_days_and_holidays(cli, loaded):
    data = plan(cli, loaded, "--date", "2019-12-17")  # +14 = 31.12 (closed), 1.1 (holiday)
    assert data["deadline"] == "2020-01-02"
    assert "innen 02.01.20" in messages(data, "saksbehandler")["UKA"]["text"]


def test_wording_agrees_with_the_rule_never_over_30(cli, loaded):
    data = plan(cli, loaded, "--date", "2019-12-17")
    for message in data["messages"]:
        assert "over 30" not in message["text"]
    assert "30 eller flere" in messages(data, "saksbehandler")["UKA"]["text"]
    assert (
        "Alle saksbehandlere som har 30 eller flere restanser, får egen melding"
        in messages(data, "leder")["LED"]["text"]
    )


def test_saksbehandler_message_shows_oldest_items_without_confidential_titles(cli, loaded):
    text = messages(plan(cli, loaded, "--date", "2019-12-17"), "saksbehandler")["UKA"]["text"]
    assert "Du har nå 30 restanser" in text
    assert "2019/700-1" in text and "Henvendelse fra privatperson" in text
    assert "2019/700-2 (02.01.2018" in text and "(skjermet)" in text
    assert "Ola Nordmann" not in text and "Kari Hansen" not in text
    assert "skriv «guide» til meg" in text  # no guide URL configured


def test_leaders_get_the_whole_table_with_their_units_marked_and_their_distribution(cli, loaded):
    leaders = messages(plan(cli, loaded, "--date", "2019-12-17"), "leder")
    assert set(leaders) == {"LED", "TDL", "SKL"}
    lma = leaders["LED"]["text"]
    assert "▸ LMA" in lma and "▸ TDR" not in lma
    assert "UKA (Unni Karlsen): 30" in lma and "ABC (Anne Berit Cappelen): 29" in lma and "ufordelt: 1" in lma
    tdr = leaders["TDL"]
    assert (
        tdr["count"] == 33 and "▸ GDO" in tdr["text"] and "▸ TDR" in tdr["text"]
    )  # sub-units are theirs too
    assert "TOR (Tor Olsen): 2" in tdr["text"] and "XYZ: 31" in tdr["text"]


def test_leaders_without_restanser_can_be_skipped(cli, loaded, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_SKIP_LEADERS_WITHOUT_RESTANSER", "true")
    assert set(messages(plan(cli, loaded, "--date", "2019-12-17"), "leder")) == {"LED", "TDL"}


def test_arkiv_is_told_who_gets_messages_and_who_cannot_be_reached(cli, loaded):
    data = plan(cli, loaded, "--date", "2019-12-17")
    arkiv = messages(data, "arkiv")["ARK"]
    assert arkiv["unit"] is None and arkiv["count"] == 93
    assert "UKA (Unni Karlsen): 30" in arkiv["text"]
    assert "XYZ: 31 restanser – ikke i katalogen" in arkiv["text"]
    assert [u["recipient"] for u in data["unreachable"]] == ["XYZ"]


def test_contacts_come_from_configuration(cli, loaded, tmp_path):
    config = tmp_path / "restansebot.toml"
    config.write_text(
        'contacts = [{name = "Unni Karlgård"}, {name = "Liv Elsa Leirvik Indahl"}]\nguide_url = "https://intranett/avskriving"\n',
        encoding="utf-8",
    )
    result = cli(
        "--db", loaded, "--config", config, "nudges", "plan", "--format", "json", "--date", "2019-12-17"
    )
    text = messages(json.loads(result.out), "saksbehandler")["UKA"]["text"]
    assert "Ta kontakt med Unni Karlgård eller Liv Elsa Leirvik Indahl på arkivet" in text
    assert "https://intranett/avskriving" in text


@pytest.mark.parametrize(("language", "phrase"), [("nn", "30 eller fleire"), ("en", "30 or more")])
def test_messages_in_nynorsk_and_english(cli, loaded, monkeypatch, language, phrase):
    monkeypatch.setenv("RESTANSEBOT_LANGUAGE", language)
    text = messages(plan(cli, loaded, "--date", "2019-12-17"), "saksbehandler")["UKA"]["text"]
    assert phrase in text


def test_text_plan_previews_every_message(cli, loaded):
    result = cli("--db", loaded, "nudges", "plan", "--date", "2019-12-17")
    assert result.code == 0
    assert "1 saksbehandler, 3 ledere, 1 i arkivet" in result.out
    assert "Kan ikke nås: XYZ (31)" in result.out
