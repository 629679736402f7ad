"""Several processes run ``upgrade head`` at once: each revision runs exactly once.

The migration lock (PostgreSQL advisory lock, MariaDB GET_LOCK) serialises
the runs and the heads are re-read after it is taken.  On PostgreSQL one
revision builds an index with CREATE INDEX CONCURRENTLY inside
``autocommit_block()`` while the other processes wait for the lock, which
must not deadlock.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from test_runtime_support import add_revision, make_project, version_rows

PROCESSES = 4
REVISIONS = 4

RUNNER = """
import sys
from retort import command
from retort.config import Config
command.upgrade(Config(sys.argv[1]), "head")
"""


def revision_body(i: int, concurrent_index: bool) -> str:
    body = [
        # widen the window in which a second, unlocked run would also start it
        "import time; time.sleep(0.2)",
        f"op.execute(\"INSERT INTO applied_log (rev) VALUES ('r{i}')\")",
        f"op.create_table('t{i}', sa.Column('id', sa.Integer, primary_key=True), sa.Column('x', sa.Integer))",
    ]
    if concurrent_index:
        body.append(
            "with op.get_context().autocommit_block():\n"
            f"    op.create_index('ix_t{i}_x', 't{i}', ['x'], postgresql_concurrently=True)"
        )
    return "\n".join(body)


def run_concurrently(tmp_path, engine, *, concurrent_index: bool = False) -> list[subprocess.CompletedProcess]:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE applied_log (rev VARCHAR(10))")
    ini = make_project(tmp_path / "proj", engine.url, ini_extra="migration_lock_timeout = 120")
    prev = None
    for i in range(1, REVISIONS + 1):
        add_revision(ini, f"r{i}", prev, revision_body(i, concurrent_index and i == 2))
        prev = f"r{i}"
    runner = tmp_path / "run_upgrade.py"
    runner.write_text(RUNNER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(runner), str(ini)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=240)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def assert_each_revision_ran_once(engine, results) -> None:
    failures = [r.stderr for r in results if r.returncode != 0]
    assert not failures, "\n=====\n".join(failures)
    with engine.connect() as conn:
        runs = sorted(r[0] for r in conn.exec_driver_sql("SELECT rev FROM applied_log"))
    assert runs == [f"r{i}" for i in range(1, REVISIONS + 1)]
    assert version_rows(engine) == [f"r{REVISIONS}"]


@pytest.mark.backend
def test_concurrent_upgrade_postgresql(tmp_path, postgresql_engine):
    results = run_concurrently(tmp_path, postgresql_engine, concurrent_index=True)
    assert_each_revision_ran_once(postgresql_engine, results)
    with postgresql_engine.connect() as conn:
        indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("t2")}
    assert "ix_t2_x" in indexes


@pytest.mark.backend
def test_concurrent_upgrade_mariadb(tmp_path, mysql_engine):
    results = run_concurrently(tmp_path, mysql_engine)
    assert_each_revision_ran_once(mysql_engine, results)


def test_concurrent_upgrade_sqlite(tmp_path, sqlite_engine):
    results = run_concurrently(tmp_path, sqlite_engine)
    assert_each_revision_ran_once(sqlite_engine, results)
