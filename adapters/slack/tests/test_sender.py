"""The sending port: direct messages and channel posts for the monthly messages, with the outbox reference
in the message metadata, clear permanent/transient errors, and pacing of the fan-out."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from adapters.slack.errors import from_slack
from adapters.slack.sending import EVENT_TYPE, SlackSender
from adapters.slack.tests.fakes import BOT_TOKEN, FakeSlack
from adapters.slack.tests.harness import KARI, Server, all_text
from bot.delivery.pacing import Pacer
from bot.delivery.port import DeliveryError, Sender
from bot.replies import Image, Item, ItemList, Paragraph, Reply
from bot.service import Restansebot
from bot.texts import Texts
from restanse_core.model import Person

NUDGE = Reply((Paragraph("Du har **96** restanser."),), summary="Du har 96 restanser.")


def _sender(server: Server) -> SlackSender:
    sender = server.runtime.senders["slack"]
    assert isinstance(sender, SlackSender)
    return sender


def _kari(server: Server) -> Person:
    person = server.bot.person("KAB")
    assert person is not None
    return person


def test_the_slack_sender_is_the_bots_sending_port(server: Server) -> None:
    sender: Sender = _sender(server)
    assert sender.platform == "slack"


async def test_a_direct_message_finds_the_person_by_email_and_carries_the_reference(
    server: Server, fake_slack: FakeSlack
) -> None:
    sent = await _sender(server).send_direct(_kari(server), NUDGE, ref="outbox-1")
    (lookup,) = fake_slack.calls_to("users.lookupByEmail")
    assert lookup["email"] == KARI[1]
    (posted,) = fake_slack.calls_to("chat.postMessage")
    assert posted["channel"] == sent.conversation == "D" + KARI[0]
    assert posted["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"ref": "outbox-1"}}
    assert posted["text"] == "Du har 96 restanser."
    assert sent.platform == "slack" and sent.message_id == fake_slack.history["D" + KARI[0]][-1]["ts"]


async def test_the_next_message_to_the_same_person_needs_no_lookups(
    server: Server, fake_slack: FakeSlack
) -> None:
    sender = _sender(server)
    await sender.send_direct(_kari(server), NUDGE, ref="a")
    await sender.send_direct(_kari(server), NUDGE, ref="b")
    assert len(fake_slack.calls_to("users.lookupByEmail")) == 1
    assert len(fake_slack.calls_to("conversations.open")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


async def test_someone_who_is_not_in_slack_is_a_permanent_failure(
    server: Server, fake_slack: FakeSlack
) -> None:
    nobody = Person("NOB", "No Body", "no.body@demo.kommune.no", "LMA")
    with pytest.raises(DeliveryError) as caught:
        await _sender(server).send_direct(nobody, NUDGE, ref="x")
    assert caught.value.permanent
    assert "no.body@demo.kommune.no" in caught.value.reason
    assert not await _sender(server).can_reach(nobody)
    assert await _sender(server).can_reach(_kari(server))


async def test_someone_without_an_email_is_a_permanent_failure(server: Server, fake_slack: FakeSlack) -> None:
    with pytest.raises(DeliveryError) as caught:
        await _sender(server).send_direct(Person("NOE", "No Email"), NUDGE, ref="x")
    assert caught.value.permanent
    assert "ingen e-postadresse" in caught.value.reason
    assert fake_slack.calls == []


async def test_a_revoked_token_is_a_permanent_failure(server: Server, fake_slack: FakeSlack) -> None:
    fake_slack.fail("users.lookupByEmail", "token_revoked")
    with pytest.raises(DeliveryError) as caught:
        await _sender(server).send_direct(_kari(server), NUDGE, ref="x")
    assert caught.value.permanent
    assert "SLACK_BOT_TOKEN" in caught.value.reason


async def test_a_slack_hiccup_is_a_transient_failure(server: Server, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "internal_error")
    with pytest.raises(DeliveryError) as caught:
        await _sender(server).send_direct(_kari(server), NUDGE, ref="x")
    assert not caught.value.permanent


async def test_a_rate_limited_call_is_retried_after_the_wait_slack_asks_for(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=0)
    sent = await _sender(server).send_direct(_kari(server), NUDGE, ref="x")
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert sent.message_id is not None


def test_rate_limited_after_every_retry_is_transient_with_the_wait() -> None:
    response = SlackResponse(
        client=None, http_verb="POST", api_url="chat.postMessage", req_args={},
        data={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"}, status_code=429,
    )  # fmt: skip
    error = from_slack(SlackApiError("ratelimited", response), Texts("nb"), target="x")
    assert not error.permanent
    assert error.retry_after == 30


async def test_a_channel_the_bot_is_not_in_is_a_permanent_failure_that_says_what_to_do(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(DeliveryError) as caught:
        await _sender(server).post_channel("CLMA", NUDGE, ref="x")
    assert caught.value.permanent
    assert "/invite" in caught.value.reason


async def test_a_channel_never_gets_sensitive_blocks(server: Server, fake_slack: FakeSlack) -> None:
    reply = Reply(
        (
            Paragraph("LMA har 583 restanser."),
            ItemList((Item("2019/1-1", "01.01.2019", 300, "Barnevernssak for Ola"),)),
            Paragraph("Kari har 96.", sensitive=True),
        ),
        summary="Kari har 96 restanser.",
    )
    await _sender(server).post_channel("CLMA", reply, ref="c1")
    (posted,) = fake_slack.calls_to("chat.postMessage")
    assert "583" in all_text(posted["blocks"])
    assert "Ola" not in posted.everything
    assert "96" not in posted.everything


async def test_was_sent_finds_the_reference_in_the_dm_history(server: Server, fake_slack: FakeSlack) -> None:
    sender = _sender(server)
    kari = _kari(server)
    assert await sender.was_sent(kari, None, "outbox-7") is False
    await sender.send_direct(kari, NUDGE, ref="outbox-7")
    assert await sender.was_sent(kari, None, "outbox-7") is True
    assert await sender.was_sent(kari, None, "outbox-8") is False
    (history, *_) = fake_slack.calls_to("conversations.history")
    assert history["channel"] == "D" + KARI[0]


async def test_was_sent_cannot_know_for_channels_or_without_the_history_scope(
    server: Server, fake_slack: FakeSlack
) -> None:
    sender = _sender(server)
    assert await sender.was_sent(None, "CLMA", "c1") is None
    fake_slack.fail("conversations.history", "missing_scope", needed="im:history")
    assert await sender.was_sent(_kari(server), None, "x") is None


async def test_the_fan_out_is_paced_per_channel_but_answers_are_not(
    server: Server, fake_slack: FakeSlack
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sender = _sender(server)
    sender.pacer = Pacer({"channel": 1.0}, clock=lambda: 100.0, sleep=sleep)
    kari = _kari(server)
    await sender.send_direct(kari, NUDGE, ref="1")
    await sender.send_direct(kari, NUDGE, ref="2")  # same DM, same instant: waits its second
    await sender.send_direct(kari, NUDGE, ref="3", proactive=False)  # an answer: never waits
    await sender.post_channel("COTHER", NUDGE, ref="4")  # another channel: its own pace
    assert waits == [1.0]
    assert len(fake_slack.calls_to("chat.postMessage")) == 4


async def test_nudges_send_gets_a_slack_sender_without_the_server(db_url: str, fake_slack: FakeSlack) -> None:
    import adapters.slack as slack_adapter
    from adapters.slack.tests.harness import start_server

    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "RESTANSEBOT_SLACK_API_URL": fake_slack.api_url}  # no signing secret
    running, runner = await start_server(db_url, {})  # only for a runtime with the demo data; no Slack in it
    try:
        running.runtime.env = env
        sender = slack_adapter.sender(running.runtime)
        assert sender.platform == "slack"
        sent = await sender.send_direct(_kari_of(running.bot), NUDGE, ref="cli-1")
        assert sent.conversation == "D" + KARI[0]
        assert fake_slack.calls_to("chat.postMessage")[0]["metadata"]["event_payload"] == {"ref": "cli-1"}
        await sender.close()
    finally:
        await running.http.close()
        await runner.cleanup()
        running.runtime.engine.dispose()


def _kari_of(bot: Restansebot) -> Person:
    person = bot.person("KAB")
    assert person is not None
    return person


async def test_a_chart_slack_cannot_fetch_does_not_stop_the_message(
    server: Server, fake_slack: FakeSlack
) -> None:
    reply = Reply(
        (Paragraph("Månedens tall."), Image("https://charts.example/2019-12.png", "Restanser per enhet"))
    )
    fake_slack.fail("chat.postMessage", "invalid_blocks")
    sent = await _sender(server).send_direct(_kari(server), reply, ref="arkiv-1")
    first, second = fake_slack.calls_to("chat.postMessage")
    assert any(b["type"] == "image" for b in first["blocks"])
    assert not any(b["type"] == "image" for b in second["blocks"])
    assert "https://charts.example/2019-12.png" in second.everything
    assert sent.message_id is not None
