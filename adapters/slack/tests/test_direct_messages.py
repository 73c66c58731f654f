"""Direct messages to the bot: the same commands as the terminal chat, answered in the DM."""

from __future__ import annotations

from adapters.slack.tests.fakes import FakeSlack, direct_message
from adapters.slack.tests.harness import KARI, Server


async def test_mine_restanser_in_a_dm_is_answered_in_that_dm(server: Server, fake_slack: FakeSlack) -> None:
    response = await server.event(direct_message(KARI[0], "mine restanser"))
    assert response.status == 200
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D" + KARI[0]
    assert "96 restanser" in posted["text"]
    print(posted.params)
