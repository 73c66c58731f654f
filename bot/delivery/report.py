"""The delivery report: who was reached on which channel, who through a detour, who not and why — for
`nudges status` and, in chat or e-mail, for the arkiv."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.delivery.mail import mail_values, render_mail
from bot.delivery.model import WAITING, MessageKind, Status
from bot.delivery.outbox import Item, Outbox, Period
from bot.delivery.port import Mail
from bot.delivery.routing import channel_label
from bot.texts import Texts
from restanse_core.settings import Settings
from restanse_core.store.tables import SnapshotRow


def _via(texts: Texts, platform: str) -> str:
    """«i Teams», «på e-post (levert til e-posttjenesten)»: how a message that went out got there."""
    try:
        return texts(f"channels.via.{platform}")
    except KeyError:
        return texts("channels.via_other", channel=channel_label(texts, platform))


def _values(outbox: Outbox, period: Period, texts: Texts) -> dict[str, Any]:
    items = [i for i in outbox.items(period.period) if i.kind != MessageKind.RAPPORT]
    counts = {status.value: sum(1 for i in items if i.status == status) for status in Status}
    sent = [i for i in items if i.status == Status.SENT]
    per_channel = Counter(i.platform or "" for i in sent)

    def row(i: Item) -> dict[str, Any]:
        return {
            "recipient": i.recipient,
            "kind": i.kind,
            "platform": i.platform,
            "channel": channel_label(texts, i.platform) if i.platform else "",
            "reason": i.reason,
            "route": i.route,
        }

    return {
        "period": period,
        "imported_by": _imported_by(outbox, period),
        "counts": counts,
        "total": len(items),
        "by_channel": [{"n": n, "how": _via(texts, p)} for p, n in per_channel.most_common() if p],
        "detours": [row(i) for i in sent if i.route],
        "failed": [row(i) for i in items if i.status == Status.FAILED],
        "uncertain": [row(i) for i in items if i.status == Status.UNCERTAIN],
        "skipped": [row(i) for i in items if i.status == Status.SKIPPED],
        "waiting": [row(i) for i in items if i.status in WAITING],
    }


def _imported_by(outbox: Outbox, period: Period) -> str | None:
    """Who imported the list the period was planned from (e.g. «ARK via teams:29:…», «cli:anne»)."""
    with outbox.engine.connect() as conn:
        return conn.execute(
            select(SnapshotRow.imported_by).where(SnapshotRow.as_of == period.snapshot_as_of)
        ).scalar()


def delivery_report(outbox: Outbox, period: Period, texts: Texts) -> str:
    values = _values(outbox, period, texts)
    return texts.jinja.get_template("rapport.txt.j2").render(**values).strip() + "\n"


def report_mail(outbox: Outbox, period: Period, texts: Texts, settings: Settings) -> Mail:
    """The same report as e-mail, for an arkiv the chat does not reach."""
    return render_mail(
        MessageKind.RAPPORT, {**mail_values(settings, texts), **_values(outbox, period, texts)}, texts
    )
