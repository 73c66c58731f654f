"""The sending port: monthly direct messages and channel posts, as the outbox will use them."""

from __future__ import annotations

import dataclasses

import pytest
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import RestChannelServiceClientFactory

from adapters.teams.config import Retry, TeamsConfig
from adapters.teams.references import References
from adapters.teams.sending import TeamsSender
from adapters.teams.tests.conftest import ANONYMOUS, KARI, LIV, Server
from adapters.teams.tests.fakes import FakeConnector
from bot.delivery.port import DeliveryError, Sender
from bot.identities import ConversationStore
from bot.replies import Heading, Item, ItemList, Paragraph, Reply
from bot.texts import Texts
from restanse_core.model import Person

CHANNEL = "19:lma-generelt@thread.tacv2"
TEAM = "19:lma-team@thread.tacv2"
NUDGE = Reply(
    (Heading("Restanser"), Paragraph("Du har **96** restanser.", sensitive=True),
     ItemList((Item("2019/1234-5", "13.11.2019", 40, "Søknad om dispensasjon – gnr. 12/34"),)),
     Paragraph("LMA har 583 restanser.")),
    "Du har 96 restanser",
)  # fmt: skip


def sender_of(server: Server) -> TeamsSender:
    sender = server.runtime.senders["teams"]
    assert isinstance(sender, TeamsSender)
    return sender


def person(server: Server, initials: str) -> Person:
    found = server.runtime.bot.person(initials)
    assert found is not None
    return found


def recording_sender(server: Server, sleeps: list[float], attempts: int = 5) -> TeamsSender:
    """A sender on the same database whose waits are recorded instead of slept."""
    config = dataclasses.replace(TeamsConfig.from_env(ANONYMOUS), retry=Retry(attempts=attempts))

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return TeamsSender(
        references=References(ConversationStore(server.runtime.engine, "teams")),
        factory=RestChannelServiceClientFactory(MsalConnectionManager(**config.sdk)),
        config=config, texts=Texts("nb"), sleep=sleep,
    )  # fmt: skip


async def test_the_teams_sender_implements_the_sending_port(server):
    sender: Sender = sender_of(server)
    assert sender.platform == "teams"


async def test_a_person_who_wrote_to_the_bot_gets_the_message_in_their_own_chat(server, say, connector):
    await say("status")
    connector.clear()
    sent = await sender_of(server).send_direct(person(server, "KAB"), NUDGE, ref="outbox-1")
    assert (sent.platform, sent.conversation) == ("teams", "a:kari") and sent.message_id
    [message] = connector.calls
    assert message.path == "/v3/conversations/a:kari/activities"
    assert "Du har **96** restanser." in message.text and message.card is not None


async def test_someone_seen_only_in_a_channel_gets_a_1to1_created_first_then_the_message(
    server, say, connector
):
    await say(
        "status",
        user=LIV[0],
        kind="channel",
        conversation=f"{CHANNEL};messageid=1",
        team=TEAM,
        channel=CHANNEL,
    )
    connector.clear()
    sender = sender_of(server)
    liv = person(server, "LMLED")
    assert await sender.can_reach(liv)
    sent = await sender.send_direct(liv, NUDGE, ref="outbox-2")
    create, message = connector.calls
    assert create.path == "/v3/conversations" and create.body["members"] == [{"id": LIV[0]}]
    assert create.body["tenantId"] and create.body["bot"]["id"]
    assert message.path == f"/v3/conversations/{sent.conversation}/activities"
    # The new 1:1 is remembered: next month's message continues it.
    connector.clear()
    again = await sender.send_direct(liv, NUDGE, ref="outbox-3")
    assert again.conversation == sent.conversation and connector.created == []


async def test_someone_the_bot_never_met_is_a_permanent_failure_with_a_reason(server, connector):
    with pytest.raises(DeliveryError) as failure:
        await sender_of(server).send_direct(person(server, "LMLED"), NUDGE, ref="outbox-4")
    assert failure.value.permanent and "ikke installert for personen" in failure.value.reason
    assert not await sender_of(server).can_reach(person(server, "LMLED"))
    assert connector.calls == []


async def test_someone_without_an_email_address_cannot_be_found(server):
    with pytest.raises(DeliveryError) as failure:
        await sender_of(server).send_direct(Person("XYZ", "Uten Epost"), NUDGE, ref="outbox-5")
    assert failure.value.permanent and "ingen e-postadresse" in failure.value.reason


async def test_a_403_is_permanent_and_the_person_counts_as_unreachable(server, say, connector):
    await say("status")
    connector.fail(r"/activities$", 403)
    sender = sender_of(server)
    kari = person(server, "KAB")
    with pytest.raises(DeliveryError) as failure:
        await sender.send_direct(kari, NUDGE, ref="outbox-6")
    assert failure.value.permanent and "HTTP 403" in failure.value.reason
    assert not await sender.can_reach(kari)
    calls = len(connector.calls)
    with pytest.raises(DeliveryError, match="fjernet Restansebot"):
        await sender.send_direct(kari, NUDGE, ref="outbox-7")
    assert len(connector.calls) == calls  # nothing more is sent to someone who removed the app
    await say("status", activity_id="1700000000002")  # writing to the bot again makes them reachable
    assert await sender.can_reach(kari)


async def test_a_throttled_message_is_sent_again_and_arrives(server, say, connector):
    await say("status")
    connector.clear()
    connector.fail(r"/activities$", 429, times=2, retry_after="0")
    sent = await sender_of(server).send_direct(person(server, "KAB"), NUDGE, ref="outbox-8")
    assert sent.conversation == "a:kari" and len(connector.activities) == 3


async def test_retry_after_is_honoured(server, say, connector):
    await say("status")
    connector.fail(r"/activities$", 429, retry_after="2")
    connector.fail(
        r"/activities$", 503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"
    )  # a date in the past: no wait
    sleeps: list[float] = []
    await recording_sender(server, sleeps).send_direct(person(server, "KAB"), NUDGE, ref="outbox-9")
    assert sleeps[:2] == [2.0, 0.0]


async def test_teams_that_keeps_failing_gives_a_transient_failure_after_bounded_attempts(
    server, say, connector
):
    await say("status")
    connector.clear()
    connector.fail(r"/activities$", 503, times=100)
    sleeps: list[float] = []
    with pytest.raises(DeliveryError) as failure:
        await recording_sender(server, sleeps, attempts=4).send_direct(
            person(server, "KAB"), NUDGE, ref="outbox-10"
        )
    assert not failure.value.permanent and "prøver igjen senere" in failure.value.reason.lower()
    assert len(connector.activities) == 4 and len(sleeps) == 3
    assert all(0 <= s <= 30 for s in sleeps)  # backoff with jitter, each wait bounded


async def test_a_retry_after_longer_than_we_wait_hands_the_message_back_with_the_delay(
    server, say, connector
):
    await say("status")
    connector.fail(r"/activities$", 429, retry_after="3600")
    with pytest.raises(DeliveryError) as failure:
        await recording_sender(server, []).send_direct(person(server, "KAB"), NUDGE, ref="outbox-11")
    assert not failure.value.permanent and failure.value.retry_after == 3600


async def test_a_stored_1to1_that_is_gone_is_created_anew(server, say, connector):
    await say("status")
    connector.clear()
    connector.fail(r"^/v3/conversations/a:kari/activities$", 404)
    sent = await sender_of(server).send_direct(person(server, "KAB"), NUDGE, ref="outbox-12")
    assert sent.conversation.startswith("a:created-") and len(connector.created) == 1


async def test_a_channel_post_reaches_the_channel_without_anything_sensitive(server, say, connector):
    await say(
        "status",
        user=LIV[0],
        kind="channel",
        conversation=f"{CHANNEL};messageid=1",
        team=TEAM,
        channel=CHANNEL,
    )
    connector.clear()
    sent = await sender_of(server).post_channel(CHANNEL, NUDGE, ref="outbox-13")
    [post] = connector.calls
    assert post.path == f"/v3/conversations/{CHANNEL}/activities" and sent.conversation == CHANNEL
    assert "LMA har 583 restanser." in post.text
    assert "96" not in post.text and "dispensasjon" not in post.text and "2019/1234-5" not in post.text


async def test_a_team_can_be_named_by_its_id_for_its_general_channel(server, say, connector):
    await say(None, type="installationUpdate", action="add", kind="channel", conversation=TEAM, team=TEAM)
    connector.clear()
    sent = await sender_of(server).post_channel(TEAM, NUDGE, ref="outbox-14")
    assert sent.conversation == TEAM and connector.calls[0].path == f"/v3/conversations/{TEAM}/activities"


async def test_a_channel_the_bot_is_not_in_is_a_permanent_failure(server, say, connector):
    with pytest.raises(DeliveryError) as failure:
        await sender_of(server).post_channel("19:ukjent@thread.tacv2", NUDGE, ref="outbox-15")
    assert failure.value.permanent and "ikke lagt til" in failure.value.reason
    await say(None, type="installationUpdate", action="add", kind="channel", conversation=TEAM, team=TEAM)
    await say(None, type="installationUpdate", action="remove", kind="channel", conversation=TEAM, team=TEAM)
    with pytest.raises(DeliveryError, match="ikke lagt til"):
        await sender_of(server).post_channel(TEAM, NUDGE, ref="outbox-16")


async def test_whether_a_message_was_sent_cannot_be_known_in_teams(server):
    assert await sender_of(server).was_sent(person(server, "KAB"), None, "outbox-1") is None


async def test_direct_messages_carry_no_token_in_anonymous_mode_and_kari_is_known_by_email(
    server, say, connector
):
    await say("status")
    await sender_of(server).send_direct(person(server, "KAB"), NUDGE, ref="outbox-17")
    assert {c.authorization for c in connector.calls} == {None}
    assert KARI[1] == person(server, "KAB").email


@pytest.fixture
def _connector_used(connector: FakeConnector) -> FakeConnector:
    return connector


async def test_the_sending_port_also_works_without_the_server(server, say, connector):
    import adapters.teams

    await say("status")
    connector.clear()
    standalone = adapters.teams.sender(server.runtime)
    assert isinstance(standalone, TeamsSender)
    try:
        sent = await standalone.send_direct(person(server, "KAB"), NUDGE, ref="outbox-18")
    finally:
        await standalone.close()
    assert sent.conversation == "a:kari" and connector.calls[0].path == "/v3/conversations/a:kari/activities"
