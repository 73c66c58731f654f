"""PostgreSQL, the production database: replicas starting together, and the bulk path."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from restanse_core.store import make_engine

pytestmark = pytest.mark.postgres


def test_replicas_that_start_together_migrate_once_without_racing(postgres_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESTANSEBOT_")}
    env["HOME"] = str(tmp_path)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", postgres_url, "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], [err for _, err in results]
    engine = make_engine(postgres_url)
    assert {"units", "people", "snapshots", "restanser", "written_off", "chat_identities"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as conn:  # one row per head: nobody applied a migration twice
        versions = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    assert len(versions) == len(set(versions)) >= 1


def test_plain_postgresql_url_uses_psycopg3(postgres_url):
    engine = make_engine(postgres_url)
    assert engine.dialect.driver == "psycopg"
