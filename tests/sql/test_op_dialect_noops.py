"""alter_column changes a dialect has no use for emit nothing (with Alembic's warning), never an error."""

from __future__ import annotations

import io
import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy import Integer

from retort.operations import Operations
from retort.runtime.migration import MigrationContext

DIALECTS = ("sqlite", "postgresql", "mssql", "oracle")


def _offline(dialect: str) -> tuple[Operations, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf})
    return Operations(ctx), buf


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "kw",
    [
        {"autoincrement": True},
        {"autoincrement": False, "existing_type": Integer},
        {"autoincrement": True, "existing_type": Integer, "existing_nullable": False},
        {"existing_autoincrement": True, "existing_type": Integer},
    ],
    ids=["true", "false", "with-hints", "existing-only"],
)
def test_autoincrement_alone_emits_nothing_and_warns(dialect, kw):
    op, buf = _offline(dialect)
    with pytest.warns(UserWarning, match="only make sense for MySQL"):
        op.alter_column("t", "id", **kw)
    assert buf.getvalue() == ""


@pytest.mark.parametrize("dialect", DIALECTS)
def test_autoincrement_beside_a_rename_keeps_the_rename(dialect):
    op, buf = _offline(dialect)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        op.alter_column("t", "id", autoincrement=True, new_column_name="id2", existing_type=Integer)
    assert "id2" in buf.getvalue()


def test_sqlite_still_refuses_a_real_change_next_to_autoincrement():
    op, buf = _offline("sqlite")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(NotImplementedError, match=r"nullable.*batch_alter_table"):
            op.alter_column("t", "id", autoincrement=True, nullable=False)
    assert buf.getvalue() == ""


def test_sqlite_online_autoincrement_alone_leaves_the_table_alone(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t (x) VALUES (1)"))
    with sqlite_engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with pytest.warns(UserWarning, match="only make sense for MySQL"):
            op.alter_column("t", "id", autoincrement=True, existing_type=Integer, existing_nullable=False)
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, x FROM t")).all() == [(1, 1)]
        ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 't'")).scalar_one()
    assert ddl == "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER)"
