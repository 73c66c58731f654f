"""What the bot does with each Teams activity: questions and button presses in, Adaptive Cards out.

Every activity first records its conversation references (a write only when something changed). In a channel
or group chat the public part of an answer goes to the conversation and the private part (titles, names,
per-person figures) to the asker's 1:1 chat — private first, so the note in the channel is true.
"""

from __future__ import annotations

import html
import logging
import re

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes, Attachment, InvokeResponse
from microsoft_agents.hosting.core import AgentApplication, RouteRank, TurnContext, TurnState

from adapters.teams import cards
from adapters.teams.config import Retry
from adapters.teams.identity import TeamsPeople
from adapters.teams.references import References, conversation_kind, place_of
from adapters.teams.retry import GaveUp, with_retries
from adapters.teams.sending import TeamsSender
from bot import asking
from bot.delivery.port import DeliveryError
from bot.replies import Answer, Audience, Paragraph, Place, Reply
from bot.service import Restansebot
from bot.uploads import download, take_file
from restanse_core.model import Person

log = logging.getLogger("restansebot.teams")
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
CARD_ACTION_INVOKE = "adaptiveCard/action"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def from_a_bot(activity: Activity) -> bool:
    """Sent by a bot: Teams gives bots ids starting with 28: (people have 29:) and the role "bot"."""
    sender = activity.from_property
    return sender is not None and (sender.role == "bot" or (sender.id or "").startswith("28:"))


def plain_text(text: str | None) -> str:
    """What the person typed: without @mentions of the bot and without Teams' HTML."""
    if not text:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", _MENTION.sub(" ", text))).split())


class TeamsHandlers:
    def __init__(
        self,
        bot: Restansebot,
        people: TeamsPeople,
        references: References,
        sender: TeamsSender,
        retry: Retry,
        file_hosts: tuple[str, ...] = (),
    ) -> None:
        self.bot = bot
        self.people = people
        self.references = references
        self.sender = sender
        self.retry = retry
        self.file_hosts = file_hosts

    def register(self, app: AgentApplication[TurnState]) -> None:
        app.activity(ActivityTypes.message)(self.on_message)  # text, and Action.Submit presses (no text)
        app.add_route(self._is_card_action, self.on_card_action, is_invoke=True)
        app.installation_update()(self.on_installation)
        app.activity(ActivityTypes.conversation_update)(self.on_conversation_update)
        app.add_route(lambda context: True, self.on_other, rank=RouteRank.LAST)
        app.error(self.on_error)

    # ---- questions and buttons ----------------------------------------------------------------------

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        self.references.remember(activity)
        if from_a_bot(activity):
            return  # another bot (or this one's own message played back) is not asking anything
        press = cards.pressed(activity.value)
        text = plain_text(activity.text)
        shared = [a for a in activity.attachments or [] if a.content_type == FILE_DOWNLOAD_INFO]
        if shared:
            await self._file_shared(context, shared[0])
            return
        if press is None and not text:
            return
        place = place_of(activity)
        asker = await self.people.asker(context)
        answer = await self._ask(text, press, asker, place, cards.typed(activity.value))
        if answer.public.replaces and activity.reply_to_id and answer.private is None:
            await self._replace(context, activity.reply_to_id, answer.public, place)
            return
        await self._deliver(context, answer, place)

    async def _replace(self, context: TurnContext, activity_id: str, reply: Reply, place: Place) -> None:
        """The next step of a dialogue, in place of the card whose button was pressed."""
        shown = cards.message(cards.for_channel(reply) if place is Place.CHANNEL else reply)
        shown.id = activity_id
        await with_retries(lambda: context.update_activity(shown), self.retry)

    async def _file_shared(self, context: TurnContext, attachment: Attachment) -> None:
        """A file uploaded in the chat: the arkiv's month (see bot.uploads). Teams hands a pre-authenticated,
        short-lived downloadUrl; no token is sent with it, and only to the allowed file hosts."""
        activity = context.activity
        place = place_of(activity)
        asker = await self.people.asker(context)
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = str(content.get("downloadUrl") or "")
        name = str(attachment.name or "fila")

        async def fetch() -> bytes:
            return await download(url, hosts=self.file_hosts)

        turn_open = True

        async def say(reply: Reply) -> None:
            if turn_open:  # the acknowledgement, within the turn
                await self.say(context, reply, place)
            elif asker is not None:  # the preview, later: proactively into the same 1:1 chat
                await self.sender.send_direct(asker, reply, ref=f"upload:{activity.id or ''}")

        await take_file(self.bot, asker, place, name, f"teams:{activity.from_property.id}", fetch, say)
        turn_open = False

    @staticmethod
    def _is_card_action(context: TurnContext) -> bool:
        return context.activity.type == ActivityTypes.invoke and context.activity.name == CARD_ACTION_INVOKE

    async def on_card_action(self, context: TurnContext, state: TurnState) -> None:
        """Action.Execute (Universal Actions): answer as new messages, acknowledge the invoke."""
        activity = context.activity
        self.references.remember(activity)
        press = cards.pressed(activity.value)
        if press is not None:
            place = place_of(activity)
            answer = await self._ask(
                "", press, await self.people.asker(context), place, cards.typed(activity.value)
            )
            await self._deliver(context, answer, place)
        body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": "OK"}
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
        )

    async def _ask(
        self,
        text: str,
        press: tuple[str, str] | None,
        asker: Person | None,
        place: Place,
        inputs: dict[str, str] | None = None,
    ) -> Answer:
        # On the event loop when the bot's data are prepared; a slow question goes to a worker thread.
        if press is not None:
            return await asking.act(self.bot, press[0], press[1], asker, place, inputs)
        return await asking.answer(self.bot, text, asker, place)

    async def _deliver(self, context: TurnContext, answer: Answer, place: Place) -> None:
        public = answer.public
        if answer.private is not None and not await self._send_privately(context, answer.private):
            note = Paragraph(self.bot.texts("common.sent_privately"))
            kept = tuple(b for b in public.blocks if b != note)
            public = Reply((*kept, Paragraph(self.bot.texts("teams.private_failed"))), public.summary)
        await self.say(context, public, place)

    async def _send_privately(self, context: TurnContext, reply: Reply) -> bool:
        user = context.activity.from_property
        reference = self.references.user(user.id) if user and user.id else None
        if reference is None:
            return False
        try:
            await self.sender.send_to_user(reference, reply, proactive=False)
            return True
        except DeliveryError as exc:
            log.warning("Kunne ikke sende svaret privat i Teams: %s", exc.reason)
            return False

    async def say(self, context: TurnContext, reply: Reply, place: Place) -> None:
        """Reply in the conversation asked in; where others read along, never the sensitive blocks."""
        shown = cards.for_channel(reply) if place is Place.CHANNEL else reply
        activity = cards.message(shown)
        await with_retries(lambda: context.send_activity(activity), self.retry)

    # ---- installation and membership ---------------------------------------------------------------

    async def on_installation(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        self.references.remember(activity)
        place = place_of(activity)
        action = (activity.action or "").lower()
        if action.startswith("remove"):
            self._forget_installation(activity)
            return
        user_id = activity.from_property.id if activity.from_property else None
        if place is Place.DIRECT and user_id and self.people.identities.get(user_id) is None:
            # Pre-installation by policy reaches people who never wrote: learn their e-mail now, so the
            # monthly message can find them.
            await self.people.look_up(context, user_id)
        if action == "add":
            await self.say(context, self.welcome(activity), place)

    def welcome(self, activity: Activity) -> Reply:
        kind = conversation_kind(activity)
        return self.bot.welcome(
            {"channel": Audience.TEAM, "groupChat": Audience.GROUP}.get(kind or "", Audience.PERSON)
        )

    def _forget_installation(self, activity: Activity) -> None:
        place = place_of(activity)
        if place is Place.DIRECT and activity.from_property and activity.from_property.id:
            self.references.set_installed(f"user:{activity.from_property.id}", False)
        elif (
            team := (activity.channel_data or {}).get("team")
            if isinstance(activity.channel_data, dict)
            else None
        ):
            self.references.set_installed(f"team:{team.get('id')}", False)
        elif activity.conversation and conversation_kind(activity) == "groupChat":
            self.references.set_installed(f"group:{activity.conversation.id}", False)

    async def on_conversation_update(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        self.references.remember(activity)
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(m.id == bot_id for m in activity.members_removed or []):
            self._forget_installation(activity)

    async def on_other(self, context: TurnContext, state: TurnState) -> None:
        """Reactions, edits, deletions, typing and the like: nothing to answer, but the references are worth keeping.

        An invoke the bot does not handle (a file consent, a button on someone else's card) is acknowledged with
        an empty 200: Teams shows the person an error for anything else, and the SDK would answer 501.
        """
        self.references.remember(context.activity)
        if context.activity.type == ActivityTypes.invoke:
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
            )

    # ---- errors ------------------------------------------------------------------------------------

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Log what went wrong (never the activity or a response body) and tell the person, if Teams still listens."""
        if isinstance(error, aiohttp.ClientResponseError):
            log.error("Teams avviste et svar (HTTP %s)", error.status)
            return
        if isinstance(error, GaveUp | aiohttp.ClientError | TimeoutError):
            log.error("Teams svarte ikke (%s)", type(error).__name__)
            return
        log.error("Feil under behandling av en Teams-aktivitet", exc_info=error)
        try:
            await context.send_activity(self.bot.texts("teams.error"))
        except Exception as exc:  # the conversation may be the very thing that failed
            log.error("Kunne heller ikke si fra om feilen (%s)", type(exc).__name__)
