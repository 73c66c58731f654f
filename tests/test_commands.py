"""The bot's commands, platform-neutral: what a person asks and what they get back."""

from __future__ import annotations

import pytest

from bot.bootstrap import bootstrap
from bot.plaintext import render_plain
from bot.replies import ItemList, Paragraph, Place, Table
from bot.service import Restansebot
from restanse_core.clock import FixedClock
from restanse_core.settings import Settings
from restanse_core.store import make_engine


@pytest.fixture
def bot(loaded):
    settings = Settings(
        database_url=loaded, records_link="https://ephorte.kommune.no/jp?id={id}", list_length=10
    )
    runtime = bootstrap(settings)
    yield runtime.bot
    runtime.engine.dispose()


def ask(bot, text, who="UKA", place=Place.DIRECT):
    return bot.answer(text, bot.person(who) if who else None, place)


def text_of(reply) -> str:
    return render_plain(reply)


@pytest.mark.parametrize(
    "text",
    [
        "mine restanser",
        "Mine restanser",
        "Hei! Kan du vise mine restanser?",
        "MY BACKLOG please",
        "mine restansar",
        "<@U123> mine restanser",
        "restansene mine",
        "restanser",
    ],
)
def test_mine_restanser_is_understood_in_many_phrasings(bot, text):
    assert "Du har 30 restanser per 16.12.2019" in text_of(ask(bot, text).public)


def test_mine_restanser_lists_the_oldest_first_with_link_and_days(bot):
    reply = ask(bot, "mine restanser").public
    items = next(b for b in reply.blocks if isinstance(b, ItemList))
    assert [i.jp_id for i in items.items[:3]] == ["2019/700-1", "2019/700-2", "2019/100-6"]
    first = items.items[0]
    assert first.date == "01.01.2018" and first.days == 714  # days open on the snapshot date, 16.12.2019
    assert first.link == "https://ephorte.kommune.no/jp?id=2019/700-1"
    assert len(items.items) == 10 and items.more == 20
    assert "… og 20 til." in text_of(reply)


def test_title_of_confidential_entry_is_never_shown(bot):
    reply = ask(bot, "mine restanser").public
    items = next(b for b in reply.blocks if isinstance(b, ItemList)).items
    assert items[0].title == "Henvendelse fra privatperson"  # its offentlig tittel
    assert items[1].title == "(skjermet)"
    assert "Ola Nordmann" not in text_of(reply) and "Kari Hansen" not in text_of(reply)


def test_mine_restanser_sums_up_the_ages_of_a_long_list(bot):
    text = text_of(ask(bot, "mine restanser").public)
    assert "Alder: 3 på 0–30 dager, 25 på 31–90 dager, 2 eldre enn 90 dager." in text
    assert "Alder:" not in text_of(bot.act("mine.page", "10", bot.person("UKA"), Place.DIRECT).public)


def test_mine_restanser_says_what_left_the_list_and_what_was_written_off(bot):
    text = text_of(ask(bot, "mine restanser").public)
    assert (
        "Siden 13.11.2019 er 5 journalposter ikke lenger restanse hos deg: "
        "3 er avskrevet og 2 er ikke lenger med i lista." in text
    )


def test_next_page_continues_the_list(bot):
    answer = bot.act("mine.page", "10", bot.person("UKA"), Place.DIRECT)
    items = next(b for b in answer.public.blocks if isinstance(b, ItemList))
    assert items.items[0].jp_id == "2019/100-14" and items.more == 10


def test_under_serve_an_answer_is_given_again_until_new_data_come(bot):
    """With the data kept prepared (as `serve` does), «mine restanser» is worked out once per person and place
    and given again; the next page and other people get their own; new data bring a new answer."""
    assert bot.prepare()
    bot.watched = True
    first = ask(bot, "mine restanser")
    assert ask(bot, "mine restanser") is first
    assert ask(bot, "Kan du vise mine restanser?") is first  # other words, the same question
    assert ask(bot, "mine restanser", place=Place.CHANNEL) is not first
    assert ask(bot, "mine restanser", "LED") is not first
    page = bot.act("mine.page", "10", bot.person("UKA"), Place.DIRECT)
    assert page is not first and bot.act("mine.page", "10", bot.person("UKA"), Place.DIRECT) is not page
    with bot.connect() as conn, conn.begin():
        from restanse_core.store import repository

        repository.bump_list_version(conn, "a write-off")
    assert bot.prepare()
    again = ask(bot, "mine restanser")
    assert again is not first and text_of(again.public) == text_of(first.public)
    bot.watched = False  # the CLI: every answer worked out afresh
    assert ask(bot, "mine restanser") is not ask(bot, "mine restanser")


def test_someone_with_no_restanser_is_told_so(bot):
    assert "Du har ingen restanser" in text_of(ask(bot, "mine restanser", "LED").public)


def test_in_a_channel_titles_and_personal_figures_go_privately(bot):
    answer = ask(bot, "mine restanser", place=Place.CHANNEL)
    public = text_of(answer.public)
    assert "2019/700" not in public and "Henvendelse" not in public and "30" not in public
    assert "sendt deg svaret privat" in public
    assert answer.private is not None and "Henvendelse fra privatperson" in text_of(answer.private)
    assert (
        "30" not in answer.public.summary and "restanser" not in answer.public.summary
    )  # no count in a notification


def test_unit_shows_counts_now_and_before_for_everyone_but_no_distribution(bot):
    reply = ask(bot, "enhet LMA", "ABC").public
    text = text_of(reply)
    assert "LMA – Landbruk, miljø og arealforvaltning" in text
    assert "16.12.2019: 60" in text and "13.11.2019: 60" in text
    assert "UKA" not in text and "Bare enhetens ledere og arkivet ser fordelingen per saksbehandler." in text


@pytest.mark.parametrize("who", ["LED", "ARK"])
def test_unit_leader_and_arkiv_see_the_distribution_per_saksbehandler(bot, who):
    reply = ask(bot, "enhet lma", who).public
    table = next(b for b in reply.blocks if isinstance(b, Table) and b.sensitive)
    assert table.rows[0] == ("UKA", "Unni Karlsen", "30")
    assert ("ufordelt", "", "1") in table.rows


def test_leader_of_a_unit_above_sees_the_distribution_of_a_sub_unit(bot):
    text = text_of(ask(bot, "enhet GDO", "TDL").public)
    assert "TOR" in text and "Tor Olsen" in text
    assert "TOR" not in text_of(ask(bot, "enhet GDO", "LED").public)


def test_unit_with_sub_units_shows_them_and_the_roll_up(bot):
    text = text_of(ask(bot, "enhet Teknisk drift", "TDL").public)
    assert "Med underenheter: 33" in text and "GDO" in text


def test_unit_by_name_and_near_miss_suggestion(bot):
    assert "LMA – Landbruk" in text_of(ask(bot, "enhet landbruk").public)
    assert text_of(ask(bot, "enhet LMAA").public).strip() == "Fant ingen enhet «LMAA». Mente du LMA?"
    assert text_of(ask(bot, "unit lma").public).startswith("LMA – ")
    assert text_of(ask(bot, "eining LMA").public).startswith("LMA – ")


def test_unit_without_argument_means_the_askers_own_unit(bot):
    assert text_of(ask(bot, "enhet", "TOR").public).startswith("GDO – ")


def test_oversikt_has_the_whole_table_with_sum_and_no_names(bot):
    reply = ask(bot, "oversikt", "ABC").public
    table = next(b for b in reply.blocks if isinstance(b, Table))
    assert table.columns[2:] == ("13.11.2019", "16.12.2019")
    assert table.footer == ("Sum", "", "94", "93")
    assert not reply.has_sensitive
    assert ask(bot, "oversikt", place=Place.CHANNEL).private is None


def test_person_not_in_the_directory_gets_a_clear_answer(bot):
    answer = bot.answer("mine restanser", None, Place.DIRECT)
    assert "finner deg ikke i katalogen" in text_of(answer.public)
    assert "Avskriving av restanser" in text_of(bot.answer("guide", None, Place.DIRECT).public)


def test_guide_step_by_step(bot):
    reply = ask(bot, "guide").public
    steps = [b.text for b in reply.blocks if isinstance(b, Paragraph) and b.text[:2] in {"1.", "2.", "3."}]
    assert steps[0] == "1. Klikk i venstremenyen på «Egne restanser»."
    assert "Besvar/Avskriv" in steps[2]


def test_guide_can_be_replaced_by_the_archives_own_markdown(loaded, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Avskriving i Public 360\n\n1. Åpne «Mine oppgaver».\n2. Velg «Avskriv».\n", encoding="utf-8"
    )
    engine = make_engine(loaded)
    bot = Restansebot(engine, Settings(database_url=loaded, guide_file=guide))
    text = text_of(bot.answer("guide", None).public)
    assert "Avskriving i Public 360" in text and "1. Åpne «Mine oppgaver»." in text and "ePhorte" not in text


def test_status_says_which_list_and_how_old(loaded):
    from datetime import datetime

    engine = make_engine(loaded)
    bot = Restansebot(engine, Settings(database_url=loaded), FixedClock(datetime(2019, 12, 20, 12, 0)))
    text = text_of(bot.answer("status", bot.person("UKA")).public)
    assert "restanselista per 16.12.2019 (4 dager gammel)" in text and "restanser-des.csv" in text
    assert "sammenlignes med lista per 13.11.2019" in text


def test_help_is_built_from_the_registry_and_shows_what_the_asker_may_use(bot):
    text = text_of(ask(bot, "hjelp").public)
    for command in bot.registry.commands:
        listed = f"{command.name(bot.texts)}:" in text or f"{command.name(bot.texts)} <" in text
        expected = command.allows(bot.person("UKA").role) and not command.hidden and not command.needs_source
        assert listed == expected, command.id  # (no records system here: «avskriv» is not offered)
    assert "send påminnelser" in text_of(ask(bot, "hjelp", "ARK").public)


def test_unknown_text_gets_a_pointer_to_help(bot):
    assert "Skriv «hjelp»" in text_of(ask(bot, "hva blir været i morgen?").public)


@pytest.mark.parametrize(
    ("language", "expected"), [("nn", "Du har **30** restansar"), ("en", "You have **30** restanser")]
)
def test_replies_in_nynorsk_and_english(loaded, language, expected):
    engine = make_engine(loaded)
    bot = Restansebot(engine, Settings(database_url=loaded, language=language))
    reply = bot.answer("my backlog" if language == "en" else "mine restansar", bot.person("UKA")).public
    assert any(isinstance(b, Paragraph) and b.text.startswith(expected) for b in reply.blocks)
