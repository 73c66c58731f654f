"""The delivery report: sent, failed with reason, uncertain, skipped — for `nudges status` and the arkiv."""

from __future__ import annotations

from bot.delivery.outbox import Outbox, Period
from bot.texts import Texts

ORDER = ("sent", "failed", "uncertain", "skipped", "pending", "in_flight")


def delivery_report(outbox: Outbox, period: Period, texts: Texts) -> str:
    items = [i for i in outbox.items(period.period) if i.kind != "rapport"]
    counts = {status: sum(1 for i in items if i.status == status) for status in ORDER}
    return (
        texts.jinja.get_template("rapport.txt.j2")
        .render(
            period=period,
            counts=counts,
            total=len(items),
            failed=[i for i in items if i.status == "failed"],
            uncertain=[i for i in items if i.status == "uncertain"],
            skipped=[i for i in items if i.status == "skipped"],
            waiting=[i for i in items if i.status in ("pending", "in_flight")],
        )
        .strip()
        + "\n"
    )
