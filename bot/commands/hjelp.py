"""`hjelp`: built from the registry, so it always lists exactly the commands there are."""

from __future__ import annotations

from bot.context import Ask
from bot.registry import Command
from bot.replies import Block, Fields, Heading, Paragraph, Reply


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    role = ask.asker.role if ask.asker else None
    shown = [
        c
        for c in bot.registry.commands
        if not c.hidden
        and (c.allows(role) or role is None)
        and (bot.records is not None or not c.needs_source)
    ]
    pairs = []
    for command in shown:
        name = command.name(t)
        if command.argument:
            name = f"{name} <{t(command.argument)}>"
        text = t(command.help_key)
        if command.roles is not None:  # said once, here: the help texts themselves do not name the roles
            who = ", ".join(t("roles." + r.value) for r in sorted(command.roles))
            text = f"{text.rstrip('.')} ({t('hjelp.only_for', who=who)})."
        pairs.append((name, text))
    examples = [e for c in shown if c.allows(role) for e in c.examples(t)]
    blocks: list[Block] = [
        Heading(t("hjelp.title")),
        Paragraph(t("hjelp.intro")),
        Fields(tuple(pairs)),
        Paragraph(f"{t('hjelp.examples')}: " + ", ".join(f"«{e}»" for e in examples)),
    ]
    return Reply(tuple(blocks), summary=t("hjelp.title"))


COMMAND = Command(
    id="hjelp",
    aliases=(
        "hjelp",
        "help",
        "kommandoer",
        "kommandoar",
        "commands",
        "hva kan du",
        "kva kan du",
        "what can you do",
    ),
    help_key="commands.hjelp",
    handler=handle,
    open_to_unknown=True,
    quick=True,
)
