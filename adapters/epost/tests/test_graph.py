"""E-mail through Microsoft Graph (sendMail with the MIME message), with a token from Microsoft Entra ID by
client credentials (MSAL) — both faked over real HTTPS on 127.0.0.1: 202, 429 with Retry-After, 400."""

from __future__ import annotations

import logging

import pytest

from adapters.epost.tests.fakes import CLIENT_SECRET, FakeGraph, mail_parts
from adapters.epost.tests.helpers import KARI, OLA, REPLY, mail, make_sender
from bot.delivery.port import DeliveryError


async def test_202_means_exchange_has_the_message_as_the_archive_wrote_it(graph: FakeGraph) -> None:
    sender = make_sender(graph.env(RESTANSEBOT_EMAIL_REPLY_TO="postmottak@k.no"))
    await sender.send_direct(KARI, REPLY, ref="7", mail=mail())
    await sender.send_direct(OLA, REPLY, ref="8", mail=mail(message_id="<other@test>"))
    await sender.close()
    assert [c.path for c in graph.sent] == ["/v1.0/users/arkiv@k.no/sendMail"] * 2
    [message] = graph.to("kari@k.no")
    seen = mail_parts(message)
    assert "35 restanser" in seen["text"] and "<strong>35 restanser</strong>" in seen["html"]
    assert (
        message["Message-ID"] == "<restansebot.2019-12.1@test>" and message["Reply-To"] == "postmottak@k.no"
    )
    assert graph.tokens_issued == [f"{graph.url}/.default"]  # one token for the fan-out, from MSAL's cache


async def test_429_asks_for_a_later_try_after_retry_after(graph: FakeGraph) -> None:
    graph.fail(429, retry_after="7", code="ApplicationThrottled")
    sender = make_sender(graph.env())
    with pytest.raises(DeliveryError) as busy:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert not busy.value.permanent and busy.value.retry_after == 7.0 and "429" in busy.value.reason
    assert len(graph.to("kari@k.no")) == 1


async def test_400_is_a_refusal_of_the_message_with_graphs_reason(graph: FakeGraph) -> None:
    graph.fail(400, code="ErrorInvalidRecipients")
    sender = make_sender(graph.env())
    with pytest.raises(DeliveryError) as refused:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert refused.value.permanent and "ErrorInvalidRecipients" in refused.value.reason
    assert graph.sent == []


async def test_a_token_graph_no_longer_takes_is_renewed_once(graph: FakeGraph) -> None:
    sender = make_sender(graph.env())
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    graph.valid.clear()  # revoked, or expired early
    await sender.send_direct(OLA, REPLY, ref="2", mail=mail())
    await sender.close()
    assert len(graph.tokens_issued) == 2 and len(graph.sent) == 2


async def test_403_tells_the_administrator_what_the_app_lacks(graph: FakeGraph) -> None:
    graph.fail(403, code="ErrorAccessDenied")
    sender = make_sender(graph.env())
    with pytest.raises(DeliveryError) as denied:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert not denied.value.permanent  # the administrator fixes it; the outbox tries again within its bound
    assert "Mail.Send" in denied.value.reason and "arkiv@k.no" in denied.value.reason


async def test_a_refused_client_secret_is_named_and_never_shown(
    graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sender = make_sender(graph.env(RESTANSEBOT_EMAIL_CLIENT_SECRET="utlopt-hemmelighet"))
    with pytest.raises(DeliveryError) as refused:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert "RESTANSEBOT_EMAIL_CLIENT_SECRET" in refused.value.reason and graph.sent == []
    for secret in ("utlopt-hemmelighet", CLIENT_SECRET):
        assert secret not in refused.value.reason + caplog.text


async def test_graph_that_cannot_be_reached_has_sent_nothing(graph: FakeGraph) -> None:
    env = graph.env()
    sender = make_sender(graph.env())
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail())  # a token is kept
    await graph.stop()
    with pytest.raises(DeliveryError) as down:
        await sender.send_direct(OLA, REPLY, ref="2", mail=mail())
    await sender.close()
    assert (
        not down.value.permanent
        and not down.value.maybe_sent
        and env["RESTANSEBOT_GRAPH_URL"][8:] in down.value.reason
    )
