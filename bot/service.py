"""The bot itself: from a person's words (or a button) to an answer, the same for every platform."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, Engine

from bot.commands import build_registry
from bot.context import Ask
from bot.delivery.outbox import Outbox
from bot.delivery.port import Sender
from bot.delivery.runner import Deliveries
from bot.registry import Registry
from bot.replies import Actions, Answer, Audience, Button, Heading, Paragraph, Place, Reply
from bot.sources import Records
from bot.texts import Texts, echo
from restanse_core.calendar import WorkCalendar
from restanse_core.clock import Clock, SystemClock, today
from restanse_core.guide import Guide, load_guide
from restanse_core.model import Organisation, Person, Restanse
from restanse_core.reports import (
    Period,
    PersonFigures,
    UnitTable,
    choose_period,
    first_pages,
    person_figures,
    shared_notes,
    unit_table,
)
from restanse_core.reports import oldest as read_oldest
from restanse_core.settings import Settings
from restanse_core.store import repository

REFRESH_SECONDS = 2.0
WATCH_SECONDS = 1.0  # how often `serve` looks for new data (an import, a directory change)
RECENT_ANSWERS = 512  # answers given again, per data version (see `Restansebot.run`)

AnswerKey = tuple[str, str | None, Place, str]  # command, asker, place, argument


@dataclass
class _Cache:
    version: tuple[object, ...] | None = None
    checked: float = 0.0
    org: Organisation | None = None
    period: Period | None = None
    by_email: dict[str, Person] | None = None
    figures: dict[str, PersonFigures] | None = None  # everyone's `mine restanser` figures, made on first need
    unit_table: UnitTable | None = None  # the current period's table per unit, made on first need
    first_pages: dict[str, list[Restanse]] | None = None  # everyone's ten oldest, made by `prepare` only
    shared_notes: frozenset[str] | None = None  # notes to several people on the current list
    recent: OrderedDict[AnswerKey, Answer] = field(default_factory=OrderedDict)  # the answers last given


class Restansebot:
    """Answers questions. Holds the directory and the current period in memory, refreshed when the data change."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Clock | None = None,
        senders: Mapping[str, Sender] | None = None,
        records: Records | None = None,
    ) -> None:
        self.engine = engine
        self.records = records  # the records system to write off in and sync from, where one is configured
        self.settings = settings
        self.clock = clock or SystemClock()
        self.texts = Texts(settings.language, settings.template_dir)
        self.calendar = WorkCalendar(settings.closed_days)
        self.guide: Guide = load_guide(settings.guide_file, settings.language)
        self.registry: Registry = build_registry()
        self._cache = _Cache()
        self._lock = threading.Lock()
        # The month's sending (for `send påminnelser`), through the platforms bootstrap fills into `senders`.
        self.sending = Deliveries(
            self, Outbox(engine), senders if senders is not None else {}, self.chart_url
        )
        self.watched = False  # True while `serve` prepares new data in the background (then no check per ask)

    # ---- data, cached ---------------------------------------------------------------------------------

    def _refresh(self) -> _Cache:
        now = time.monotonic()
        cache = self._cache
        if cache.version is not None and (self.watched or now - cache.checked < REFRESH_SECONDS):
            return cache
        with self._lock, self.engine.connect() as conn:
            cache = self._cache  # `prepare` may have just made it
            version = repository.data_version(conn)
            if version != cache.version:
                org = repository.load_organisation(conn)
                cache = _Cache(
                    version=version,
                    org=org,
                    period=choose_period(conn),
                    by_email={p.email.lower(): p for p in org.people.values() if p.email},
                )
            cache.checked = now
            self._cache = cache
        return cache

    def invalidate(self) -> None:
        """This process changed the data: the next answer comes from the new data. Under `serve` the watcher
        notices the new data version within WATCH_SECONDS and prepares it in the background, answering from the
        data before until then — dropping the cache there would make the next question on the event loop wait
        for that preparation."""
        if not self.watched:
            self._cache = _Cache()

    def prepare(self) -> bool:
        """Check the data version and, if it changed, work out everything the answers read — the directory, the
        period, everyone's figures and first page of `mine restanser`, the unit table — and only then answer
        from the new data. True if they changed.

        Blocking (seconds on a million restanser, mostly in the database): `serve` runs it in a worker thread
        every WATCH_SECONDS, and while it works the answers come from the data prepared before. It holds no lock
        while it works, so a question never waits for it; at start, with nothing prepared yet, the directory and
        the period are published first (questions are then answered in a worker thread until the rest is ready).
        """
        with self.engine.connect() as conn:
            version = repository.data_version(conn)
            if version == self._cache.version and self.prepared:
                return False
            org = repository.load_organisation(conn)
            period = choose_period(conn)
            by_email = {p.email.lower(): p for p in org.people.values() if p.email}
            if self._cache.version is None:  # at start: the directory and period at once, the figures below
                self._cache = _Cache(version, time.monotonic(), org, period, by_email)
            self._cache = _Cache(
                version=version,
                checked=time.monotonic(),
                org=org,
                period=period,
                by_email=by_email,
                figures=person_figures(conn, period) if period else {},
                unit_table=unit_table(conn, org, period) if period else None,
                first_pages=first_pages(conn, period.current.id, self.settings.list_length) if period else {},
                shared_notes=shared_notes(conn, period.current.id) if period else frozenset(),
            )
            return True

    def _same_version(self, cache: _Cache) -> _Cache:
        """The current cache if it holds the same data (`prepare` may have just worked them out), else `cache`."""
        return self._cache if self._cache.version == cache.version else cache

    @property
    def prepared(self) -> bool:
        """`prepare` has worked out everything for the data the answers come from."""
        return self._cache.first_pages is not None

    @property
    def org(self) -> Organisation:
        org = self._refresh().org
        assert org is not None
        return org

    @property
    def period(self) -> Period | None:
        return self._refresh().period

    @property
    def known_period(self) -> Period | None:
        """The period the answers come from now, without looking for new data (for /healthz: never waits)."""
        return self._cache.period

    def person_figures(self, initials: str) -> PersonFigures:
        """A person's count and what has left their list, for the current period.

        Worked out for everyone in one pass the first time after the data change (an import or a new
        directory), so that each `mine restanser` only has to read the ten oldest entries.
        """
        cache = self._refresh()
        if cache.figures is None:
            with self._lock:
                cache = self._same_version(cache)
                if cache.figures is None:
                    with self.engine.connect() as conn:
                        cache.figures = person_figures(conn, cache.period) if cache.period else {}
        return cache.figures.get(initials, PersonFigures())

    def unit_table(self) -> UnitTable | None:
        """The current period's counts per unit (with the comparison), computed once per data version."""
        cache = self._refresh()
        if cache.unit_table is None and cache.period is not None:
            with self._lock:
                cache = self._same_version(cache)
                if cache.unit_table is None and cache.period is not None:
                    with self.engine.connect() as conn:
                        cache.unit_table = unit_table(conn, self.org, cache.period)
        return cache.unit_table

    def shared_notes(self) -> frozenset[str]:
        """The current list's internal notes with more than one recipient (computed once per data version)."""
        cache = self._refresh()
        if cache.shared_notes is None:
            with self._lock:
                cache = self._same_version(cache)
                if cache.shared_notes is None:
                    with self.engine.connect() as conn:
                        cache.shared_notes = (
                            shared_notes(conn, cache.period.current.id) if cache.period else frozenset()
                        )
        return cache.shared_notes

    def oldest(self, initials: str, offset: int = 0) -> list[Restanse]:
        """A person's restanser in the current period, oldest first, a page from `offset`: the first page from
        memory when the data are prepared, other pages from the database."""
        cache = self._refresh()
        if offset == 0 and cache.first_pages is not None:
            return cache.first_pages.get(initials, [])
        assert cache.period is not None
        with self.engine.connect() as conn:
            return read_oldest(conn, cache.period.current.id, initials, self.settings.list_length, offset)

    def connect(self) -> Connection:
        return self.engine.connect()

    def today(self) -> date:
        return today(self.clock)

    def person(self, initials: str) -> Person | None:
        return self.org.people.get(initials.strip().upper())

    def person_by_email(self, email: str | None) -> Person | None:
        if not email:
            return None
        by_email = self._refresh().by_email or {}
        return by_email.get(email.strip().lower())

    def guide_url(self) -> str | None:
        if self.settings.guide_url:
            return self.settings.guide_url
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/") + "/guide"
        return None

    def chart_url(self, period: str) -> str | None:
        """Where platforms fetch the month's chart (served by `restansebot serve`)."""
        if not self.settings.public_url:
            return None
        return f"{self.settings.public_url.rstrip('/')}/charts/{period}.png"

    def records_link(self, jp_id: str) -> str | None:
        template = self.settings.records_link
        return template.replace("{id}", jp_id) if template else None

    # ---- answering ------------------------------------------------------------------------------------

    def answer(self, text: str, asker: Person | None, place: Place = Place.DIRECT) -> Answer:
        """The answer to what a person wrote, split so that nothing sensitive lands in a channel."""
        parsed = self.registry.parse(text)
        if parsed is None:
            help_word = self.registry.name("hjelp", self.texts)
            reply = Reply((Paragraph(self.texts("common.not_understood", text=echo(text), help=help_word)),))
            return Answer(reply)
        return self.run(parsed.command.id, asker, place, parsed.argument)

    def act(
        self,
        action: str,
        value: str,
        asker: Person | None,
        place: Place = Place.DIRECT,
        inputs: Mapping[str, str] | None = None,
    ) -> Answer:
        """A button press: the command that declares the action runs again with the button's value (and what was
        typed in the message's fields)."""
        found = self.registry.action(action)
        if found is None:  # no command declares it: a stale or forged button
            return Answer(Reply((Paragraph(self.texts("common.unknown_action")),)))
        command, declared = found
        if declared.page:
            offset = int(value) if value.isdecimal() and value.isascii() and len(value) <= 9 else 0
            return self.run(command.id, asker, place, "", offset)
        return self.run(
            command.id, asker, place, value, confirmed=declared.confirms, action=declared.id, inputs=inputs
        )

    def run(
        self,
        command_id: str,
        asker: Person | None,
        place: Place,
        argument: str = "",
        offset: int = 0,
        confirmed: bool = False,
        action: str = "",
        inputs: Mapping[str, str] | None = None,
    ) -> Answer:
        command = self.registry.get(command_id)
        if command is None:
            return Answer(Reply((Paragraph(self.texts("common.unknown_action")),)))
        if asker is None and not command.open_to_unknown:
            return Answer(Reply((Paragraph(self.texts("common.unknown_person")),)))
        if not command.allows(asker.role if asker else None):
            who = ", ".join(self.texts(f"roles.{r.value}") for r in sorted(command.roles or ()))
            return Answer(Reply((Paragraph(self.texts("common.not_allowed", who=who)),)))
        # Under `serve`, an answer that reads only the prepared data is the same until new data come: the
        # last RECENT_ANSWERS are given again as they are (a person asking twice, the reminder's button after a
        # typed question), kept with the data they were made from, so that new data never meet an old answer.
        cache = self._cache
        kept = command.same_until_new_data and self.watched and self.prepared
        kept = kept and not (offset or confirmed or action or inputs)
        key: AnswerKey = (command.id, asker.initials if asker else None, place, argument)
        if kept and (answer := cache.recent.get(key)) is not None:
            cache.recent.move_to_end(key)
            return answer
        reply = command.handler(
            Ask(self, asker, place, argument, offset, confirmed, action, dict(inputs or {}))
        )
        answer = self.for_place(reply, place)
        if kept:
            cache.recent[key] = answer
            if len(cache.recent) > RECENT_ANSWERS:
                cache.recent.popitem(last=False)
        return answer

    def welcome(self, audience: Audience) -> Reply:
        """The greeting when the bot is installed for a person, added to a team or to a group chat."""
        t = self.texts
        help_button = Button(t("teams.button_help"), "hjelp")
        if audience is not Audience.PERSON:
            text = t("teams.welcome_team" if audience is Audience.TEAM else "teams.welcome_group")
            return Reply(
                (Heading(t("teams.welcome_title")), Paragraph(text), Actions((help_button,))),
                t("teams.welcome_title"),
            )
        buttons = [Button(t("teams.button_mine"), "mine", style="primary"), help_button]
        if url := self.guide_url():
            buttons.append(Button(t("common.guide_link"), "guide.link", url=url))
        return Reply(
            (
                Heading(t("teams.welcome_title")),
                Paragraph(t("teams.welcome_personal", threshold=self.settings.threshold)),
                Actions(tuple(buttons)),
            ),
            t("teams.welcome_title"),
        )

    def for_place(self, reply: Reply, place: Place) -> Answer:
        """In a channel: titles, names and per-person figures go to the asker privately, a short note stays."""
        if place is Place.DIRECT or not reply.has_sensitive:
            return Answer(reply)
        note = self.texts("common.sent_privately")
        # The summary is a notification text: it is built from the full reply, so it never goes to a channel.
        public = Reply((*reply.without_sensitive().blocks, Paragraph(note)), summary=note)
        return Answer(public, private=reply)
