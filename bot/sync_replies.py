"""What the chat says about a sync from the records system: the result for the asker of «oppdater», the held
list's preview with «Lagre likevel» / «Forkast», and the arkiv's notices (a failure streak, working again,
items written off from the bot that came back). Ids only, never titles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.replies import Actions, Block, Button, Context, Fields, Heading, Paragraph, Reply
from bot.texts import Texts
from restanse_core.calendar import long_date
from restanse_core.settings import Settings

if TYPE_CHECKING:  # the sync brings pandas: loaded only when a sync runs
    from restanse_core.sources.sync import SyncResult

SAVE, DISCARD = "oppdater.lagre", "oppdater.forkast"
SHOWN = 30  # unknown units and people named in a summary; the rest counted


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" … (+{len(items) - SHOWN})" if len(items) > SHOWN else "")


def result_reply(t: Texts, system: str, result: SyncResult, settings: Settings) -> Reply:
    """The asker's answer when «oppdater» is done: stored, skipped, busy, failed or held."""
    if result.status == "held":
        return held_preview(t, system, result, settings)
    if result.status == "busy":
        return Reply((Paragraph(t("sync.busy")),), summary=t("sync.busy"))
    if result.status == "failed":
        title = t("sync.failed_title", system=system)
        return Reply((Heading(title), Paragraph(result.message)), summary=title)
    if result.status == "skipped":
        title = t("sync.skipped_title", system=system)
        return Reply((Heading(title), Paragraph(result.message)), summary=title)
    return stored_reply(t, system, result)


def stored_reply(t: Texts, system: str, result: SyncResult) -> Reply:
    title = t("sync.replaced_title" if result.replaced else "sync.stored_title", system=system)
    summary = result.summary
    fields = [
        (t("sync.list_date"), long_date(result.as_of)),
        (t("sync.restanser"), t.number(summary.restanser if summary else 0)),
    ]
    if summary is not None and summary.previous is not None:
        day, count = summary.previous
        if day != result.as_of:
            fields.append((t("sync.previous"), f"{t.number(count)} ({long_date(day)})"))
    fields.append(
        (
            t("sync.monthly"),
            t("sync.yes_monthly", month=t.month(result.as_of)) if result.monthly else t("sync.no"),
        )
    )
    if summary is not None and summary.unknown_units:
        fields.append((t("sync.unknown_units"), _names(summary.unknown_units)))
    if summary is not None and summary.unknown_people:
        fields.append((t("sync.unknown_people"), _names(summary.unknown_people)))
    if result.logins_filled:
        fields.append((t("sync.logins"), t.number(result.logins_filled)))
    blocks: list[Block] = [Heading(title), Fields(tuple(fields))]
    if result.reappeared:
        blocks.append(Paragraph(reappeared_text(t, system, result.reappeared)))
    return Reply(tuple(blocks), summary=title)


def held_preview(t: Texts, system: str, result: SyncResult, settings: Settings) -> Reply:
    """The held list: its count against the last stored list's, why it was held, and the two buttons."""
    title = t("sync.held_title", system=system)
    count = result.summary.restanser if result.summary else 0
    previous = result.summary.previous if result.summary else None
    if count == 0 or previous is None:
        why = t("sync.held_empty", system=system, date=long_date(result.as_of))
    else:
        why = t(
            "sync.held_fewer",
            system=system,
            n=t.amount(count, "restanse"),
            date=long_date(result.as_of),
            previous=t.number(previous[1]),
            previous_date=long_date(previous[0]),
            share=round(settings.min_share_of_previous * 100),
        )
    fields = [(t("sync.held_count"), f"{t.number(count)} ({long_date(result.as_of)})")]
    if previous is not None:
        fields.append((t("sync.previous"), f"{t.number(previous[1])} ({long_date(previous[0])})"))
    value = str(result.run_id or "")
    blocks: list[Block] = [
        Heading(title),
        Paragraph(why),
        Fields(tuple(fields)),
        Paragraph(t("sync.held_ask")),
        Actions(
            (
                Button(t("sync.save"), SAVE, value, style="primary"),
                Button(t("sync.discard"), DISCARD, value),
            )
        ),
        Context(t("sync.held_typed")),
    ]
    return Reply(tuple(blocks), summary=title)


def failed_notice(t: Texts, system: str, result: SyncResult) -> Reply:
    """The first failure of a streak, for the arkiv: the reason, and that the last good list still applies."""
    title = t("sync.failed_title", system=system)
    return Reply((Heading(title), Paragraph(result.message), Context(t("sync.failed_streak"))), summary=title)


def recovered_notice(t: Texts, system: str, result: SyncResult) -> Reply:
    text = t("sync.recovered", system=system, message=result.message)
    return Reply((Paragraph(text),), summary=text[:150])


def reappeared_text(t: Texts, system: str, ids: list[str]) -> str:
    return t("sync.reappeared", system=system, n=len(ids), ids=_names(ids))


def reappeared_notice(t: Texts, system: str, ids: list[str]) -> Reply:
    text = reappeared_text(t, system, ids)
    return Reply((Paragraph(text),), summary=text[:150])
