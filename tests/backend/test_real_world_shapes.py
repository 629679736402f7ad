"""Shapes seen in real projects' migration histories, run against a real database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.migration import MigrationContext
from retort.operations import Operations
from retort.util.exc import BatchError


def _sql(conn: sa.Connection, table: str) -> str:
    return conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()


def test_empty_recreate_always_block_applies_table_kwargs(sqlite_engine):
    # a revision that only wants SQLite's AUTOINCREMENT on an existing table opens
    # batch_alter_table(recreate="always", table_kwargs=...) with nothing inside
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE widget (id INTEGER NOT NULL PRIMARY KEY, label TEXT)")
        conn.exec_driver_sql("INSERT INTO widget VALUES (4, 'w')")
        op = Operations(MigrationContext.configure(conn))
        with op.batch_alter_table(
            "widget", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
        assert "AUTOINCREMENT" in _sql(conn, "widget")
        assert conn.exec_driver_sql("SELECT id, label FROM widget").all() == [(4, "w")]
        with op.batch_alter_table(
            "widget", recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ):
            pass
        assert "AUTOINCREMENT" not in _sql(conn, "widget")
    assert sa.inspect(sqlite_engine).get_pk_constraint("widget")["constrained_columns"] == ["id"]


def test_empty_auto_block_leaves_table_alone(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE widget (id INTEGER NOT NULL PRIMARY KEY, label TEXT)")
        before = _sql(conn, "widget")
        op = Operations(MigrationContext.configure(conn))
        with op.batch_alter_table("widget", table_kwargs={"sqlite_autoincrement": True}):
            pass
        assert _sql(conn, "widget") == before


def test_empty_recreate_always_block_offline_needs_copy_from():
    # --sql on SQLite cannot reflect the table: refused, as Alembic refuses it
    ctx = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True})
    op = Operations(ctx)
    with pytest.raises(BatchError, match="copy_from"):
        with op.batch_alter_table("widget", recreate="always"):
            pass
