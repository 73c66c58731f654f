"""The archive's month in chat: a file dropped into the 1:1 chat is read, previewed, and stored on «Lagre».

A pending upload lives in the database (`pending_uploads`), so the press may reach another replica; it
expires after `upload_expiry_hours`, and its content is deleted when it is stored, cancelled or expired.
Nothing is stored before the arkiv confirms, and the confirmation stores exactly what was previewed: if the
lists or the directory changed in between, a new preview is shown instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from sqlalchemy import delete, insert, select, update

from bot.context import Ask, CommandBot
from bot.delivery.period import period_key
from bot.replies import Actions, Block, Button, Context, Fields, Heading, Paragraph, Place, Reply
from bot.scheduler import send_moment, sent_already
from bot.store.tables import PendingUploadRow
from restanse_core.calendar import WorkCalendar, long_date
from restanse_core.clock import OSLO
from restanse_core.errors import ConfirmationNeeded, UserError
from restanse_core.model import Person, Rolle
from restanse_core.store import repository

if TYPE_CHECKING:  # the importers bring pandas: loaded only when a file is read
    from restanse_core.importers import ImportSummary
    from restanse_core.importers.directory import DirectoryFile
    from restanse_core.importers.preview import ListPreview

log = logging.getLogger("restansebot.uploads")

SAVE, CANCEL, DATE = "opplasting.lagre", "opplasting.avbryt", "opplasting.dato"
SUFFIXES = (".xlsx", ".xls", ".csv", ".txt", ".xml", ".gz")
MAX_BYTES = 512 * 1024 * 1024  # the import's own row and size limits apply as well


@dataclass
class Pending:
    """A row of `pending_uploads`, as this module works with it."""

    id: str
    kind: str  # restanser | enheter | personer
    initials: str
    via: str
    file_name: str
    checksum: str
    content: bytes | None
    as_of: date | None
    data_version: str
    created_at: datetime
    expires_at: datetime
    status: str


@dataclass(frozen=True)
class Incoming:
    """A file someone dropped into the chat, downloaded by the adapter."""

    name: str
    content: bytes
    via: str  # where it came from: "slack:U123", "teams:29:abc", "terminal"


def refusal(bot: CommandBot, asker: Person | None, place: Place) -> Reply | None:
    """Why this file will not be read (before anything is downloaded), or None."""
    t = bot.texts
    if place is not Place.DIRECT:
        return Reply((Paragraph(t("upload.not_in_channel")),))
    if asker is None:
        return Reply((Paragraph(t("common.unknown_person")),))
    if asker.role is not Rolle.ARKIV:
        return Reply((Paragraph(t("upload.only_arkiv")),))
    return None


def reading(bot: CommandBot, name: str) -> Reply:
    """The acknowledgement sent at once: a large file takes longer than the platforms wait for an answer."""
    text = bot.texts("upload.reading", name=name)
    return Reply((Paragraph(text),), summary=text)


class Uploads:
    """Receive, preview, store or cancel an upload, for one bot."""

    def __init__(self, bot: CommandBot) -> None:
        self.bot = bot

    # ---- receiving ------------------------------------------------------------------------------------

    def receive(self, asker: Person, incoming: Incoming) -> Reply:
        """Read the file and answer with its preview (or the import's own message if it cannot be read)."""
        t = self.bot.texts
        name = Path(incoming.name).name or "fila"
        if not name.lower().endswith(SUFFIXES):
            return Reply((Paragraph(t("upload.unknown_type", name=name)),))
        if len(incoming.content) > MAX_BYTES:
            return Reply((Paragraph(t("upload.too_large", name=name)),))
        self._expire()
        now = self.bot.clock.now()
        upload = Pending(
            id=uuid.uuid4().hex,
            kind="",
            initials=asker.initials,
            via=incoming.via,
            file_name=name,
            checksum=hashlib.sha256(incoming.content).hexdigest(),
            content=incoming.content,
            as_of=None,
            data_version=self._data_version(),
            created_at=now,
            expires_at=now + timedelta(hours=self.bot.settings.upload_expiry_hours),
            status="pending",
        )
        from restanse_core.importers.directory import classify_file  # pandas: only when a file is read
        from restanse_core.importers.source import Limits

        with self._file(upload) as path:
            try:
                upload.kind = classify_file(path, Limits.of(self.bot.settings))
            except UserError as exc:
                return self._refused(exc)
        with self.bot.engine.begin() as conn:
            conn.execute(insert(PendingUploadRow).values(asdict(upload)))
        first = incoming.via != "terminal" and self._first_upload(asker)
        reply = self._preview(upload)
        if first:
            reply = Reply((*reply.blocks, Context(t("upload.stays_on_platform"))), reply.summary)
        return reply

    # ---- the buttons ------------------------------------------------------------------------------------

    def press(self, ask: Ask) -> Reply:
        t = self.bot.texts
        upload_id, _, day = ask.argument.partition(":")
        upload = self._pending(upload_id)
        if upload is None or ask.asker is None or upload.initials != ask.asker.initials:
            return Reply((Paragraph(t("upload.gone", hours=self.bot.settings.upload_expiry_hours)),))
        if ask.action == CANCEL:
            if not self._finish(upload.id, "cancelled", only_if="pending"):  # «Lagre» got there first
                return Reply((Paragraph(t("upload.gone", hours=self.bot.settings.upload_expiry_hours)),))
            return Reply((Paragraph(t("upload.cancelled", name=upload.file_name)),))
        if ask.action == DATE:
            try:
                chosen = date.fromisoformat(day)
            except ValueError:
                return Reply((Paragraph(t("upload.gone", hours=self.bot.settings.upload_expiry_hours)),))
            self._set(upload.id, as_of=chosen)
            upload.as_of = chosen
            return self._preview(upload)
        return self._save(upload, ask.asker)

    # ---- preview ---------------------------------------------------------------------------------------

    def _preview(self, upload: Pending) -> Reply:
        from restanse_core.importers import import_snapshot
        from restanse_core.importers.directory import read_directory_file
        from restanse_core.importers.source import Limits

        with self._file(upload) as path:
            try:
                if upload.kind == "restanser":
                    summary = import_snapshot(
                        self.bot.engine,
                        path,
                        self.bot.settings,
                        imported_by=f"{upload.initials} via {upload.via}",
                        as_of=upload.as_of,
                        dry_run=True,
                        send_date=self._send_moment().date(),
                        clock=self.bot.clock,
                    )
                    if upload.as_of is None and summary.as_of_source == "today":
                        return self._ask_for_date(upload)
                    if upload.as_of is None:
                        self._set(upload.id, as_of=summary.as_of)
                    return self._list_preview(upload, summary)
                directory = read_directory_file(path, Limits.of(self.bot.settings))
            except UserError as exc:
                self._finish(upload.id, "cancelled")
                return self._refused(exc)
        return self._directory_preview(upload, directory)

    def _ask_for_date(self, upload: Pending) -> Reply:
        t = self.bot.texts
        today = self.bot.today()
        last = WorkCalendar(self.bot.settings.closed_days).previous_working_day(today)
        buttons = [
            Button(t("upload.date_today", date=long_date(today)), DATE, f"{upload.id}:{today.isoformat()}"),
            Button(
                t("upload.date_working_day", date=long_date(last)), DATE, f"{upload.id}:{last.isoformat()}"
            ),
            Button(t("upload.cancel"), CANCEL, upload.id),
        ]
        return Reply(
            (
                Heading(t("upload.title", name=upload.file_name)),
                Paragraph(t("upload.which_date")),
                Actions(tuple(buttons)),
            ),
            summary=t("upload.which_date"),
        )

    def _list_preview(self, upload: Pending, s: ImportSummary) -> Reply:
        t = self.bot.texts
        source = t(f"upload.date_from.{s.as_of_source}")
        fields = [
            (t("upload.list_date"), f"{long_date(s.as_of)} ({source})"),
            (t("upload.rows"), t.number(s.rows_read)),
            (t("upload.restanser"), t.number(s.restanser)),
        ]
        skipped = sum(s.skipped_types.values())
        if skipped:
            kinds = ", ".join(sorted(s.skipped_types))
            fields.append((t("upload.skipped"), f"{t.number(skipped)} ({kinds})"))
        if s.written_off:
            fields.append((t("upload.written_off"), t.number(s.written_off)))
        if s.duplicates:
            fields.append((t("upload.duplicates"), t.number(s.duplicates)))
        if s.unknown_people or s.unknown_units:
            fields.append(
                (
                    t("upload.unknown"),
                    t(
                        "upload.unknown_counts",
                        people=t.amount(len(s.unknown_people), "saksbehandler"),
                        units=t.amount(len(s.unknown_units), "enhet"),
                    ),
                )
            )
        blocks: list[Block] = [Heading(t("upload.title", name=upload.file_name)), Fields(tuple(fields))]
        preview = s.preview
        if preview is not None and preview.previous is not None:
            change = preview.total - preview.previous_total
            blocks.append(
                Paragraph(
                    t(
                        "upload.compared",
                        date=long_date(preview.previous),
                        before=t.number(preview.previous_total),
                        now=t.number(preview.total),
                        change=f"{change:+d}".replace("-", "−"),
                    )
                )
            )
            if preview.changes:
                changes = ", ".join(f"{code} {before} → {now}" for code, before, now in preview.changes)
                blocks.append(Paragraph(t("upload.largest_changes", changes=changes)))
        for warning in s.warnings:
            blocks.append(Paragraph("⚠ " + warning.message))
        if s.assumptions:
            blocks.append(Context(" ".join(s.assumptions)))
        reminders = self._reminders(preview, s) if preview is not None else None
        if reminders is not None:
            blocks.append(Paragraph(reminders))
        save = t("upload.save_confirming") if s.warnings else t("upload.save")
        blocks.append(
            Actions(
                (
                    Button(save, SAVE, upload.id, style="primary"),
                    Button(t("upload.cancel"), CANCEL, upload.id),
                )
            )
        )
        return Reply(tuple(blocks), summary=t("upload.title", name=upload.file_name))

    def _send_moment(self) -> datetime:
        """When the month's reminders would go out if the list were stored now."""
        calendar = WorkCalendar(self.bot.settings.closed_days)
        return send_moment(self.bot.clock.now(), self.bot.settings, calendar).astimezone(OSLO)

    def _reminders(self, preview: ListPreview, s: ImportSummary) -> str | None:
        """What the month's reminders would be — unless the list will not send any."""
        from restanse_core.importers.guards import Check

        t = self.bot.texts
        if any(w.kind == Check.OLDER_THAN_NEWEST for w in s.warnings):
            return None  # the newest list decides the reminders, as the warning says
        moment = self._send_moment()
        sent = sent_already(moment, period_key(s.as_of), self.bot.sending.outbox.periods())
        if sent is not None and sent.run_started_at is not None:
            day = long_date(sent.run_started_at.astimezone(OSLO).date())
            return t("upload.reminders_sent", period=sent.period, date=day)
        by_mail = t("upload.by_mail") if "epost" in self.bot.sending.senders else ""
        return t(
            "upload.reminders",
            saksbehandlere=t.amount(preview.saksbehandlere, "saksbehandler"),
            leaders=t.amount(preview.leaders, "leder"),
            channels=t.amount(preview.channels, "enhetskanal"),
            moment=f"{long_date(moment.date())} kl. {moment:%H:%M}",
            by_mail=by_mail,
        )

    def _directory_preview(self, upload: Pending, f: DirectoryFile) -> Reply:
        t = self.bot.texts
        org = self.bot.org
        blocks: list[Block] = [Heading(t("upload.title", name=upload.file_name))]
        if f.kind == "units":
            before, after = set(org.units), {u.code for u in f.units}
            changed = sorted(
                u.code
                for u in f.units
                if u.code in org.units
                and (org.units[u.code].parent, org.units[u.code].leaders, org.units[u.code].name)
                != (u.parent, u.leaders, u.name)
            )
            what = "units"
        else:
            before, after = set(org.people), {p.initials for p in f.people}
            changed = sorted(
                p.initials
                for p in f.people
                if p.initials in org.people
                and (org.people[p.initials].unit, org.people[p.initials].role) != (p.unit, p.role)
            )
            what = "people"
        added, removed = sorted(after - before), sorted(before - after)
        counted = t.amount(len(after), "enhet" if what == "units" else "person")
        blocks.append(Paragraph(t(f"upload.directory_{what}", **{what: counted})))
        for key, items in (("added", added), ("removed", removed), ("changed", changed)):
            if items:
                shown = ", ".join(items[:30]) + (f" … (+{len(items) - 30})" if len(items) > 30 else "")
                blocks.append(Paragraph(t(f"upload.{key}", n=len(items), items=shown)))
        if not (added or removed or changed):
            blocks.append(Paragraph(t("upload.no_changes")))
        for note in f.notes:
            blocks.append(Paragraph("⚠ " + note))
        if f.empty:
            blocks.append(Paragraph("⚠ " + t("upload.empty_directory")))
        blocks.append(
            Actions(
                (
                    Button(t("upload.save"), SAVE, upload.id, style="primary"),
                    Button(t("upload.cancel"), CANCEL, upload.id),
                )
            )
        )
        return Reply(tuple(blocks), summary=t("upload.title", name=upload.file_name))

    # ---- storing ----------------------------------------------------------------------------------------

    def _save(self, upload: Pending, asker: Person) -> Reply:
        t = self.bot.texts
        if self._data_version() != upload.data_version:
            self._set(upload.id, data_version=self._data_version())
            upload.data_version = self._data_version()
            preview = self._preview(upload)
            return Reply((Paragraph(t("upload.changed_meanwhile")), *preview.blocks), preview.summary)
        from restanse_core.importers import import_snapshot
        from restanse_core.importers.directory import import_directory
        from restanse_core.importers.source import Limits

        if not self._claim(upload.id):  # pressed twice, or at two replicas at once: one press stores it
            return Reply((Paragraph(t("upload.saving", name=upload.file_name)),))
        by = f"{asker.initials} via {upload.via}"
        with self._file(upload) as path, self._released_unless_done(upload.id):
            try:
                if upload.kind == "restanser":
                    summary = import_snapshot(
                        self.bot.engine,
                        path,
                        self.bot.settings,
                        imported_by=by,
                        as_of=upload.as_of,
                        confirmed=True,  # one press confirms every warning the preview showed
                        clock=self.bot.clock,
                    )
                    done = t(
                        "upload.stored_list",
                        name=upload.file_name,
                        date=long_date(summary.as_of),
                        n=t.number(summary.restanser),
                    )
                else:
                    import_directory(
                        self.bot.engine,
                        [path],
                        Limits.of(self.bot.settings),
                        confirmed=True,
                        changed_by=by,
                        names=[upload.file_name],
                        clock=self.bot.clock,
                    )
                    done = t("upload.stored_directory", name=upload.file_name)
            except ConfirmationNeeded as exc:  # cannot happen when confirmed; say it plainly if it does
                self._set(upload.id, status="pending")
                return self._refused(exc)
            except UserError as exc:
                self._finish(upload.id, "cancelled")
                return self._refused(exc)
        self._finish(upload.id, "stored")
        self.bot.invalidate()  # the next answer in this process comes from the new data
        log.info("%s lagret fra chat (%s)", upload.file_name, by)
        return Reply((Paragraph(done),), summary=done)

    # ---- the pending rows -------------------------------------------------------------------------------

    def _pending(self, upload_id: str) -> Pending | None:
        self._expire()
        table = PendingUploadRow.__table__
        with self.bot.engine.connect() as conn:
            row = conn.execute(
                select(table).where(table.c.id == upload_id, table.c.status == "pending")
            ).one_or_none()
        return Pending(**row._mapping) if row is not None else None

    def _set(self, upload_id: str, **values: object) -> None:
        with self.bot.engine.begin() as conn:
            conn.execute(update(PendingUploadRow).where(PendingUploadRow.id == upload_id).values(**values))

    def _finish(self, upload_id: str, status: str, only_if: str | None = None) -> bool:
        """Stored, cancelled or expired: the content (restricted titles included) is deleted. With `only_if`,
        only from that status; says whether the row changed."""
        where = [PendingUploadRow.id == upload_id]
        if only_if is not None:
            where.append(PendingUploadRow.status == only_if)
        with self.bot.engine.begin() as conn:
            done = conn.execute(update(PendingUploadRow).where(*where).values(status=status, content=None))
        return done.rowcount == 1

    def _claim(self, upload_id: str) -> bool:
        """Mark the upload as being stored; True for the one press (of any replica) that gets it."""
        with self.bot.engine.begin() as conn:
            claimed = conn.execute(
                update(PendingUploadRow)
                .where(PendingUploadRow.id == upload_id, PendingUploadRow.status == "pending")
                .values(status="saving")
            )
        return claimed.rowcount == 1

    @contextmanager
    def _released_unless_done(self, upload_id: str) -> Iterator[None]:
        """If storing fails unexpectedly, the upload is pending again, so «Lagre» can be pressed once more."""
        try:
            yield
        except BaseException:
            with self.bot.engine.begin() as conn:
                conn.execute(
                    update(PendingUploadRow)
                    .where(PendingUploadRow.id == upload_id, PendingUploadRow.status == "saving")
                    .values(status="pending")
                )
            raise

    def _expire(self) -> None:
        now = self.bot.clock.now()
        with self.bot.engine.begin() as conn:
            conn.execute(
                update(PendingUploadRow)
                .where(PendingUploadRow.status.in_(("pending", "saving")), PendingUploadRow.expires_at <= now)
                .values(status="expired", content=None)
            )
            conn.execute(
                delete(PendingUploadRow).where(
                    PendingUploadRow.status != "pending",
                    PendingUploadRow.created_at < now - timedelta(days=30),
                )
            )

    def _first_upload(self, asker: Person) -> bool:
        with self.bot.engine.connect() as conn:
            n = conn.execute(
                select(PendingUploadRow.id).where(PendingUploadRow.initials == asker.initials).limit(2)
            ).all()
        return len(n) <= 1

    def _data_version(self) -> str:
        with self.bot.engine.connect() as conn:
            return repr(repository.data_version(conn))

    def _file(self, upload: Pending) -> _TempFile:
        return _TempFile(upload.file_name, upload.content or b"")

    def _refused(self, exc: UserError) -> Reply:
        t = self.bot.texts
        return Reply(
            (Paragraph(exc.message), Paragraph(t("upload.fix_and_retry"))), summary=exc.message[:150]
        )


class _TempFile:
    """The upload as a file of its own name in a private temporary folder, removed afterwards."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name, self.content = name, content
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        self.folder = tempfile.TemporaryDirectory(prefix="restansebot-")
        path = Path(self.folder.name) / self.name
        path.write_bytes(self.content)
        return path

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            self.folder.cleanup()


class DownloadRefused(Exception):
    """The platform's file could not (or may not) be fetched; `reason` is for the log, never the URL's secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def host_allowed(url: str, hosts: Sequence[str]) -> bool:
    """Only https from the platform's own file hosts («files.slack.com», «*.sharepoint.com»); tests name
    127.0.0.1, and then plain http on loopback is taken too."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(fnmatch(host, pattern.strip().lower()) for pattern in hosts if pattern.strip()):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1"))


async def download(url: str, *, hosts: Sequence[str], headers: Mapping[str, str] | None = None) -> bytes:
    """The file at `url`, from an allowed host only, at most MAX_BYTES. Redirects are followed only to hosts
    that are allowed too, and the headers (a token) never leave them."""
    import aiohttp

    for _ in range(5):
        if not host_allowed(url, hosts):
            raise DownloadRefused(
                f"vertsnavnet {urlsplit(url).hostname!r} er ikke et av plattformens filverter"
            )
        timeout = aiohttp.ClientTimeout(total=300)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers=dict(headers or {}), allow_redirects=False) as response,
        ):
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise DownloadRefused(f"HTTP {response.status}")
            content = bytearray()
            async for chunk in response.content.iter_chunked(1 << 16):
                content += chunk
                if len(content) > MAX_BYTES:
                    raise DownloadRefused("fila er for stor")
            return bytes(content)
    raise DownloadRefused("for mange videresendinger")


async def take_file(
    bot: CommandBot,
    asker: Person | None,
    place: Place,
    incoming_name: str,
    via: str,
    fetch: Callable[[], Awaitable[bytes]],
    say: Callable[[Reply], Awaitable[object]],
) -> None:
    """A file dropped into the chat: refused at once, or acknowledged at once («Leser fila …») and read in
    the background, the preview posted when it is ready — a large file takes longer than the platforms wait."""
    refused = refusal(bot, asker, place)
    if refused is not None or asker is None:
        await say(refused or Reply())
        return
    await say(reading(bot, incoming_name))

    async def work() -> None:
        try:
            content = await fetch()
        except (DownloadRefused, OSError) as exc:
            log.warning(
                "Fila %s kunne ikke hentes: %s", incoming_name, getattr(exc, "reason", type(exc).__name__)
            )
            await say(Reply((Paragraph(bot.texts("upload.download_failed", name=incoming_name)),)))
            return
        reply = await asyncio.to_thread(Uploads(bot).receive, asker, Incoming(incoming_name, content, via))
        await say(reply)

    bot.sending.spawn(work())
