"""The chart in the monthly leader and arkiv messages: uploaded with files_upload_v2 into the same DM, right
after the message; never in a saksbehandler's message; never at the cost of the message; never twice.

Through the real outbox delivery, checked at the fake Slack."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from adapters.slack.sending import SlackSender
from adapters.slack.tests.fakes import FakeSlack
from adapters.slack.tests.harness import KARI, LIV, UNNI, Server, all_text
from bot import reply_json
from bot.delivery.deliver import Delivery, deliver_period
from bot.delivery.outbox import Outbox
from bot.delivery.period import plan_into_outbox
from bot.replies import Image, Paragraph, Reply

SEND_DAY = date(2019, 12, 20)
PNG = b"\x89PNG\r\n\x1a\n"


def _plan(server: Server) -> tuple[Outbox, str]:
    bot = server.bot
    outbox = Outbox(bot.engine)
    planned = plan_into_outbox(bot, outbox, None, SEND_DAY, "test", bot.chart_url)
    assert planned is not None
    return outbox, planned[0]


async def _send_month(server: Server, kinds: tuple[str, ...] = ("leder", "saksbehandler", "arkiv")) -> Outbox:
    outbox, period = _plan(server)
    delivery = Delivery(server.bot, outbox, server.runtime.senders, retry_base=0.01)
    await deliver_period(delivery, period, kinds)
    return outbox


def _status(outbox: Outbox, kind: str, recipient: str) -> str:
    (item,) = [i for i in outbox.items("2019-12") if (i.kind, i.recipient) == (kind, recipient)]
    return item.status


def _posted_to(fake: FakeSlack, channel: str) -> list[str]:
    return [c.method for c in fake.calls if c.get("channel", c.get("channel_id")) == channel]


async def test_a_leaders_monthly_message_arrives_with_the_chart_uploaded_to_the_same_dm(
    server: Server, fake_slack: FakeSlack
) -> None:
    outbox = await _send_month(server, ("leder",))
    dm = "D" + LIV[0]
    (message,) = [c for c in fake_slack.calls_to("chat.postMessage") if c["channel"] == dm]
    assert "LMA" in all_text(message["blocks"])
    assert not [b for b in message["blocks"] if b["type"] == "image"]  # the chart comes as a file, not twice
    assert "/charts/2019-12.png" not in message.everything
    (chart,) = fake_slack.files_in(dm)
    assert chart.filename == "restanser-2019-12.png"
    assert chart.data is not None and chart.data.startswith(PNG) and len(chart.data) == chart.length
    alt = server.bot.texts("nudges.chart_alt")
    assert chart.title == chart.alt_txt == chart.initial_comment == alt
    assert _posted_to(fake_slack, dm) == ["chat.postMessage", "files.completeUploadExternal"]  # message first
    assert _status(outbox, "leder", "LMLED") == "sent"


async def test_the_arkiv_summary_carries_the_chart_too(server: Server, fake_slack: FakeSlack) -> None:
    await _send_month(server, ("arkiv",))
    (chart,) = fake_slack.files_in("D" + UNNI[0])
    assert chart.filename == "restanser-2019-12.png"


async def test_a_saksbehandlers_message_has_no_chart(server: Server, fake_slack: FakeSlack) -> None:
    outbox = await _send_month(server, ("saksbehandler", "leder"))
    dm = "D" + KARI[0]
    assert _posted_to(fake_slack, dm) == ["chat.postMessage"]
    assert fake_slack.files_in(dm) == []
    assert _status(outbox, "saksbehandler", "KAB") == "sent"
    assert len(fake_slack.files) == 1  # the leader's, the only leader in Slack


@pytest.mark.parametrize(
    ("step", "error", "extra"),
    [
        # an app installed before files:write was added to the manifest
        ("files.getUploadURLExternal", "missing_scope", {"needed": "files:write"}),
        ("upload", "server_error", {}),  # the file server answers 500
        ("files.completeUploadExternal", "internal_error", {}),
    ],
)
async def test_a_failed_upload_does_not_lose_the_message(
    server: Server,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    step: str,
    error: str,
    extra: dict[str, str],
) -> None:
    fake_slack.fail(step, error, **extra)
    with caplog.at_level(logging.WARNING, logger="restansebot.slack"):
        outbox = await _send_month(server, ("leder",))
    dm = "D" + LIV[0]
    (message,) = [c for c in fake_slack.calls_to("chat.postMessage") if c["channel"] == dm]
    assert "LMA" in all_text(message["blocks"])
    assert fake_slack.files_in(dm) == []
    assert _status(outbox, "leder", "LMLED") == "sent"  # logged, not a delivery failure
    (warning,) = [r for r in caplog.records if "restanser-2019-12.png" in r.getMessage()]
    assert dm in warning.getMessage()
    if step == "files.getUploadURLExternal":
        assert "files:write" in warning.getMessage()  # what to fix
    assert len(fake_slack.calls_to(step)) == 1  # not tried again: the row is sent


async def test_a_message_retried_by_the_outbox_uploads_its_chart_once(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", times=2)  # the leader's first tries: nothing posted
    outbox = await _send_month(server, ("leder",))
    dm = "D" + LIV[0]
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    assert len(fake_slack.files_in(dm)) == 1
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 1
    assert _status(outbox, "leder", "LMLED") == "sent"


async def test_sending_the_period_again_uploads_nothing(server: Server, fake_slack: FakeSlack) -> None:
    await _send_month(server, ("leder",))
    await _send_month(server, ("leder",))  # planned again (kept as it was), delivered again: nothing left
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.files) == 1


async def test_the_chart_is_drawn_once_per_period_next_to_the_database(
    server: Server, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.chart

    drawn: list[object] = []
    draw = bot.chart.chart_png
    monkeypatch.setattr(
        bot.chart, "chart_png", lambda table, texts: drawn.append(table) or draw(table, texts)
    )
    outbox, _ = _plan(server)
    _plan(server)  # the scheduler and `nudges send` plan again; the outbox keeps the first plan
    assert len(drawn) == 1
    paths = {
        block.path
        for item in outbox.items("2019-12")
        for block in reply_json.loads(item.reply).blocks
        if isinstance(block, Image)
    }
    (path,) = paths
    assert path is not None
    database = server.bot.engine.url.database
    assert database is not None
    assert Path(path).is_relative_to(Path(database).resolve().parent / "charts")
    assert Path(path).read_bytes().startswith(PNG)


async def test_an_image_without_its_file_is_shown_as_before(server: Server, fake_slack: FakeSlack) -> None:
    sender = server.runtime.senders["slack"]
    assert isinstance(sender, SlackSender)
    person = server.bot.person("LMLED")
    assert person is not None
    gone = "/nonexistent/charts/restanser-2019-12.png"  # e.g. drawn by a replica on another host
    reply = Reply((Paragraph("Månedens tall."), Image("https://charts.example/2019-12.png", "Diagram", gone)))
    await sender.send_direct(person, reply, ref="x")
    (message,) = fake_slack.calls_to("chat.postMessage")
    assert [b["image_url"] for b in message["blocks"] if b["type"] == "image"] == [
        "https://charts.example/2019-12.png"
    ]
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
