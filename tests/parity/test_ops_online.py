"""Directives applied online on PostgreSQL and MariaDB under retort and Alembic: same outcome, same schema."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from .online_ops import CASES, describe, run, seed

pytest.importorskip("alembic")


def _wipe(engine: sa.Engine, backend: str) -> None:
    """Empty the fixture's database again between the two runs."""
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for (name,) in conn.exec_driver_sql("SHOW TABLES").all():
                conn.exec_driver_sql(f"DROP TABLE `{name}`")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


def _outcome(engine, kind, fn, backend):
    _wipe(engine, backend)
    with engine.begin() as conn:
        seed(conn, backend)
    try:
        return run(kind, engine, fn), describe(engine)
    finally:
        engine.dispose()


# retort is right: Alembic's batch recreate="always" with a column rename fails on both servers (its copy keeps
# CHECK (x > 0) on the old name: ProgrammingError on PostgreSQL, OperationalError on MariaDB), retort's succeeds
RETORT_RIGHT = {"batch_recreate_always"}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
@pytest.mark.parametrize("name", [n for n in CASES if n not in RETORT_RIGHT])
def test_same_schema_as_alembic(request, name, backend):
    engine = request.getfixturevalue(f"{backend}_engine")
    expected = _outcome(engine, "alembic", CASES[name], backend)
    try:
        assert _outcome(engine, "retort", CASES[name], backend) == expected
    finally:
        _wipe(engine, backend)
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_batch_recreate_with_rename_works(request, backend):
    engine = request.getfixturevalue(f"{backend}_engine")
    try:
        assert _outcome(engine, "alembic", CASES["batch_recreate_always"], backend)[0] is not None
        error, state = _outcome(engine, "retort", CASES["batch_recreate_always"], backend)
        assert error is None
        assert [c[0] for c in state["t"]["columns"]] == ["id", "name", "xx", "pid", "flag", "y"]
    finally:
        _wipe(engine, backend)
        engine.dispose()
