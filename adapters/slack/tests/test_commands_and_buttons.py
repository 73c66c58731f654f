"""`/restanser` and the buttons: outside the DM the answer is ephemeral (the asker alone sees it), inside
the DM or the App Home it is an ordinary message in the DM."""

from __future__ import annotations

import asyncio

from adapters.slack.tests.fakes import FakeSlack, button_press, direct_message, slash_command
from adapters.slack.tests.harness import KARI, Server, all_text


async def test_the_slash_command_in_a_channel_answers_the_asker_alone(
    server: Server, fake_slack: FakeSlack
) -> None:
    form = slash_command(KARI[0], "CLMA", "mine restanser", fake_slack.response_url("cmd"))
    response = await server.command(form)
    assert response.status == 200
    (answer,) = await fake_slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "Faktura – purring" in all_text(answer["blocks"])  # complete: nobody else sees it
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_the_slash_command_alone_shows_the_askers_own_list(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.command(slash_command(KARI[0], "CLMA", "", fake_slack.response_url()))
    (answer,) = await fake_slack.wait_for("response_url")
    assert answer["text"] == "Du har 96 restanser per 16.12.2019."


async def test_the_slash_command_in_the_dm_with_the_bot_posts_in_the_dm(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(direct_message(KARI[0], "status"))  # the bot now knows this DM
    await fake_slack.wait_for("chat.postMessage")
    await server.command(slash_command(KARI[0], "D" + KARI[0], "enhet LMA", fake_slack.response_url()))
    (_, answer) = await fake_slack.wait_for("chat.postMessage", 2)
    assert answer["channel"] == "D" + KARI[0]
    assert "Landbruk, miljø og arealforvaltning" in all_text(answer["blocks"])
    assert fake_slack.calls_to("response_url") == []


async def test_next_page_in_the_dm_shows_the_next_ten(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(direct_message(KARI[0], "mine restanser"))
    (first,) = await fake_slack.wait_for("chat.postMessage")
    button = next(
        e
        for b in first["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "mine.page"
    )
    await server.action(button_press(KARI[0], "mine.page", button["value"], channel="D" + KARI[0]))
    (_, second) = await fake_slack.wait_for("chat.postMessage", 2)
    assert second["channel"] == "D" + KARI[0]
    assert "… og 76 til." in all_text(second["blocks"])
    first_ids = {s["elements"][0]["text"] for b in first["blocks"] if b["type"] == "rich_text"
                 for el in b["elements"] if el["type"] == "rich_text_list" for s in el["elements"]}  # fmt: skip
    assert not [i for i in first_ids if i in all_text(second["blocks"])]


async def test_the_guide_button_in_a_channel_answers_the_presser_alone(
    server: Server, fake_slack: FakeSlack
) -> None:
    press = button_press(KARI[0], "guide", channel="CLMA", response_url=fake_slack.response_url("btn"))
    assert (await server.action(press)).status == 200
    (answer,) = await fake_slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] in (False, "false", "False")
    assert "Avskriving av restanser" in all_text(answer["blocks"])


async def test_a_button_in_the_home_tab_answers_in_the_dm(server: Server, fake_slack: FakeSlack) -> None:
    await server.action(button_press(KARI[0], "mine.page", "10", in_home=True))
    (answer,) = await fake_slack.wait_for("chat.postMessage")
    assert fake_slack.calls_to("conversations.open")[0]["users"] == KARI[0]
    assert answer["channel"] == "D" + KARI[0]
    assert "… og 76 til." in all_text(answer["blocks"])


async def test_link_buttons_are_acknowledged_and_do_nothing(server: Server, fake_slack: FakeSlack) -> None:
    link = button_press(KARI[0], "guide.link", channel="CLMA", url="http://127.0.0.1:3978/guide",
                        response_url=fake_slack.response_url())  # fmt: skip
    assert (await server.action(link)).status == 200
    await asyncio.sleep(0.05)
    assert fake_slack.calls_to("response_url") == []
    assert fake_slack.calls_to("chat.postMessage") == []
