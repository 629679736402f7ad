"""SQLite: an offline (--sql) script has no BEGIN / COMMIT (as Alembic), online DDL still rolls back."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import inspect

from retort.runtime.migration import MigrationContext


def _offline(dialect: str, **opts):
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts})
    return ctx, buf


def test_sqlite_offline_script_has_no_transaction():
    ctx, buf = _offline("sqlite")
    assert ctx.impl.transactional_ddl is False
    with ctx.begin_transaction():
        ctx.execute("CREATE TABLE a (x INTEGER)")
    assert buf.getvalue() == "CREATE TABLE a (x INTEGER);\n\n"


def test_sqlite_offline_transactional_ddl_on_request():
    ctx, buf = _offline("sqlite", transactional_ddl=True)
    with ctx.begin_transaction():
        ctx.execute("CREATE TABLE a (x INTEGER)")
    assert buf.getvalue() == "BEGIN;\n\nCREATE TABLE a (x INTEGER);\n\nCOMMIT;\n\n"


def test_sqlite_online_keeps_transactional_ddl(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.impl.transactional_ddl is True
        with pytest.raises(RuntimeError):
            with ctx.begin_transaction():
                ctx.execute("CREATE TABLE a (x INTEGER)")
                raise RuntimeError("boom")
    assert "a" not in inspect(sqlite_engine).get_table_names()
