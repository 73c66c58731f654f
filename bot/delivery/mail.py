"""The messages as e-mail: subject, plain text and HTML from the templates in templates/{lang}/epost/.

Rendered when a message is planned, from the same values as the chat text (bot.nudge_texts.plan_values), so an
e-mail says what the chat message says: the count, the oldest items (offentlig tittel or «(skjermet)» for
restricted ones), the deadline, the guide, the archive's contacts; for leaders and the arkiv the table as an
HTML table and the month's chart inline. An archive overrides any template from its `template_dir`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.delivery.port import Mail, Picture
from bot.nudge_texts import plan_values, signature
from bot.plaintext import table_lines
from bot.texts import Texts
from restanse_core.guide import Guide
from restanse_core.model import Organisation
from restanse_core.nudges import Kind, Plan
from restanse_core.settings import Settings


def mail_values(settings: Settings, texts: Texts) -> dict[str, Any]:
    """What every e-mail says at the end: who at the archive to ask, and who sent it."""
    return {
        "lang": texts.language,
        "organisation": settings.organisation_name,
        **signature(settings, texts),
    }


def render_mail(kind: str, values: dict[str, Any], texts: Texts, pictures: Sequence[Picture] = ()) -> Mail:
    """One message of `kind` as e-mail. The HTML template is autoescaped; the subject is one line."""
    env = texts.jinja
    subject = " ".join(env.get_template(f"epost/{kind}.subject.txt.j2").render(**values).split())
    shown = {"chart": {"cid": pictures[0].cid, "alt": pictures[0].alt} if pictures else None}
    text = env.get_template(f"epost/{kind}.txt.j2").render(**values, subject=subject, **shown)
    html = env.get_template(f"epost/{kind}.html.j2").render(**values, subject=subject, **shown)
    return Mail(subject, text.strip() + "\n", html.strip() + "\n", tuple(pictures))


def plan_mails(
    plan: Plan,
    org: Organisation,
    settings: Settings,
    texts: Texts,
    guide: Guide,
    guide_url: str | None,
    chart: Picture | None = None,
) -> list[Mail | None]:
    """Every planned message as e-mail, in the plan's order; None for a unit channel (chat only)."""
    common = {**mail_values(settings, texts), "guide_url": guide_url, "guide_steps": guide}
    out: list[Mail | None] = []
    for message, values in zip(
        plan.messages, plan_values(plan, org, settings, texts, guide_url), strict=True
    ):
        if message.kind == Kind.KANAL:
            out.append(None)
            continue
        if "unit_table" in values:  # the plain-text part shows the table as aligned text
            values["table"] = "\n".join(table_lines(values["unit_table"]))
        pictures = [chart] if chart is not None and message.kind in (Kind.LEDER, Kind.ARKIV) else []
        out.append(render_mail(message.kind.value, {**common, **values}, texts, pictures))
    return out
