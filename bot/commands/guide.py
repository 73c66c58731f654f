"""`guide`: the avskriving guide, step by step."""

from __future__ import annotations

from bot.context import Ask
from bot.registry import Command
from bot.replies import Actions, Button, Heading, Paragraph, Reply


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    guide = bot.guide
    blocks: list = [Heading(guide.title)]
    blocks += [Paragraph(p) for p in guide.intro]
    blocks += [Paragraph(f"{n}. {step}") for n, step in enumerate(guide.steps, start=1)]
    blocks += [Paragraph(p) for p in guide.outro]
    if url := bot.guide_url():
        blocks.append(Actions((Button(t("guide.link"), "guide.link", url=url),)))
    return Reply(tuple(blocks), summary=guide.title)


COMMAND = Command(
    id="guide",
    aliases=(
        "guide",
        "veiledning",
        "rettleiing",
        "oppskrift",
        "brukerveiledning",
        "avskriving",
        "avskrive",
        "avskriv",
        "how to",
        "write off",
        "instructions",
    ),
    help_key="commands.guide",
    handler=handle,
    open_to_unknown=True,
    quick=True,
)
