"""The App Home tab: the person's own summary (count, oldest first, what left the list, the guide),
published afresh each time they open it. Only its owner sees a Home tab, so it may hold titles."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render
from bot.replies import Place, Reply
from bot.service import Restansebot
from restanse_core.clock import OSLO
from restanse_core.model import Person

MAX_HOME_BLOCKS = 100


def home_view(bot: Restansebot, reply: Reply) -> dict[str, Any]:
    t = bot.texts
    closing = [
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "plain_text", "text": t("slack.home_hint"), "emoji": False},
                {
                    "type": "plain_text",
                    "text": t(
                        "slack.home_updated", time=bot.clock.now().astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
                    ),
                    "emoji": False,
                },
            ],
        },
    ]
    body = render(reply, max_blocks=MAX_HOME_BLOCKS - len(closing), more=lambda n: t("common.more", n=n))
    return {"type": "home", "blocks": [*body.blocks, *closing]}


async def publish_home(client: AsyncWebClient, bot: Restansebot, user_id: str, asker: Person | None) -> None:
    reply = (await asyncio.to_thread(bot.run, "mine", asker, Place.DIRECT)).public
    await client.views_publish(user_id=user_id, view=home_view(bot, reply))
