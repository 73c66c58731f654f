"""Block Kit from the reply model, always within Slack's limits."""

from __future__ import annotations

from typing import Any

from adapters.slack.render import MAX_BLOCKS, MAX_TEXT, render
from adapters.slack.tests.harness import all_text
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


def _texts(node: Any) -> list[str]:
    """Every text a block carries (rich text counted per block, as Slack counts it)."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "rich_text":
            found.append(all_text(node["elements"]))
            return found
        if isinstance(node.get("text"), str):
            found.append(node["text"])
        for value in node.values():
            if isinstance(value, dict | list):
                found += _texts(value)
    elif isinstance(node, list):
        for value in node:
            found += _texts(value)
    return found


def _within_limits(blocks: list[dict[str, Any]], max_blocks: int = MAX_BLOCKS) -> None:
    assert len(blocks) <= max_blocks
    assert all(len(t) <= MAX_TEXT for t in _texts(blocks))
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section" and "fields" in block:
            assert len(block["fields"]) <= 10
        if block["type"] == "actions":
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))


def _items(
    n: int, title: str = "Søknad om tilskudd til drenering av jordbruksareal – gnr. 12/34"
) -> tuple[Item, ...]:
    return tuple(
        Item(f"2019/{i}-1", "01.02.2019", 300 + i, title, f"https://arkiv.example/{i}") for i in range(n)
    )


def test_bold_becomes_bold_and_titles_show_exactly_as_written() -> None:
    reply = Reply(
        (
            Paragraph("Du har **96** restanser."),
            ItemList((Item("2019/1-1", "01.01.2019", 5, "A *b* <c> & d"),)),
        )
    )
    blocks = render(reply).blocks
    paragraph = blocks[0]["elements"][0]["elements"]
    assert paragraph[1] == {"type": "text", "text": "96", "style": {"bold": True}}
    assert "A *b* <c> & d" in all_text(blocks[1]["elements"])


def test_a_journalpost_links_into_the_records_system() -> None:
    reply = Reply(
        (ItemList((Item("2019/1-1", "01.01.2019", 5, "Tittel", "https://arkiv.example/2019-1-1"),)),)
    )
    (block,) = render(reply).blocks
    first = block["elements"][0]["elements"][0]["elements"][0]
    assert first == {
        "type": "link",
        "url": "https://arkiv.example/2019-1-1",
        "text": "2019/1-1",
        "style": {"bold": True},
    }


def test_a_long_heading_is_shortened() -> None:
    (header,) = render(Reply((Heading("H" * 400),))).blocks
    assert (
        header["type"] == "header"
        and len(header["text"]["text"]) == 150
        and header["text"]["text"].endswith("…")
    )


def test_a_long_list_is_cut_to_fit_with_og_n_til_and_the_next_page_continues_after_it() -> None:
    blocks_before = (Heading("Dine restanser"), *(Paragraph(f"Linje {n}") for n in range(44)))
    reply = Reply(
        (
            *blocks_before,
            ItemList(_items(200), more=300, more_text="… og 300 til."),
            Actions((Button("Vis flere", "mine.page", "200"),)),
            Context("Tall fra restanselista per 16.12.2019."),
        )
    )
    blocks = render(reply, more=lambda n: f"… og {n} til.").blocks
    _within_limits(blocks)
    shown = sum(
        len(e["elements"])
        for b in blocks
        if b["type"] == "rich_text"
        for e in b["elements"]
        if e["type"] == "rich_text_list"
    )
    assert 0 < shown < 200
    assert f"… og {300 + 200 - shown} til." in all_text(blocks)
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == str(shown)  # page two starts right after the last item shown
    assert blocks[-1]["type"] == "context"  # the source line is kept


def test_a_list_within_the_limits_is_left_whole() -> None:
    reply = Reply(
        (
            ItemList(_items(10), more=86, more_text="… og 86 til."),
            Actions((Button("Vis flere", "mine.page", "10"),)),
        )
    )
    blocks = render(reply).blocks
    _within_limits(blocks)
    assert "… og 86 til." in all_text(blocks)
    assert blocks[-1]["elements"][0]["value"] == "10"


def test_two_hundred_items_fit_in_one_message() -> None:
    blocks = render(Reply((ItemList(_items(200)),))).blocks
    _within_limits(blocks)
    assert all_text(blocks).count("2019/") == 200


def test_a_table_is_monospaced_aligned_and_split_below_the_text_limit() -> None:
    rows = tuple(
        (f"E{i:03d}", f"Enhet nummer {i} med et ganske langt navn", str(i), str(i * 2)) for i in range(150)
    )
    table = Table(
        ("Kode", "Navn", "Før", "Nå"),
        rows,
        numeric=frozenset({2, 3}),
        footer=("Sum", "", "1", "2"),
        title="Restanser per enhet",
    )
    blocks = render(Reply((table,))).blocks
    _within_limits(blocks)
    preformatted = [e for b in blocks for e in b["elements"] if e["type"] == "rich_text_preformatted"]
    assert len(preformatted) > 1
    assert all(
        p["elements"][0]["text"].splitlines()[0].strip().startswith("Kode") for p in preformatted
    )  # header repeated
    assert "E149" in all_text(blocks) and "Sum" in all_text(blocks)


def test_more_than_ten_fields_take_several_sections() -> None:
    blocks = render(Reply((Fields(tuple((f"k{i}", f"v{i}") for i in range(23))),))).blocks
    _within_limits(blocks)
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]


def test_more_prose_than_a_message_holds_keeps_the_head_and_the_buttons() -> None:
    reply = Reply(
        (
            *(Paragraph(f"Steg {n}") for n in range(80)),
            Actions((Button("Veiledningen", "guide.link", url="https://x"),)),
        )
    )
    blocks = render(reply).blocks
    _within_limits(blocks)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "Steg 0" in all_text(blocks[:1])


def test_a_very_long_paragraph_is_split_into_blocks_below_the_limit() -> None:
    blocks = render(Reply((Paragraph("ord " * 2000),))).blocks
    _within_limits(blocks)
    assert len(blocks) == 3


def test_buttons_keep_their_action_value_url_and_style() -> None:
    reply = Reply(
        (
            Actions(
                (
                    Button("Vis veiledningen", "guide"),
                    Button("Neste", "mine.page", "10", style="primary"),
                    Button("Åpne", "guide.link", url="https://intranett/guide"),
                    Button("Igjen", "guide"),
                )
            ),
            Link("Veiledningen på nett", "https://intranett/guide"),
        )
    )
    actions, link = render(reply).blocks
    assert actions["elements"][0] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Vis veiledningen"},
        "action_id": "guide",
    }
    assert actions["elements"][1]["value"] == "10" and actions["elements"][1]["style"] == "primary"
    assert actions["elements"][2]["url"] == "https://intranett/guide"
    assert actions["elements"][3]["action_id"].startswith("guide#")  # unique within the block, still "guide"
    assert link["elements"][0]["elements"][0] == {
        "type": "link",
        "url": "https://intranett/guide",
        "text": "Veiledningen på nett",
    }


def test_the_fallback_text_is_the_summary_or_else_the_first_words() -> None:
    reply = Reply((Heading("Dine restanser"), Paragraph("Du har **3**.")), summary="Du har **3** restanser.")
    assert render(reply).text == "Du har 3 restanser."
    assert render(reply, use_summary=False).text == "Dine restanser"


def test_an_image_slack_can_fetch_is_an_image_and_a_local_one_a_link() -> None:
    public = render(
        Reply((Image("https://restansebot.kommune.no/charts/2019-12.png", "Restanser per enhet"),))
    ).blocks
    assert public == [{"type": "image", "image_url": "https://restansebot.kommune.no/charts/2019-12.png",
                       "alt_text": "Restanser per enhet"}]  # fmt: skip
    local = render(Reply((Image("http://127.0.0.1:3978/charts/2019-12.png", "Restanser per enhet"),))).blocks
    assert local[0]["type"] == "rich_text"
    assert local[0]["elements"][0]["elements"][0]["url"] == "http://127.0.0.1:3978/charts/2019-12.png"
    as_link = render(Reply((Image("https://x.example/c.png", "Diagram"),)), images=False).blocks
    assert as_link[0]["type"] == "rich_text"
