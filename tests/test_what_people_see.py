"""Every word and picture a person sees: right, complete, in their language (issue 15).

Asked through `restansebot ask` and `restansebot shell` as processes, the way a person (or an archivist trying the
bot) meets it."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bot.chart import bars, draw, marked
from bot.commands import build_registry
from bot.store import migrate_schema
from bot.texts import LANGUAGES, Texts, _phrases
from restanse_core.demo import create_demo_database
from restanse_core.reports import choose_period, unit_table
from restanse_core.settings import Settings
from restanse_core.store import make_engine, repository
from tests.conftest import HEADER, _row, run_restansebot, write_csv


def ask(scenario_db: str, who: str, text: str, tmp_path: Path, **env: str) -> str:
    result = run_restansebot("--db", scenario_db, "ask", "--as", who, text, tmp_path=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def shell(scenario_db: str, who: str, lines: list[str], tmp_path: Path, **env: str) -> str:
    result = run_restansebot(
        "--db", scenario_db, "shell", "--as", who, stdin="\n".join(lines) + "\n", tmp_path=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---- paging words ------------------------------------------------------------------------------------


def test_vis_flere_and_neste_page_through_the_list_between_asks(scenario_db, tmp_path):
    first = ask(scenario_db, "UKA", "mine restanser", tmp_path)
    assert "… og 20 til." in first and "Skriv «vis flere»" in first
    assert "2019/100-14" not in first  # the 11th oldest is on the next page
    second = ask(scenario_db, "UKA", "vis flere", tmp_path)
    assert "2019/100-14" in second and "2019/700-1" not in second and "… og 10 til." in second
    third = ask(scenario_db, "UKA", "neste", tmp_path)
    assert "2019/700-5" in third and "Skriv «vis flere»" not in third
    after = ask(scenario_db, "UKA", "flere", tmp_path)
    assert "ingen lengre liste å bla videre i" in after and "«mine restanser»" in after


def test_the_shell_pages_with_the_words_for_the_button_and_presses_the_guide_button(scenario_db, tmp_path):
    out = shell(scenario_db, "UKA", ["mine restanser", "flere", "vis veiledningen"], tmp_path)
    assert "2019/100-14" in out  # the second page
    assert "1. Klikk i venstremenyen på «Egne restanser»." in out


def test_every_languages_paging_words_work_in_english(scenario_db, tmp_path):
    out = shell(
        scenario_db,
        "UKA",
        ["my restanser", "vis flere", "my restanser", "show more"],
        tmp_path,
        RESTANSEBOT_LANGUAGE="en",
    )
    assert "Type «show more»" in out
    assert out.count("2019/100-14") == 2


# ---- greetings, thanks, «hvem har flest» -------------------------------------------------------------


def test_hello_and_thanks_are_answered_as_a_colleague_with_what_to_ask(scenario_db, tmp_path):
    out = shell(scenario_db, "UKA", ["hei", "takk!", "Hei! Kan du vise mine restanser?"], tmp_path)
    assert "Hei, Unni! Spør meg gjerne om «mine restanser» og «enhet LMA»" in out
    assert "Bare hyggelig!" in out
    assert "Du har 30 restanser per 16.12.2019." in out  # a greeting before a question is the question
    assert "forsto ikke" not in out
    leader = ask(scenario_db, "LED", "god morgen", tmp_path)
    assert "«hvem har flest»" in leader


def test_who_has_the_most_shows_leaders_their_units_and_the_archive_everyone(scenario_db, tmp_path):
    leader = ask(scenario_db, "LED", "hvem har flest restanser?", tmp_path)
    assert "Saksbehandlere med flest i LMA" in leader
    assert leader.index("UKA") < leader.index("ABC")  # 30 before 29
    assert "XYZ" not in leader  # in TDR, not the leader's
    archive = ask(scenario_db, "ARK", "hvem har flest restanser?", tmp_path)
    assert "Saksbehandlere med flest" in archive and archive.index("XYZ") < archive.index("UKA")


def test_who_has_the_most_tells_a_saksbehandler_what_they_can_ask(scenario_db, tmp_path):
    out = ask(scenario_db, "UKA", "hvem har flest restanser?", tmp_path)
    assert "ABC" not in out and "Du har 30" not in out  # neither others' counts nor the asker's own list
    assert "ser bare ledere (for sine enheter) og arkivet" in out
    assert "«mine restanser»" in out and "«enhet LMA»" in out and "«oversikt»" in out
    assert "Enheter med flest" in out and "LMA" in out  # unit totals are for everyone


# ---- echoes, help ------------------------------------------------------------------------------------


def test_a_long_text_is_never_echoed_back_whole(scenario_db, tmp_path):
    out = ask(scenario_db, "UKA", "enhet " + "x" * 20_000, tmp_path)
    assert len(out) < 200 and "x" * 79 + "…»" in out
    out = ask(scenario_db, "UKA", "y" * 5_000, tmp_path)
    assert len(out) < 200 and "Jeg forsto ikke helt" in out


def test_help_says_a_restriction_once(scenario_db, tmp_path):
    out = ask(scenario_db, "ARK", "hjelp", tmp_path)
    line = next(line for line in out.splitlines() if line.startswith("send påminnelser"))
    assert line == "send påminnelser: Forhåndsvis og send månedens påminnelser (bare for arkivet)."


def test_english_commands_and_help_speak_english(scenario_db, tmp_path):
    out = shell(scenario_db, "UKA", ["what's the weather like?", "help"], tmp_path, RESTANSEBOT_LANGUAGE="en")
    assert "Type «help» to see what I can answer." in out
    assert "help: This overview." in out and "my restanser: Your restanser" in out
    assert "unit <unit code or name>" in out and "«unit LMA»" in out
    assert "hjelp" not in out and "mine restanser" not in out


@pytest.mark.parametrize("shown_in", LANGUAGES)
def test_every_languages_command_words_work_in_every_language(shown_in):
    """The names and examples each language shows parse to their command whatever the configured language."""
    registry = build_registry()
    texts = Texts(shown_in)
    for command in (c for c in registry.commands if c.aliases):  # some commands only buttons reach
        for words in (command.name(texts), *command.examples(texts)):
            parsed = registry.parse(words)
            assert parsed is not None and parsed.command.id == command.id, (shown_in, words)


# ---- what left the list, ages, oversikt ------------------------------------------------------------------


def test_what_left_the_list_is_said_in_full(cli, sqlite_url, directory_files, tmp_path):
    """Five of UKA's entries left: two written off, one moved to ABC, two gone from the list."""
    nov = [HEADER] + [_row(f"2019/1-{i}", "UKA", "LMA") for i in range(1, 7)]
    dec = [HEADER, _row("2019/1-6", "UKA", "LMA"), _row("2019/1-3", "ABC", "LMA")]
    dec += [_row(f"2019/1-{i}", "UKA", "LMA", written="01.12.2019", method="TE") for i in (1, 2)]
    for args in (
        ("directory", "import", *directory_files),
        ("import", write_csv(tmp_path / "nov.csv", nov), "--as-of", "13.11.2019"),
        ("import", write_csv(tmp_path / "des.csv", dec), "--as-of", "16.12.2019", "--confirm"),
    ):
        assert cli("--db", sqlite_url, *args).code == 0
    out = shell(sqlite_url, "UKA", ["mine restanser"], tmp_path)
    assert (
        "Siden 13.11.2019 er 5 journalposter ikke lenger restanse hos deg: 2 er avskrevet, "
        "1 er flyttet til en annen saksbehandler og 2 er ikke lenger med i lista." in out
    )
    nynorsk = shell(sqlite_url, "UKA", ["restansane mine"], tmp_path, RESTANSEBOT_LANGUAGE="nn")
    assert (
        "2 er avskrivne, 1 er flytt til ein annan sakshandsamar og 2 er ikkje lenger med i lista." in nynorsk
    )


def test_without_write_off_dates_the_bot_does_not_guess_what_was_written_off(
    cli, sqlite_url, directory_files, tmp_path
):
    header = "Journalpostnr;Type;Jour.dato;Tittel;Saksbehandler;Adm.enhet"
    nov = [header] + [f"2019/1-{i};I;01.10.2019;Sak;UKA;LMA" for i in range(1, 4)]
    dec = [header, "2019/1-1;I;01.10.2019;Sak;UKA;LMA"]
    for args in (
        ("directory", "import", *directory_files),
        ("import", write_csv(tmp_path / "nov.csv", nov), "--as-of", "13.11.2019"),
        ("import", write_csv(tmp_path / "des.csv", dec), "--as-of", "16.12.2019", "--confirm"),
    ):
        assert cli("--db", sqlite_url, *args).code == 0
    out = ask(sqlite_url, "UKA", "mine restanser", tmp_path)
    assert (
        "er 2 journalposter ikke lenger restanse hos deg: 2 er ikke lenger med i lista "
        "(avskrevet eller slettet; lista sier ikke hvilket)." in out
    )
    assert "(76 dager)" in out  # 01.10 → 16.12.2019


def test_ages_are_in_words_the_same_way_in_chat_and_in_the_reminders(scenario_db, tmp_path):
    chat = ask(scenario_db, "UKA", "mine restanser", tmp_path)
    assert "2019/700-1  01.01.2018  (714 dager)" in chat and " d)" not in chat
    plan = run_restansebot(
        "--db", scenario_db, "nudges", "plan", "--date", "2019-12-17", tmp_path=tmp_path
    ).stdout
    assert "2019/700-1 (01.01.2018, 714 dager)" in plan
    english = ask(scenario_db, "UKA", "my restanser", tmp_path, RESTANSEBOT_LANGUAGE="en")
    assert "(714 days)" in english


def test_one_day_and_one_restanse_are_singular_in_every_language():
    assert [Texts(lang).age(1) for lang in LANGUAGES] == ["1 dag", "1 dag", "1 day"]
    assert [Texts(lang).amount(1, "restanse") for lang in LANGUAGES] == ["1 restanse"] * 3
    assert [Texts(lang).amount(2, "restanse") for lang in LANGUAGES] == [
        "2 restanser",
        "2 restansar",
        "2 restanser",
    ]
    assert Texts("nb").plural("send.confirm", 1) == "Send 1 melding nå"
    assert Texts("en").amount(0, "saksbehandler") == "0 case officers"


def test_oversikt_has_its_title_once(scenario_db, tmp_path):
    out = ask(scenario_db, "ARK", "oversikt", tmp_path)
    assert out.count("Restanser per enhet") == 1


# ---- the reminders -----------------------------------------------------------------------------------


def test_reminders_are_signed_with_the_archives_name(scenario_db, tmp_path):
    plan = run_restansebot(
        "--db", scenario_db, "nudges", "plan", "--date", "2019-12-17", tmp_path=tmp_path
    ).stdout
    assert plan.count("Vennlig hilsen\nArkivet i kommunen\n") == 4  # UKA and the three leaders
    named = run_restansebot(
        "--db", scenario_db, "nudges", "plan", "--date", "2019-12-17",
        tmp_path=tmp_path, env={"RESTANSEBOT_ARCHIVE_NAME": "Arkivet i Testkommune", "RESTANSEBOT_LANGUAGE": "nn"},
    ).stdout  # fmt: skip
    assert "Venleg helsing\nArkivet i Testkommune\n" in named


def test_a_leader_whose_units_have_none_is_not_asked_to_write_off(scenario_db, tmp_path):
    plan = run_restansebot(
        "--db", scenario_db, "nudges", "plan", "--date", "2019-12-17", tmp_path=tmp_path
    ).stdout
    skl = plan[plan.index("leder → SKL") : plan.index("leder → TDL")]
    assert "avskrives snarest" not in skl and "Enheten din har ingen restanser i lista per 16.12.2019." in skl
    led = plan[plan.index("leder → LED") : plan.index("leder → SKL")]
    assert "avskrives snarest" in led
    arkiv = plan[plan.index("arkiv → ARK") :]
    assert "3 ledere får oversikten" in arkiv and "• XYZ: 31 restanser – ikke i katalogen" in arkiv


# ---- the chart and the guide ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_table(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = make_engine(url)
    migrate_schema(engine)
    create_demo_database(engine, Settings(database_url=url))
    with engine.connect() as conn:
        period = choose_period(conn)
        assert period is not None
        table = unit_table(conn, repository.load_organisation(conn), period)
    engine.dispose()
    return table


def test_the_chart_shows_every_unit_by_name_or_says_how_many_more_with_their_sum(demo_table):
    shown = bars(demo_table, Texts("nb"))
    assert len(shown) == 20 and shown[-1].label == "og 18 andre enheter"
    assert sum(b.count for b in shown) == 1232 and sum(b.previous or 0 for b in shown) == 1200
    assert shown[0].label == "LMA – Landbruk, miljø og arealforvalt…"  # shortened where it does not fit
    assert "TDR – Teknisk drift" in [b.label for b in shown]
    assert Texts("en").plural("chart.others", 18) == "and 18 other units"


def test_the_chart_marks_the_largest_changes_in_numbers_and_in_per_cent(demo_table):
    shown = bars(demo_table, Texts("nb"))
    marks = {label.split(" – ")[0] for label in marked(shown)}
    assert {"LMA", "SUV", "TDR"} <= marks  # +132, −53, −44
    assert "INST VK" in marks  # 13 → 38, nearly tripled
    assert "STIKLESTAD" not in marks  # 2 → 5 is not news


def test_the_chart_title_has_both_dates_and_the_totals(demo_table):
    figure = draw(demo_table, Texts("nb"))
    texts = [t.get_text() for t in figure.texts]
    assert "Restanser per enhet" in texts
    assert "1200 per 13.11.2019 → 1232 per 16.12.2019 (+32)" in texts
    annotations = [t.get_text() for t in figure.axes[0].texts]
    assert "13 → 38   ▲ +25 (+192 %)" in annotations and "451 → 583   ▲ +132 (+29 %)" in annotations


def test_report_draws_the_chart_in_the_configured_language(scenario_db, tmp_path):
    png = tmp_path / "diagram.png"
    result = run_restansebot(
        "--db",
        scenario_db,
        "report",
        "--chart",
        str(png),
        tmp_path=tmp_path,
        env={"RESTANSEBOT_LANGUAGE": "en"},
    )
    assert result.returncode == 0 and png.read_bytes().startswith(b"\x89PNG")


def test_the_guide_comes_in_nynorsk_and_english(scenario_db, tmp_path):
    nynorsk = ask(scenario_db, "UKA", "rettleiing", tmp_path, RESTANSEBOT_LANGUAGE="nn")
    assert "Avskriving av restansar som ikkje skal svarast med utgåande brev" in nynorsk
    assert "Vel «Besvar/Avskriv»" in nynorsk
    english = ask(scenario_db, "UKA", "guide", tmp_path, RESTANSEBOT_LANGUAGE="en")
    assert "Writing off restanser that will not be answered by an outgoing letter" in english
    assert "1. In the left-hand menu, click «Egne restanser» (your own restanser)." in english


def test_the_archives_own_guide_wins_over_every_language(scenario_db, tmp_path):
    own = tmp_path / "guide.md"
    own.write_text("# Avskriving i Public 360\n\n1. Åpne «Mine oppgaver».\n", encoding="utf-8")
    out = ask(
        scenario_db, "UKA", "guide", tmp_path, RESTANSEBOT_LANGUAGE="en", RESTANSEBOT_GUIDE_FILE=str(own)
    )
    assert "Avskriving i Public 360" in out and "ePhorte" not in out


@pytest.mark.parametrize("language", ["nn", "en"])
def test_every_phrase_is_translated_with_the_same_blanks(language):
    """Nothing falls back to Bokmål unseen, and every {blank} a phrase fills in exists in each language."""

    def blanks(phrase: str | tuple[str, ...]) -> set[str]:
        texts = phrase if isinstance(phrase, tuple) else (phrase,)
        return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}

    nb, other = _phrases("nb"), _phrases(language)
    assert set(other) == set(nb)
    assert {k: blanks(v) for k, v in other.items()} == {k: blanks(v) for k, v in nb.items()}
