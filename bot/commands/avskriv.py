"""«Avskriv»: write one of one's own restanser off in the records system, from the chat.

A dialogue in one message: «Avskriv» beside an item in «mine restanser» (or «avskriv 2019/1234-5») → the
method, from the codes the archive offers in chat → an optional note and «Avskriv» to confirm → the records
system's answer. Each step after the first takes the place of the one before. The bot's rules (whose item, which
codes, a login, notes to several people) are checked before every step; the records system is asked only on the
confirmation, once (see `restanse_core.sources.writeoff`).
"""

from __future__ import annotations

import asyncio

from bot.context import Ask
from bot.registry import Action, Command
from bot.replies import Actions, Block, Button, Heading, Input, Paragraph, Reply
from bot.sources import Records, RecordsSystem
from restanse_core.model import Person
from restanse_core.sources.port import RestanseSource
from restanse_core.sources.writeoff import Answer, Status, check, write_off

START, CODE, YES, NO = "avskriv.velg", "avskriv.kode", "avskriv.ja", "avskriv.nei"
NOTE = "merknad"  # the note field's id: its value comes back with «Avskriv»
ALL = "alle"  # in a confirmation's value: a note to several people, written off for all of them
SEP = "|"  # between the parts of a button's value (a journalpost id has none)


def handle(ask: Ask) -> Reply:
    t, records = ask.bot.texts, ask.bot.records
    assert ask.asker is not None
    system = records.available() if records is not None else None
    if records is None or system is None:
        return _say(ask, t("avskriv.no_source"))
    jp_id, code, rest = _parts(ask)
    if not jp_id:
        return _say(ask, t("avskriv.which"))
    if ask.action == NO:
        return _say(ask, t("avskriv.cancelled", jp=jp_id))
    if ask.action == YES:
        return _write_off(ask, records, jp_id, code, all_recipients=rest == ALL)
    engine, settings = ask.bot.engine, ask.bot.settings
    answer, _ = check(engine, system, settings, person=ask.asker, jp_id=jp_id, code=code)
    if answer.status not in (Status.READY, Status.CONFIRM):
        return _say(ask, answer.message)
    if code is None:
        return _methods(ask, answer.jp_id)
    return _confirmation(ask, system, answer, code, note=rest if ask.action == "" else "")


def _parts(ask: Ask) -> tuple[str, str | None, str]:
    """(journalpost, code or None, the rest): from a button's value «2019/1234-5|TE|alle», or from what was typed
    after «avskriv»: «2019/1234-5 TE svar sendt på e-post» (the rest is then the note)."""
    if ask.action:
        jp_id, _, tail = ask.argument.partition(SEP)
        code, _, rest = tail.partition(SEP)
        return jp_id.strip(), code.strip().upper() or None, rest
    words = ask.argument.split()
    if not words:
        return "", None, ""
    codes = ask.bot.settings.chat_codes()
    if len(words) > 1 and words[1].upper() in codes:
        return words[0], words[1].upper(), " ".join(words[2:])
    return words[0], None, ""


def _say(ask: Ask, text: str) -> Reply:
    return Reply(
        (Paragraph(text, sensitive=True),), summary=text.replace("**", ""), replaces=_in_dialogue(ask)
    )


def _in_dialogue(ask: Ask) -> bool:
    """Pressed inside the dialogue's own message: the answer takes its place. «Avskriv» in the list (START) or a
    typed command opens a new message — the list is never replaced, not even by a refusal."""
    return ask.action in (CODE, YES, NO)


def _methods(ask: Ask, jp_id: str) -> Reply:
    t = ask.bot.texts
    buttons = [
        Button(f"{code} – {kind.label}", CODE, SEP.join((jp_id, code)))
        for code, kind in ask.bot.settings.chat_codes().items()
    ]
    buttons.append(Button(t("avskriv.cancel"), NO, jp_id))
    blocks: tuple[Block, ...] = (
        Heading(t("avskriv.title", jp=jp_id), sensitive=True),
        Paragraph(t("avskriv.choose"), sensitive=True),
        Actions(tuple(buttons), sensitive=True),
    )
    return Reply(blocks, summary=t("avskriv.title", jp=jp_id), replaces=ask.action == CODE)


def _confirmation(ask: Ask, system: RecordsSystem, answer: Answer, code: str, note: str) -> Reply:
    t = ask.bot.texts
    label = ask.bot.settings.chat_codes()[code].label.lower()
    question = t("avskriv.confirm", jp=answer.jp_id, code=code, label=label, system=system.name)
    value = SEP.join((answer.jp_id, code, ALL if answer.status is Status.CONFIRM else ""))
    blocks: tuple[Block, ...] = (
        Heading(t("avskriv.title", jp=answer.jp_id), sensitive=True),
        Paragraph(answer.message if answer.status is Status.CONFIRM else question, sensitive=True),
        Input(NOTE, t("avskriv.note", system=system.name), t("avskriv.note_hint"), value=note),
        Actions(
            (
                Button(t("avskriv.yes"), YES, value, style="primary"),
                Button(t("avskriv.cancel"), NO, answer.jp_id),
            ),
            sensitive=True,
        ),
    )
    return Reply(blocks, summary=t("avskriv.title", jp=answer.jp_id), replaces=_in_dialogue(ask))


def _write_off(ask: Ask, records: Records, jp_id: str, code: str | None, *, all_recipients: bool) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    person: Person = ask.asker  # type: ignore[assignment]  # (checked by the handler)
    if code is None:
        return _say(ask, t("avskriv.which"))
    note = (ask.inputs.get(NOTE) or "").strip() or None

    async def ask_the_records_system(source: RestanseSource) -> Answer:
        return await write_off(
            bot.engine, source, bot.settings, records.clock, person=person, jp_id=jp_id, code=code, note=note,
            confirm_all=all_recipients, protected=records.protected,
        )  # fmt: skip

    answer = asyncio.run(records.using(ask_the_records_system))
    text = answer.message
    if answer.status is Status.DONE:
        bot.invalidate()  # the item leaves the list at once (under `serve`: as soon as the new data are prepared)
        others = [sb for sb in answer.removed_from if sb != person.initials]
        if others:
            text += " " + t("avskriv.removed_from", who=", ".join(others))
    return _say(ask, text)


COMMAND = Command(
    id="avskriv",
    aliases=("avskriv", "avskriv restanse", "skriv av", "write off"),
    argument="commands.arg_avskriv",
    help_key="commands.avskriv",
    handler=handle,
    actions=(Action(START), Action(CODE), Action(YES, confirms=True), Action(NO)),
    needs_source=True,
)
