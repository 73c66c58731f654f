"""`send påminnelser` (arkiv): the month's reminders previewed in chat, sent when confirmed with the button."""

from __future__ import annotations

from bot.commands.common import d
from bot.context import Ask
from bot.delivery.model import PLANNED, MessageKind, Status
from bot.delivery.period import plan_into_outbox
from bot.registry import Action, Command
from bot.replies import Actions, Block, Button, Fields, Heading, Paragraph, Reply
from bot.texts import echo
from restanse_core.model import Rolle

CONFIRM = "send.confirm"


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    sending = bot.sending
    if not sending.can_send:
        return Reply((Paragraph(t("send.not_serving")),))
    if ask.confirmed:  # the confirm button, with the period it previewed
        period = sending.outbox.get_period(ask.argument)
        if period is None:
            return Reply((Paragraph(t("send.unknown_period", period=echo(ask.argument))),))
        sending.spawn(sending.deliver(ask.argument))
        return Reply((Paragraph(t("send.started", period=ask.argument)),))
    assert ask.asker is not None
    planned = plan_into_outbox(bot, sending.outbox, None, bot.today(), ask.asker.initials, sending.chart_url)
    if planned is None:
        return Reply((Paragraph(t("common.no_snapshot")),))
    key, _ = planned
    period = sending.outbox.get_period(key)
    assert period is not None
    items = sending.outbox.items(key, PLANNED)
    waiting = [i for i in items if i.status == Status.PENDING]
    counts = {kind.value: sum(1 for i in waiting if i.kind == kind) for kind in PLANNED}
    blocks: list[Block] = [
        Heading(t("send.title", period=key)),
        Fields(
            (
                (t("send.list"), d(period.snapshot_as_of)),
                (t("send.send_date"), d(period.send_date)),
                (t("send.deadline"), period.deadline.strftime("%d.%m.%y")),
                *((t(f"send.kind.{kind}"), str(n)) for kind, n in counts.items() if n),
            )
        ),
    ]
    if not waiting:
        blocks.append(Paragraph(t("send.nothing_left", period=key)))
        return Reply(tuple(blocks), summary=t("send.title", period=key))
    example = next((i for i in waiting if i.kind == MessageKind.SAKSBEHANDLER), waiting[0])
    blocks += [
        Paragraph(t("send.example", recipient=example.recipient)),
        Paragraph(example.text, sensitive=True),
        Actions((Button(t.plural("send.confirm", len(waiting)), CONFIRM, key, style="primary"),)),
    ]
    return Reply(tuple(blocks), summary=t("send.title", period=key))


COMMAND = Command(
    id="send",
    aliases=("send påminnelser", "send paminnelser", "send påminningar", "send reminders", "send nudges"),
    help_key="commands.send",
    handler=handle,
    roles=frozenset({Rolle.ARKIV}),
    actions=(Action(CONFIRM, confirms=True),),
)
