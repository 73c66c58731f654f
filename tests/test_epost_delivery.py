"""The month's messages by e-mail, through the outbox to a real SMTP server on 127.0.0.1: what each person
finds in their inbox, and who was reached how when chat comes first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from adapters.epost.tests.fakes import Authority, FakeSmtp, mail_parts
from adapters.epost.tests.helpers import make_sender
from bot.bootstrap import bootstrap
from bot.delivery.deliver import Delivery, deliver_period
from bot.delivery.outbox import Outbox
from bot.delivery.period import plan_into_outbox
from bot.delivery.routing import check_channel_settings
from bot.plaintext import render_plain
from bot.platform import adapters as installed_adapters
from bot.service import Restansebot
from restanse_core.clock import FixedClock
from restanse_core.errors import UserError
from restanse_core.settings import Settings
from tests.conftest import PEOPLE, write_csv
from tests.fakes import FakeSender

SEND_DAY = datetime(2019, 12, 17, 9, 0)
CHART_URL = "http://127.0.0.1:3978/charts/2019-12.png"
UNNI = "unni.karlsen@kommune.no"
RESTRICTED = ("Barnevern for Ola Nordmann", "Klage fra Kari Hansen")


@pytest.fixture
def smtp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSmtp]:
    authority = Authority(tmp_path_factory.mktemp("ca"))
    for key, value in authority.env.items():
        monkeypatch.setenv(key, value)
    with FakeSmtp(authority) as server:
        yield server


def bot_for(db_url: str) -> Restansebot:
    return bootstrap(Settings(database_url=db_url), clock=FixedClock(SEND_DAY)).bot


def run(bot: Restansebot, senders: dict, retry_base: float = 0.01) -> Outbox:
    outbox = Outbox(bot.engine)
    planned = plan_into_outbox(bot, outbox, None, SEND_DAY.date(), "test", lambda period: CHART_URL)
    assert planned == ("2019-12", True)
    asyncio.run(deliver_period(Delivery(bot, outbox, senders, retry_base=retry_base), "2019-12"))
    return outbox


def everything(smtp: FakeSmtp) -> list[dict]:
    return [mail_parts(r.message) for r in smtp.received]


def with_kanal(cli, db_url: str, folder: Path, kanal: dict[str, str]) -> None:
    lines = [PEOPLE[0] + ";kanal"] + [f"{line};{kanal.get(line.split(';')[0], '')}" for line in PEOPLE[1:]]
    assert cli("--db", db_url, "directory", "import", write_csv(folder / "kanal.csv", lines)).code == 0


def test_with_only_e_mail_everyone_gets_one_message_with_their_count_and_deadline(loaded, smtp):
    bot = bot_for(loaded)
    outbox = run(bot, {"epost": make_sender(smtp.env())})
    people = ["unni.karlsen", "lise.eide", "trond.dahl", "siri.kvam"]
    for who in people:
        assert len(smtp.to(f"{who}@kommune.no")) == 1, who
    assert len(smtp.to("arne.arkiv@kommune.no")) == 2  # the month's summary, then the delivery report
    assert len(smtp.received) == 6 and {i.status for i in outbox.items("2019-12")} == {"sent"}
    unni = mail_parts(smtp.to(UNNI)[0])
    assert unni["subject"] == "Du har 30 restanser – avskriv innen 02.01.20"
    assert "Vennlig hilsen\nArkivet" in unni["text"] and "Vennlig hilsen<br>Arkivet" in unni["html"]
    for part in (unni["text"], unni["html"]):
        assert "30 restanser" in part and "02.01.20" in part
        assert "Henvendelse fra privatperson" in part and "(skjermet)" in part  # restricted: offentlig tittel
    for seen in everything(smtp):
        for title in RESTRICTED:
            assert title not in seen["subject"] + seen["text"] + seen["html"]


def test_the_leaders_mail_has_the_table_the_chart_inline_and_who_gets_no_reminder(loaded, smtp):
    bot = bot_for(loaded)
    run(bot, {"epost": make_sender(smtp.env())})
    lise = mail_parts(smtp.to("lise.eide@kommune.no")[0])
    [(cid, png)] = lise["pictures"].items()
    assert png.startswith(b"\x89PNG") and f'src="cid:{cid}"' in lise["html"]
    assert "<table" in lise["html"] and "▸ LMA" in lise["html"]
    assert "▸ LMA" in lise["text"]  # the plain-text part has the table as text
    trond = mail_parts(smtp.to("trond.dahl@kommune.no")[0])
    for part in (trond["text"], trond["html"]):  # XYZ has 31 in TDR and is not in the directory
        assert "XYZ: 31 restanser – ikke i katalogen" in part
    arkiv = [mail_parts(m) for m in smtp.to("arne.arkiv@kommune.no")]
    assert arkiv[0]["pictures"] and "XYZ: 31 restanser" in arkiv[0]["text"]
    report = arkiv[1]
    assert report["subject"].startswith("Leveringsrapport 2019-12: 5 sendt, 0 feilet")
    assert "5 på e-post (levert til e-posttjenesten)" in report["text"]
    assert "levert til e-posttjenesten" in report["html"]


def test_teams_first_and_e_mail_for_the_one_teams_cannot_find(loaded, smtp):
    bot = bot_for(loaded)
    teams = FakeSender(platform="teams", unreachable={"UKA"})
    outbox = run(bot, {"teams": teams, "epost": make_sender(smtp.env())})
    assert [r.rcpt_tos for r in smtp.received] == [[UNNI]]
    assert sorted(d.to for d in teams.delivered) == ["ARK", "ARK", "LED", "SKL", "TDL"]
    unni = next(i for i in outbox.items("2019-12") if i.recipient == "UKA")
    assert unni.status == "sent" and unni.platform == "epost"
    report = render_plain(teams.to("ARK")[-1].reply)
    assert f"UKA (saksbehandler): ikke funnet i Teams ({UNNI}) → e-post" in report
    assert "4 i Teams, 1 på e-post (levert til e-posttjenesten)" in report


def test_kanal_in_the_people_file_puts_e_mail_first_for_that_person(loaded, smtp, cli, tmp_path):
    with_kanal(cli, loaded, tmp_path, {"LED": "e-post"})
    bot = bot_for(loaded)
    teams = FakeSender(platform="teams")
    run(bot, {"teams": teams, "epost": make_sender(smtp.env())})
    assert [r.rcpt_tos for r in smtp.received] == [["lise.eide@kommune.no"]]
    assert "LED" not in [d.to for d in teams.delivered] and "UKA" in [d.to for d in teams.delivered]


def test_a_permanent_e_mail_refusal_moves_the_message_on_and_says_why(loaded, smtp, cli, tmp_path):
    with_kanal(cli, loaded, tmp_path, {"UKA": "epost"})
    smtp.refusals[UNNI] = "550 5.1.1 Postkassen finnes ikke"
    bot = bot_for(loaded)
    teams = FakeSender(platform="teams")
    outbox = run(bot, {"teams": teams, "epost": make_sender(smtp.env())})
    assert len(teams.to("UKA")) == 1 and smtp.to(UNNI) == []
    unni = next(i for i in outbox.items("2019-12") if i.recipient == "UKA")
    assert unni.platform == "teams" and "550 5.1.1 Postkassen finnes ikke" in (unni.route or "")


def test_an_e_mail_that_may_have_landed_is_uncertain_and_never_moves_on(loaded, smtp, cli, tmp_path):
    with_kanal(cli, loaded, tmp_path, {"UKA": "epost"})
    smtp.drops[UNNI] = 1
    bot = bot_for(loaded)
    teams = FakeSender(platform="teams")
    outbox = run(bot, {"teams": teams, "epost": make_sender(smtp.env())})
    assert len(smtp.to(UNNI)) == 1 and teams.to("UKA") == []
    unni = next(i for i in outbox.items("2019-12") if i.recipient == "UKA")
    assert unni.status == "uncertain" and unni.platform == "epost"
    assert "UKA (saksbehandler, epost)" in render_plain(teams.to("ARK")[-1].reply)


def test_a_retried_e_mail_keeps_the_message_id_and_date_of_its_first_try(loaded, smtp):
    smtp.deferrals[UNNI] = 2
    bot = bot_for(loaded)
    outbox = run(bot, {"epost": make_sender(smtp.env())})
    tries = [r.message for r in smtp.deferred] + smtp.to(UNNI)
    assert len(tries) == 3 and len(smtp.to(UNNI)) == 1
    assert len({(m["Message-ID"], m["Date"]) for m in tries}) == 1
    unni = next(i for i in outbox.items("2019-12") if i.recipient == "UKA")
    assert unni.attempts == 3 and unni.mail_message_id == tries[0]["Message-ID"].strip()


def test_channel_settings_name_known_channels_and_e_mail_has_no_unit_channels():
    adapters = installed_adapters()
    check_channel_settings(Settings(platforms=["epost", "teams"], channels={"LMA": "slack:C1"}), adapters)
    with pytest.raises(UserError) as unknown:
        check_channel_settings(Settings(platforms=["teams", "hipchat"]), adapters)
    assert "platforms (RESTANSEBOT_PLATFORMS): ukjent kanal «hipchat»" in unknown.value.message
    with pytest.raises(UserError) as no_channels:
        check_channel_settings(Settings(channels={"LMA": "epost:lma@k.no"}), adapters)
    assert "channels.LMA (RESTANSEBOT_CHANNELS)" in no_channels.value.message
    assert "epost har ingen kanaler" in no_channels.value.message


@pytest.mark.parametrize(
    ("language", "saksbehandler", "report", "missing"),
    [
        (
            "nn",
            "Du har 30 restansar – avskriv innan 02.01.20",
            "Leveringsrapport 2019-12",
            "er ikkje lesen inn enno",
        ),
        (
            "en",
            "You have 30 restanser – write off by 02.01.20",
            "Delivery report 2019-12",
            "has not been imported yet",
        ),
    ],
)
def test_every_e_mail_speaks_the_archives_language(loaded, smtp, language, saksbehandler, report, missing):
    from bot.delivery.mail import mail_values, render_mail

    runtime = bootstrap(Settings(database_url=loaded, language=language), clock=FixedClock(SEND_DAY))
    run(runtime.bot, {"epost": make_sender(smtp.env())})
    assert mail_parts(smtp.to(UNNI)[0])["subject"] == saksbehandler
    arkiv = [mail_parts(m) for m in smtp.to("arne.arkiv@kommune.no")]
    assert (
        arkiv[1]["subject"].startswith(report)
        and "<table" in mail_parts(smtp.to("lise.eide@kommune.no")[0])["html"]
    )
    texts = runtime.bot.texts
    values = {**mail_values(runtime.settings, texts), "text": "…", "month": texts.month(SEND_DAY)}
    assert missing in render_mail("mangler", values, texts).subject
    for seen in everything(smtp):
        assert "Hei" not in seen["text"] or language == "nn"  # no Bokmål greeting left in English
        assert "påminnelse" not in seen["text"] + seen["html"]  # nor Bokmål words in Nynorsk or English


def test_e_mails_give_ages_in_words_spare_a_leader_with_none_and_are_signed_by_the_archive(loaded, smtp):
    bot = bot_for(loaded)
    run(bot, {"epost": make_sender(smtp.env())})
    unni = mail_parts(smtp.to(UNNI)[0])
    assert "2019/700-1 (01.01.2018, 714 dager)" in unni["text"] and ">714 dager</td>" in unni["html"]
    assert "Vennlig hilsen\nArkivet i kommunen" in unni["text"].replace("\r\n", "\n")
    assert "Vennlig hilsen<br>Arkivet i kommunen" in unni["html"]
    siri = mail_parts(smtp.to("siri.kvam@kommune.no")[0])  # leads SKOLE, which has none
    for part in (siri["text"], siri["html"]):
        assert "avskrives snarest" not in part
        assert "Enheten din har ingen restanser i lista per 16.12.2019. Takk for innsatsen!" in part
