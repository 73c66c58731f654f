"""Socket Mode, for organisations with no public URL: the bot connects out to Slack over a websocket."""

from __future__ import annotations

from adapters.slack.tests.fakes import APP_TOKEN, BOT_TOKEN, FakeSlack, direct_message, slash_command
from adapters.slack.tests.harness import KARI, all_text, start_server


async def test_a_direct_message_over_socket_mode_is_acknowledged_and_answered(
    db_url: str, fake_slack: FakeSlack
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "RESTANSEBOT_SLACK_API_URL": fake_slack.api_url,
    }
    running, runner = await start_server(db_url, env, {"slack_socket_mode": True})
    try:
        await fake_slack.wait_for("socket.connected")
        assert len(fake_slack.calls_to("apps.connections.open")) == 1  # the fake checks the app token
        await fake_slack.socket_send("events_api", direct_message(KARI[0], "mine restanser"), "env-1")
        (ack,) = await fake_slack.wait_for("socket.ack")
        assert ack["envelope_id"] == "env-1"
        (posted,) = await fake_slack.wait_for("chat.postMessage")
        assert posted["channel"] == "D" + KARI[0]
        assert "Faktura – purring" in all_text(posted["blocks"])

        form = slash_command(KARI[0], "CLMA", "status", fake_slack.response_url("sock"))
        await fake_slack.socket_send("slash_commands", form, "env-2")
        (answer,) = await fake_slack.wait_for("response_url")
        assert answer["response_type"] == "ephemeral"
        acks = await fake_slack.wait_for("socket.ack", 2)
        assert acks[1]["envelope_id"] == "env-2"

        # No signing secret: nothing listens on /slack/events.
        async with running.http.post(running.url + "/slack/events", data=b"{}") as response:
            assert response.status == 404
    finally:
        await running.http.close()
        await runner.cleanup()
        running.runtime.engine.dispose()
