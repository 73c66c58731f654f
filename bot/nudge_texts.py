"""Nudge messages rendered from the Jinja2 templates: what the plan says, in the archive's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.plaintext import table_lines
from bot.replies import Table
from bot.texts import Texts
from bot.unit_table import procedure_table
from restanse_core.model import Organisation
from restanse_core.nudges import Kind, Plan, Planned, Unreachable
from restanse_core.settings import Settings


@dataclass(frozen=True)
class Rendered:
    planned: Planned
    text: str


def contacts_phrase(settings: Settings, texts: Texts) -> str:
    """The archive's contact people, each with the e-mail and phone the configuration gives."""
    names = []
    for c in settings.contacts:
        details = [d for d in (c.email, f"{texts('nudges.phone')} {c.phone}" if c.phone else None) if d]
        names.append(f"{c.name} ({', '.join(details)})" if details else c.name)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {texts('nudges.or')} " + names[-1]


def signature(settings: Settings, texts: Texts) -> dict[str, str]:
    """How every reminder ends, in chat and by e-mail: «Vennlig hilsen» and the archive's name."""
    name = settings.archive_name or texts("nudges.archive", organisation=settings.organisation_name)
    return {"sign_off": texts("nudges.sign_off"), "archive_name": name}


def plan_table(plan: Plan, texts: Texts, marked: set[str] | None = None) -> Table:
    return procedure_table(plan.table, texts, marked)


def _change(now: int, before: int | None, texts: Texts) -> str:
    if before is None or now == before:
        return texts("nudges.unchanged")
    return f"{now - before:+d}".replace("-", "−")


def plan_values(
    plan: Plan, org: Organisation, settings: Settings, texts: Texts, guide_url: str | None
) -> list[dict[str, Any]]:
    """What each planned message's templates are rendered with — the chat text and the e-mail alike.
    A leader's and the arkiv's `unit_table` is the procedure's table (a leader's own units marked)."""
    common: dict[str, Any] = {
        "as_of": plan.as_of,
        "deadline": plan.deadline,
        "threshold": plan.threshold,
        "guide": guide_url or texts("nudges.guide_in_chat"),
        "contacts": contacts_phrase(settings, texts),
        "previous_date": plan.table.period.previous.as_of if plan.table.period.previous else None,
        **signature(settings, texts),
    }
    leaders = sum(1 for m in plan.messages if m.kind == Kind.LEDER)
    out = []
    for message in plan.messages:
        values = dict(common, count=message.count)
        person = message.person
        values["first_name"] = person.name.split()[0] if person and person.name else message.recipient
        if message.kind == Kind.SAKSBEHANDLER:
            link = settings.records_link
            values["oldest"] = [
                {
                    "jp_id": r.jp_id,
                    "date": r.journal_date.strftime("%d.%m.%Y") if r.journal_date else "",
                    "days": r.days_open(plan.as_of),
                    "title": r.shown_title,
                    "link": link.replace("{id}", r.jp_id) if link else None,
                }
                for r in message.oldest
            ]
        elif message.kind == Kind.LEDER:
            values["unit_table"] = plan_table(plan, texts, set(message.own_units))
            values["own_units"] = message.own_units
            values["distribution"] = [
                {
                    "name": (f"{sb} ({org.people[sb].name})" if sb in org.people else sb)
                    if sb
                    else texts("common.ufordelt"),
                    "count": n,
                }
                for sb, n in message.distribution
            ]
            values["unreachable"] = _unreachable(message.unreachable, org, texts)
        elif message.kind == Kind.ARKIV:
            values.update(
                unit_table=plan_table(plan, texts),
                nudged=[
                    {"initials": i, "name": org.people[i].name if i in org.people else "", "count": n}
                    for i, n in plan.nudged
                ],
                leaders=leaders,
                unreachable=_unreachable(plan.unreachable, org, texts),
                unknown_units=plan.unknown_units,
                unknown_people=plan.unknown_people,
            )
        else:  # KANAL: totals and change only, never names or titles
            unit = org.units.get(message.recipient)
            values.update(
                unit=message.recipient,
                unit_name=unit.name if unit else "",
                previous=message.previous,
                change=_change(message.count, message.previous, texts),
            )
        out.append(values)
    return out


def _unreachable(rows: list[Unreachable], org: Organisation, texts: Texts) -> list[dict[str, Any]]:
    return [
        {
            "initials": u.initials,
            "name": org.people[u.initials].name if u.initials in org.people else "",
            "count": u.count,
            "reason": texts(f"nudges.{u.reason}"),
        }
        for u in rows
    ]


def render_plan(
    plan: Plan,
    org: Organisation,
    settings: Settings,
    texts: Texts,
    guide_url: str | None,
    table_mark: str | None = None,
) -> list[Rendered]:
    """Every planned message as text. With `table_mark`, the mark stands where the table would be, so a platform
    can show the table natively."""
    env = texts.jinja
    out = []
    for message, values in zip(
        plan.messages, plan_values(plan, org, settings, texts, guide_url), strict=True
    ):
        if "unit_table" in values:
            values["table"] = table_mark or "\n".join(table_lines(values["unit_table"]))
        text = env.get_template(f"{message.kind.value}.txt.j2").render(**values)
        out.append(Rendered(message, text.strip() + "\n"))
    return out
