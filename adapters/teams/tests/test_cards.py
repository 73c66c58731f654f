"""The reply model as Adaptive Cards: what a person sees in Teams, and what older clients fall back to."""

from __future__ import annotations

import copy
import json
import random

from adapters.teams import cards
from bot.plaintext import render_plain
from bot.replies import (
    Actions,
    Button,
    Context,
    Fields,
    Heading,
    Image,
    Item,
    ItemList,
    Link,
    Paragraph,
    Reply,
    Table,
)

TABLE = Table(
    columns=("Avdeling", "", "16.12.2019", "13.11.2019"),
    rows=(("LMA", "Landbruk, miljø og arealforvaltning", "583", "451"), ("SKO", "Skole", "12", "20")),
    numeric=frozenset({2, 3}),
    footer=("Sum", "", "595", "471"),
    marked=frozenset({0}),
    title="Restanser per enhet",
)


def kinds(card: dict) -> list[str]:
    return [e["type"] for e in card["body"]]


def test_every_block_becomes_an_element_a_person_can_read():
    reply = Reply((
        Heading("Dine restanser"), Paragraph("Du har **96** restanser."), Context("Tall fra 16.12.2019."),
        Fields((("16.12.2019", "583"),)), TABLE, Link("Veiledningen", "https://x.example/guide"),
        Image("https://x.example/chart.png", "Restanser per måned"),
    ))  # fmt: skip
    card = cards.card(reply)
    assert kinds(card) == [
        "TextBlock",
        "TextBlock",
        "TextBlock",
        "FactSet",
        "TextBlock",
        "Table",
        "TextBlock",
        "Image",
    ]
    assert card["body"][1]["text"] == "Du har **96** restanser."  # Teams renders the bold
    assert card["body"][6]["text"] == "[Veiledningen](https://x.example/guide)"
    assert card["fallbackText"] == render_plain(reply)


def test_a_table_has_a_header_row_numbers_to_the_right_the_sum_last_and_a_plain_fallback():
    [title, table] = cards.elements(TABLE)
    assert title["text"] == "Restanser per enhet"
    header, lma, sko, total = table["rows"]
    assert [c["items"][0]["text"] for c in header["cells"]] == list(TABLE.columns)
    assert lma.get("style") == "accent" and "style" not in sko  # a leader's own unit stands out
    assert [c["items"][0]["text"] for c in total["cells"]] == ["Sum", "", "595", "471"]
    assert [c.get("horizontalCellContentAlignment") for c in table["columns"]] == [
        None,
        None,
        "Right",
        "Right",
    ]
    assert table["fallback"]["fontType"] == "Monospace" and "583" in table["fallback"]["text"]


def test_items_show_id_date_age_and_title_and_open_in_the_records_system():
    block = ItemList(
        (Item("2019/1234-5", "13.11.2019", 40, "Søknad om tilskudd", "https://elements.example/jp/2019/1234-5",
              age="40 dager"),
         Item("2019/99-1", "", None, "")),
        more=8, more_text="… og 8 til.",
    )  # fmt: skip
    first, second, more = cards.elements(block)
    assert first["items"][0]["text"] == "**2019/1234-5** · 13.11.2019 · 40 dager"
    assert first["items"][1]["text"] == "Søknad om tilskudd"
    assert first["selectAction"] == {
        "type": "Action.OpenUrl",
        "url": "https://elements.example/jp/2019/1234-5",
    }
    assert second["items"] == [{"type": "TextBlock", "text": "**2019/99-1**", "wrap": True}]
    assert "selectAction" not in second
    assert more["text"] == "… og 8 til."


def test_buttons_call_the_bot_back_and_links_open_in_the_browser():
    block = Actions((
        Button("Vis flere", "mine.page", "10", style="primary"), Button("Slett", "x", style="danger"),
        Button("Veiledningen", "guide.link", url="https://x.example/guide"),
    ))  # fmt: skip
    [action_set] = cards.elements(block)
    more, danger, link = action_set["actions"]
    assert more == {"type": "Action.Submit", "title": "Vis flere", "style": "positive",
                    "data": {"restansebot": "mine.page", "value": "10"}}  # fmt: skip
    assert danger["style"] == "destructive"
    assert link == {"type": "Action.OpenUrl", "title": "Veiledningen", "url": "https://x.example/guide"}


def test_a_pressed_button_is_read_back_from_submit_and_execute_payloads():
    assert cards.pressed({"restansebot": "mine.page", "value": "10"}) == ("mine.page", "10")
    assert cards.pressed({"restansebot": "guide"}) == ("guide", "")
    execute = {
        "action": {"type": "Action.Execute", "verb": "x", "data": {"restansebot": "hjelp", "value": ""}}
    }
    assert cards.pressed(execute) == ("hjelp", "")
    assert cards.pressed({"something": "else"}) is None
    assert cards.pressed("mine") is None
    assert cards.pressed(None) is None


def test_a_message_carries_the_card_and_the_summary_for_notifications():
    activity = cards.message(Reply((Heading("Status"),), "Lista er fra 16.12.2019"))
    assert activity.summary == "Lista er fra 16.12.2019"
    [attachment] = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"


def test_a_reply_too_large_for_a_card_is_sent_as_text():
    big = Reply(tuple(Paragraph(f"Linje {i}: " + "x" * 200) for i in range(200)))
    activity = cards.message(big)
    assert not activity.attachments and activity.text.startswith("Linje 0")
    assert len(json.dumps(activity.text).encode()) < 28_000


def test_a_channel_version_keeps_neither_sensitive_blocks_nor_a_personal_summary():
    reply = Reply(
        (Heading("Dine restanser"), Paragraph("Du har 96.", sensitive=True), Context("Tall fra 16.12.2019.")),
        "Du har 96 restanser",
    )
    public = cards.for_channel(reply)
    assert public.blocks == (Heading("Dine restanser"), Context("Tall fra 16.12.2019."))
    assert public.summary == "Dine restanser"


def test_the_cheap_size_bound_never_lets_an_oversized_card_through():
    rng = random.Random(3)
    texts = 'aø"\\x<'
    for _ in range(500):
        blocks: list = []
        for _ in range(rng.randrange(1, 60)):
            t = "".join(rng.choice(texts) for _ in range(rng.randrange(0, 40)))
            blocks.append(rng.choice([
                Context(t), Paragraph(t), Link(t or "l", "https://x.example/" + t),
                Actions(tuple(Button(t or "b", "mine.page", "1" * rng.randrange(5)) for _ in range(rng.randrange(1, 6)))),
                ItemList(tuple(Item(t, "01.01.2019", 3, t, rng.choice([None, "https://x/" + t]))
                               for _ in range(rng.randrange(0, 15))), more=rng.randrange(3)),
                Fields(tuple((t, t) for _ in range(rng.randrange(0, 8)))),
            ]))  # fmt: skip
        card = cards.card(Reply(tuple(blocks)))
        if not cards._may_be_too_large(card):
            assert len(json.dumps(card, ensure_ascii=False).encode()) <= cards.MAX_CARD_BYTES


def test_a_finished_card_is_shared_not_copied_when_the_sdk_copies_the_activity():
    activity = cards.message(Reply((Heading("Status"),)))
    copied = copy.deepcopy(activity)
    assert copied.attachments[0].content is activity.attachments[0].content
    assert copied.model_dump(by_alias=True, exclude_unset=True, mode="json")["attachments"][0]["content"][
        "body"
    ]
