"""Which delivering processes are alive, so a row left in flight by a dead one can be settled at once."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from bot.store.tables import DeliveryWorkerRow

HEARTBEAT_STALE = timedelta(seconds=90)
HOST = socket.gethostname()


def new_worker_id() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Workers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def heartbeat(self, worker: str, now: datetime) -> None:
        host, pid, _ = worker.split(":", 2)
        with self.engine.begin() as conn:
            updated = conn.execute(
                update(DeliveryWorkerRow).where(DeliveryWorkerRow.id == worker).values(heartbeat_at=now)
            )
            if updated.rowcount == 0:
                conn.execute(
                    insert(DeliveryWorkerRow).values(id=worker, host=host, pid=int(pid), heartbeat_at=now)
                )

    def leave(self, worker: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(DeliveryWorkerRow).where(DeliveryWorkerRow.id == worker))

    def alive(self, worker: str | None, now: datetime) -> bool:
        """A worker on this host is alive while its process is; elsewhere, while its heartbeat is fresh."""
        if not worker:
            return False
        host, pid, _ = worker.split(":", 2)
        if host == HOST and not _pid_alive(int(pid)):
            return False
        with self.engine.connect() as conn:
            beat = conn.execute(
                select(DeliveryWorkerRow.heartbeat_at).where(DeliveryWorkerRow.id == worker)
            ).scalar()
        if beat is None:  # it left, or never began
            return False
        if beat.tzinfo is None:  # SQLite hands back naive UTC
            beat = beat.replace(tzinfo=UTC)
        return now - beat < HEARTBEAT_STALE
