"""The App Home tab: the person's own summary, published afresh each time it is opened."""

from __future__ import annotations

import asyncio

from adapters.slack.tests.fakes import FakeSlack, event_callback
from adapters.slack.tests.harness import KARI, STRANGER, Server, all_text


def _opened(user: str, tab: str = "home") -> dict:
    return event_callback({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": tab})


async def test_opening_the_home_tab_shows_the_persons_own_summary(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(_opened(KARI[0]))
    (published,) = await fake_slack.wait_for("views.publish")
    assert published["user_id"] == KARI[0]
    view = published["view"]
    assert view["type"] == "home"
    text = all_text(view["blocks"])
    assert "Du har 96 restanser per 16.12.2019." in text.replace("\n", "")
    assert "2017/5139-754" in text  # the oldest
    assert (
        "Siden 13.11.2019 er 16 journalposter ikke lenger restanse hos deg: 3 er avskrevet"
        in text.replace("\n", "")
    )
    assert "Oppdatert 20.12.2019 10:00." in text
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(b.get("url") == "http://127.0.0.1:3978/guide" for b in buttons)
    assert len(view["blocks"]) <= 100


async def test_the_home_tab_refreshes_each_time_it_is_opened(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(_opened(KARI[0]))
    await server.event(_opened(KARI[0]))
    assert len(await fake_slack.wait_for("views.publish", 2)) == 2


async def test_the_messages_tab_publishes_nothing(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(_opened(KARI[0], tab="messages"))
    await server.event(_opened(KARI[0]))
    await fake_slack.wait_for("views.publish")
    await asyncio.sleep(0.05)
    assert len(fake_slack.calls_to("views.publish")) == 1


async def test_someone_unknown_sees_why_in_the_home_tab(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(_opened(STRANGER[0]))
    (published,) = await fake_slack.wait_for("views.publish")
    assert "finner deg ikke i katalogen" in all_text(published["view"]["blocks"])
