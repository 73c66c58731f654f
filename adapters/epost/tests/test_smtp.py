"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1): STARTTLS with a throw-away certificate, AUTH
LOGIN, a 550 for one recipient, a 451 and then success, a connection dropped after the data."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from adapters.epost.tests.fakes import USER, FakeGraph, FakeSmtp, mail_parts
from adapters.epost.tests.helpers import KARI, OLA, REPLY, mail, make_sender
from bot.delivery.port import DeliveryError, Picture


async def test_a_message_arrives_once_with_text_html_and_the_archives_headers(smtp_server: FakeSmtp) -> None:
    sender = make_sender(smtp_server.env(RESTANSEBOT_EMAIL_REPLY_TO="postmottak@k.no"))
    sent = await sender.send_direct(KARI, REPLY, ref="41", mail=mail())
    await sender.close()
    [message] = smtp_server.to("kari@k.no")
    assert [part.defects for part in message.walk()] == [[], [], []]  # a well-formed MIME message
    seen = mail_parts(message)
    assert seen["subject"] == "Du har 35 restanser – avskriv innen 02.01.20"
    assert "35 restanser" in seen["text"] and "02.01.20" in seen["text"]
    assert "<strong>35 restanser</strong>" in seen["html"]
    assert message["From"] == "Arkivet <arkiv@k.no>" and message["Reply-To"] == "postmottak@k.no"
    assert message["To"] == "Kari Aune Brattås <kari@k.no>"
    assert message["Message-ID"] == "<restansebot.2019-12.1@test>" == sent.message_id
    assert message["Date"] == "Tue, 17 Dec 2019 09:00:00 +0100"  # the first try's, in Norwegian time
    assert message["Auto-Submitted"] == "auto-generated"  # no out-of-office storm back to the archive
    assert smtp_server.logins == [("LOGIN", USER)]  # over STARTTLS: the server offers AUTH only after it
    assert sent.platform == "epost" and sent.conversation == "kari@k.no"


async def test_one_connection_carries_the_fan_out(smtp_server: FakeSmtp) -> None:
    sender = make_sender(smtp_server.env(RESTANSEBOT_SMTP_CONNECTIONS="1"))
    for i in range(3):
        await sender.send_direct(KARI, REPLY, ref=str(i), mail=mail(message_id=f"<m{i}@test>"))
    await sender.close()
    assert len(smtp_server.to("kari@k.no")) == 3 and len(smtp_server.logins) == 1


async def test_a_550_for_one_recipient_is_permanent_with_the_servers_words_and_the_rest_go_on(
    smtp_server: FakeSmtp,
) -> None:
    smtp_server.refusals["ola@k.no"] = "550 5.1.1 Postkassen finnes ikke"
    sender = make_sender(smtp_server.env())
    with pytest.raises(DeliveryError) as refused:
        await sender.send_direct(OLA, REPLY, ref="1", mail=mail())
    await sender.send_direct(KARI, REPLY, ref="2", mail=mail())
    await sender.close()
    assert refused.value.permanent and not refused.value.maybe_sent
    assert "ola@k.no" in refused.value.reason and "550 5.1.1 Postkassen finnes ikke" in refused.value.reason
    assert smtp_server.to("ola@k.no") == [] and len(smtp_server.to("kari@k.no")) == 1


async def test_a_451_is_worth_trying_again_and_then_the_message_goes(smtp_server: FakeSmtp) -> None:
    smtp_server.deferrals["kari@k.no"] = 1
    sender = make_sender(smtp_server.env())
    with pytest.raises(DeliveryError) as deferred:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    assert not deferred.value.permanent and not deferred.value.maybe_sent and "451" in deferred.value.reason
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert len(smtp_server.to("kari@k.no")) == 1


async def test_a_connection_dropped_after_the_data_may_have_delivered_and_is_never_sent_again(
    smtp_server: FakeSmtp,
) -> None:
    smtp_server.drops["kari@k.no"] = 1
    sender = make_sender(smtp_server.env())
    with pytest.raises(DeliveryError) as lost:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    assert lost.value.maybe_sent and not lost.value.permanent
    assert await sender.was_sent(KARI, None, "1") is None  # a mail service cannot be asked: uncertain
    await sender.send_direct(OLA, REPLY, ref="2", mail=mail())  # the next message gets a new connection
    await sender.close()
    assert len(smtp_server.to("kari@k.no")) == 1 and len(smtp_server.to("ola@k.no")) == 1


async def test_a_kept_connection_the_server_closed_is_replaced_without_losing_the_message(
    trusted, smtp_server: FakeSmtp
) -> None:
    sender = make_sender(smtp_server.env())
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    smtp_server.stop()  # a restart of the mail server between two messages
    smtp_server.start()
    await sender.send_direct(OLA, REPLY, ref="2", mail=mail())
    await sender.close()
    assert len(smtp_server.to("ola@k.no")) == 1


async def test_a_wrong_password_is_reported_by_setting_and_never_shown(
    smtp_server: FakeSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sender = make_sender(smtp_server.env(RESTANSEBOT_SMTP_PASSWORD="feil-passord-123"))
    with pytest.raises(DeliveryError) as refused:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert not refused.value.permanent and "RESTANSEBOT_SMTP_PASSWORD" in refused.value.reason
    assert "535" in refused.value.reason
    assert "feil-passord-123" not in refused.value.reason + caplog.text
    assert "35 restanser" not in caplog.text  # nor the message


async def test_a_certificate_nobody_vouches_for_is_refused(
    smtp_server: FakeSmtp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = smtp_server.env()
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's own trust store: the throw-away CA is not in it
    env.pop("SSL_CERT_FILE")
    sender = make_sender(env)
    with pytest.raises(DeliveryError) as refused:
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
    await sender.close()
    assert not refused.value.permanent and "127.0.0.1" in refused.value.reason
    assert smtp_server.received == [] and smtp_server.logins == []  # the password never left


async def test_implicit_tls_on_its_own_port(trusted) -> None:
    with FakeSmtp(trusted, security="tls") as server:
        sender = make_sender(server.env())
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
        await sender.close()
    assert len(server.to("kari@k.no")) == 1 and server.logins == [("LOGIN", USER)]


async def test_xoauth2_logs_in_with_a_token_from_entra_id_and_a_refused_secret_is_reported(
    trusted, smtp_server: FakeSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    graph = await FakeGraph(trusted).start()
    try:
        smtp_server.bearers = graph.valid  # the server takes what Entra ID issued
        env = {**graph.env(), **smtp_server.env(RESTANSEBOT_SMTP_AUTH="xoauth2")}
        for key in ("RESTANSEBOT_SMTP_USERNAME", "RESTANSEBOT_SMTP_PASSWORD"):
            env.pop(key)
        env["RESTANSEBOT_EMAIL_TRANSPORT"] = "smtp"
        sender = make_sender(env)
        await sender.send_direct(KARI, REPLY, ref="1", mail=mail())
        await sender.send_direct(OLA, REPLY, ref="2", mail=mail())
        await sender.close()
        assert graph.tokens_issued == ["https://outlook.office365.com/.default"]  # one token, kept
        assert smtp_server.logins == [("XOAUTH2", "arkiv@k.no")]
        assert len(smtp_server.to("kari@k.no")) == 1 and len(smtp_server.to("ola@k.no")) == 1
        wrong = make_sender({**env, "RESTANSEBOT_EMAIL_CLIENT_SECRET": "gammel-hemmelighet"})
        with pytest.raises(DeliveryError) as refused:
            await wrong.send_direct(KARI, REPLY, ref="3", mail=mail())
        await wrong.close()
        assert not refused.value.permanent and "invalid_client" in refused.value.reason
        assert "RESTANSEBOT_EMAIL_CLIENT_SECRET" in refused.value.reason
        assert "gammel-hemmelighet" not in refused.value.reason + caplog.text
    finally:
        await graph.stop()


async def test_the_chart_is_an_inline_image_the_html_shows(smtp_server: FakeSmtp, tmp_path: Path) -> None:
    png = tmp_path / "restanser-2019-12.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    picture = Picture(
        "restanser-2019-12@restansebot", "Restanser per enhet", str(png), "https://bot/charts/2019-12.png"
    )
    sender = make_sender(smtp_server.env())
    await sender.send_direct(KARI, REPLY, ref="1", mail=mail(picture=picture))
    gone = Picture(picture.cid, picture.alt, str(tmp_path / "borte.png"), picture.url)
    await sender.send_direct(OLA, REPLY, ref="2", mail=mail(picture=gone))
    await sender.close()
    kari = mail_parts(smtp_server.to("kari@k.no")[0])
    assert kari["pictures"] == {"restanser-2019-12@restansebot": png.read_bytes()}
    assert 'src="cid:restanser-2019-12@restansebot"' in kari["html"]
    ola = mail_parts(smtp_server.to("ola@k.no")[0])  # drawn on another host: linked instead
    assert ola["pictures"] == {} and 'src="https://bot/charts/2019-12.png"' in ola["html"]
