"""What the bot does with each kind of Slack request: translate it into a question for the bot, and the
answer back into Slack messages in the right place.

Where answers go:
- a direct message to the bot → the answer in that DM;
- a mention in a channel → what anyone may read in the channel (in the thread, if asked in one), the
  rest (titles, names, per-person figures) to the asker's DM with the bot;
- `/restanser` and buttons outside the DM → an ephemeral answer that only the asker sees, so it may be
  complete; inside the DM (or the App Home) → an ordinary message in the DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.home import publish_home
from adapters.slack.identity import SlackIdentities
from adapters.slack.middleware import ASKER, WHO_UNKNOWN, is_direct
from adapters.slack.render import Message, inputs, render
from bot import asking
from bot.replies import Answer, Paragraph, Place, Renderings, Reply
from bot.service import Restansebot
from bot.uploads import SUFFIXES, download, take_file

log = logging.getLogger("restansebot.slack")
SLASH_COMMAND = "/restanser"
EMPTY_COMMAND = "mine restanser"  # "/restanser" alone means the asker's own list


class Listeners:
    def __init__(
        self,
        bot: Restansebot,
        client: AsyncWebClient,
        identities: SlackIdentities,
        file_hosts: tuple[str, ...] = (),
    ) -> None:
        self.bot = bot
        self.client = client
        self.identities = identities
        self.file_hosts = file_hosts
        self._rendered = Renderings(self._render)

    # ---- the bot: on the event loop when its data are prepared, else in a worker thread -------------------

    async def _answer(self, text: str, context: AsyncBoltContext, place: Place) -> Answer:
        if context.get(WHO_UNKNOWN):
            return self._saying("slack.who_unknown")
        try:
            return await asking.answer(self.bot, text, context.get(ASKER), place)
        except Exception:
            log.exception("Svaret på et spørsmål i Slack feilet")
            return self._saying("slack.failed")

    async def _act(
        self, action: str, value: str, context: AsyncBoltContext, place: Place, inputs: dict[str, str]
    ) -> Answer:
        if context.get(WHO_UNKNOWN):
            return self._saying("slack.who_unknown")
        try:
            return await asking.act(self.bot, action, value, context.get(ASKER), place, inputs)
        except Exception:
            log.exception("Svaret på et knappetrykk i Slack feilet")
            return self._saying("slack.failed")

    def _saying(self, phrase: str) -> Answer:
        return Answer(Reply((Paragraph(self.bot.texts(phrase)),)))

    def _message(self, reply: Reply, *, use_summary: bool = True) -> Message:
        return self._rendered(reply) if use_summary else self._render(reply, use_summary=False)

    def _render(self, reply: Reply, *, use_summary: bool = True) -> Message:
        return render(reply, more=lambda n: self.bot.texts("common.more", n=n), use_summary=use_summary)

    async def _post(
        self, channel: str, reply: Reply, *, thread_ts: str | None = None, use_summary: bool = True
    ) -> None:
        message = self._message(reply, use_summary=use_summary)
        await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message.as_kwargs())

    async def _ephemeral(self, respond: AsyncRespond, reply: Reply) -> None:
        await respond(response_type="ephemeral", replace_original=False, **self._message(reply).as_kwargs())

    def _is_dm_with_bot(self, user: str, channel: str) -> bool:
        return channel == self.identities.known_dm(user)

    # ---- listeners -------------------------------------------------------------------------------------------

    async def direct_message(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        user, channel = event.get("user"), event.get("channel")
        if not is_direct(event) or not user or not channel:
            return  # only DMs are questions; the app does not read channels
        self.identities.remember_dm(user, channel)
        files = [f for f in event.get("files") or [] if isinstance(f, dict)]
        if files and not context.get(WHO_UNKNOWN):
            await self._file_shared(files[0], user, channel, context)
            return
        answer = await self._answer(event.get("text") or "", context, Place.DIRECT)
        await self._post(channel, answer.public, thread_ts=event.get("thread_ts"))

    async def _file_shared(
        self, file: dict[str, Any], user: str, channel: str, context: AsyncBoltContext
    ) -> None:
        """A file dropped into the DM: the arkiv's month (see bot.uploads); fetched with the bot token, which
        goes to Slack's file hosts only."""
        if file.get("file_access") == "check_file_info" and file.get("id"):
            # Slack sometimes sends only the id («check_file_info»): the rest comes from files.info
            try:
                file = dict((await self.client.files_info(file=str(file["id"]))).get("file") or file)
            except SlackApiError as exc:
                log.warning("Fikk ikke slått opp fila i Slack (%s)", exc.response.get("error"))
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        token = self.client.token or ""

        async def fetch() -> bytes:
            return await download(url, hosts=self.file_hosts, headers={"Authorization": f"Bearer {token}"})

        async def say(reply: Reply) -> None:
            await self._post(channel, reply)

        name = str(file.get("name") or file.get("title") or "fila")
        await take_file(self.bot, context.get(ASKER), Place.DIRECT, name, f"slack:{user}", fetch, say)

    async def mention(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        user, channel = event.get("user"), event.get("channel")
        if not user or not channel:
            return  # Slack always says who and where; a request that does not is nobody's question
        thread = event.get("thread_ts")
        if _import_files(event) and not context.get(WHO_UNKNOWN):
            # An export shared in a channel is never read (others can see it there): say where it is read.
            await self._post(channel, self._saying("upload.not_in_channel").public, thread_ts=thread)
            return
        answer = await self._answer(event.get("text") or "", context, Place.CHANNEL)
        await self._post(channel, answer.public, thread_ts=thread, use_summary=answer.private is None)
        if answer.private is None:
            return
        try:
            await self._post(await self.identities.dm(user), answer.private)
        except SlackApiError as exc:  # no DM to be had: show it to the asker alone, in the channel
            log.warning(
                "Fikk ikke sendt svaret privat i Slack (%s); sender det flyktig", exc.response.get("error")
            )
            message = self._message(answer.private)
            await self.client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread, **message.as_kwargs()
            )

    async def slash_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        text = (command.get("text") or "").strip() or EMPTY_COMMAND
        user, channel = command.get("user_id"), command.get("channel_id")
        if not user:
            return
        answer = await self._answer(text, context, Place.DIRECT)
        if channel is not None and self._is_dm_with_bot(user, channel):
            await self._post(channel, answer.public)
        else:
            await self._ephemeral(respond, answer.public)

    async def button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:  # fmt: skip
        await ack()
        action_id = str(action.get("action_id") or "").split("#")[0]
        user = (body.get("user") or {}).get("id")
        if action.get("url") or not user:
            return  # a link button opens in the browser; Slack only tells us it was pressed
        channel = (body.get("channel") or {}).get("id")
        value = str(action.get("value") or "")
        answer = await self._act(action_id, value, context, Place.DIRECT, inputs(body))
        reply = answer.public
        container = body.get("container") or {}
        if container.get("type") == "view":  # the Home tab: answer in the DM
            await self._post(await self.identities.dm(user), reply)
        elif channel is not None and self._is_dm_with_bot(user, channel):
            ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
            if reply.replaces and ts:  # the next step of a dialogue, in place of the message pressed
                await self.client.chat_update(channel=channel, ts=str(ts), **self._message(reply).as_kwargs())
            else:
                await self._post(channel, reply)
        elif reply.replaces:
            await respond(replace_original=True, **self._message(reply).as_kwargs())
        else:
            await self._ephemeral(respond, reply)

    async def home_opened(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        user = event.get("user")
        if event.get("tab") != "home" or context.get(WHO_UNKNOWN) or not user:
            return  # (if Slack cannot say who it is, the tab keeps what it showed last)
        await publish_home(self.client, self.bot, user, context.get(ASKER))


def _import_files(event: dict[str, Any]) -> bool:
    """The message shares a file of a kind the arkiv imports (a screenshot beside a question is not one)."""
    files = event.get("files") or []
    return any(isinstance(f, dict) and str(f.get("name") or "").lower().endswith(SUFFIXES) for f in files)
