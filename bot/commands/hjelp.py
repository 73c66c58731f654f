"""`hjelp`: built from the registry, so it always lists exactly the commands there are."""

from __future__ import annotations

from bot.context import Ask
from bot.registry import Command
from bot.replies import Block, Fields, Heading, Paragraph, Reply


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    role = ask.asker.role if ask.asker else None
    pairs = []
    for command in bot.registry.commands:
        if command.hidden or not (command.allows(role) or role is None):
            continue
        name = command.examples[0] if command.examples else command.aliases[0]
        if command.argument:
            name = f"{command.aliases[0]} <{t(command.argument)}>"
        text = t(command.help_key)
        if command.roles is not None:
            text += f" ({t('hjelp.only_for', who=', '.join(t('roles.' + r.value) for r in sorted(command.roles)))})"
        pairs.append((name, text))
    examples = [e for c in bot.registry.commands if c.allows(role) for e in c.examples]
    blocks: list[Block] = [
        Heading(t("hjelp.title")),
        Paragraph(t("hjelp.intro")),
        Fields(tuple(pairs)),
        Paragraph(f"{t('hjelp.examples')}: " + ", ".join(f"«{e}»" for e in examples)),
    ]
    return Reply(tuple(blocks), summary=t("hjelp.title"))


COMMAND = Command(
    id="hjelp",
    aliases=("hjelp", "help", "kommandoer", "commands", "hva kan du", "what can you do"),
    help_key="commands.hjelp",
    handler=handle,
    open_to_unknown=True,
    quick=True,
)
