"""The DDL impls run online on SQLite, PostgreSQL and MariaDB; the result is checked by reflection."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from retort.ddl.impl import DefaultImpl, impl_for


def online(conn: sa.Connection) -> DefaultImpl:
    return impl_for(conn.dialect.name)(conn.dialect, conn, False, None, None, {})


def run(engine: sa.Engine, act: Any) -> None:
    with engine.begin() as conn:
        act(online(conn))


def columns(engine: sa.Engine, table_name: str, schema: str | None = None) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in sa.inspect(engine).get_columns(table_name, schema=schema)}


def base_table(name: str = "t", *extra: Any) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, server_default="n/a"),
        *extra,
    )


def test_create_add_drop_rename(engine):
    run(engine, lambda i: i.create_table(base_table()))
    col = sa.Column("note", sa.String(20), server_default="it's")
    sa.Table("t", sa.MetaData(), col)
    run(engine, lambda i: i.add_column("t", col))
    assert set(columns(engine, "t")) == {"id", "name", "note"}

    run(engine, lambda i: i.rename_table("t", "t2"))
    insp = sa.inspect(engine)
    assert "t2" in insp.get_table_names() and "t" not in insp.get_table_names()

    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t2 (id, name) VALUES (1, 'x')"))
        assert conn.execute(sa.text("SELECT note FROM t2")).scalar() == "it's"

    run(engine, lambda i: i.drop_column("t2", sa.Column("note")))
    assert set(columns(engine, "t2")) == {"id", "name"}
    run(engine, lambda i: i.drop_table(sa.Table("t2", sa.MetaData())))
    assert sa.inspect(engine).get_table_names() == []


def test_indexes(engine):
    t = base_table()
    run(engine, lambda i: i.create_table(t))
    ix = sa.Index("ix_t_name", t.c.name, unique=True)
    run(engine, lambda i: i.create_index(ix))
    found = {x["name"]: x for x in sa.inspect(engine).get_indexes("t")}
    assert found["ix_t_name"]["column_names"] == ["name"] and found["ix_t_name"]["unique"]
    run(engine, lambda i: i.drop_index(ix))
    assert "ix_t_name" not in {x["name"] for x in sa.inspect(engine).get_indexes("t")}


def test_create_table_if_not_exists_twice(engine):
    run(engine, lambda i: i.create_table(base_table(), if_not_exists=True))
    run(engine, lambda i: i.create_table(base_table(), if_not_exists=True))
    run(engine, lambda i: i.drop_table(base_table(), if_exists=True))
    run(engine, lambda i: i.drop_table(base_table(), if_exists=True))
    assert sa.inspect(engine).get_table_names() == []


def test_rename_column(engine):
    run(engine, lambda i: i.create_table(base_table()))
    run(
        engine,
        lambda i: i.alter_column(
            "t", "name", name="title", existing_type=sa.String(50), existing_nullable=False,
            existing_server_default="n/a",
        ),
    )
    cols = columns(engine, "t")
    assert "title" in cols and "name" not in cols
    assert cols["title"]["nullable"] is False
    assert "n/a" in str(cols["title"]["default"])


def test_bulk_insert(engine):
    t = base_table()
    run(engine, lambda i: i.create_table(t))
    run(engine, lambda i: i.bulk_insert(t, [{"id": 1, "name": "it's"}, {"id": 2, "name": "b"}]))
    run(engine, lambda i: i.bulk_insert(t, [{"id": 3, "name": "c"}], multiinsert=False))
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.c.name).order_by(t.c.id)).scalars().all() == ["it's", "b", "c"]


def test_missing_table_raises_database_error(engine):
    with pytest.raises(sa_exc.DBAPIError) as err:
        run(engine, lambda i: i.add_column("nope", sa.Column("c", sa.Integer)))
    assert "nope" in str(err.value.statement)


@pytest.fixture
def server_engine(engine):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite alters columns in batch mode")
    return engine


def test_alter_column_everything(server_engine):
    engine = server_engine
    run(engine, lambda i: i.create_table(base_table()))
    run(
        engine,
        lambda i: i.alter_column(
            "t", "name", type_=sa.String(80), nullable=True, server_default="none",
            comment="the name", existing_type=sa.String(50), existing_nullable=False,
            existing_server_default="n/a",
        ),
    )
    col = columns(engine, "t")["name"]
    assert col["type"].length == 80
    assert col["nullable"] is True
    assert "none" in str(col["default"])
    assert col["comment"] == "the name"

    # a nullability change alone keeps the type, default and comment (MySQL re-states them)
    run(
        engine,
        lambda i: i.alter_column(
            "t", "name", nullable=False, existing_type=sa.String(80), existing_server_default="none",
            existing_comment="the name",
        ),
    )
    col = columns(engine, "t")["name"]
    assert col["nullable"] is False and col["type"].length == 80
    assert "none" in str(col["default"]) and col["comment"] == "the name"

    run(engine, lambda i: i.alter_column("t", "name", server_default=None, existing_type=sa.String(80)))
    assert columns(engine, "t")["name"]["default"] is None


def test_constraints(server_engine):
    engine = server_engine
    md = sa.MetaData()
    parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table("child", md, sa.Column("id", sa.Integer, nullable=False), sa.Column("pid", sa.Integer))
    run(engine, lambda i: (i.create_table(parent), i.create_table(child)))

    pk = sa.PrimaryKeyConstraint(child.c.id, name="pk_child")
    fk = sa.ForeignKeyConstraint([child.c.pid], [parent.c.id], name="fk_child_parent", ondelete="CASCADE")
    uq = sa.UniqueConstraint(child.c.pid, name="uq_child_pid")
    ck = sa.CheckConstraint("pid > 0", name="ck_child_pid")
    for const in (pk, fk, uq, ck):
        child.append_constraint(const)
    run(engine, lambda i: [i.add_constraint(c) for c in (pk, fk, uq, ck)])

    insp = sa.inspect(engine)
    assert insp.get_pk_constraint("child")["constrained_columns"] == ["id"]
    fks = insp.get_foreign_keys("child")
    assert [f["name"] for f in fks] == ["fk_child_parent"] and fks[0]["options"].get("ondelete") == "CASCADE"
    assert "uq_child_pid" in {u["name"] for u in insp.get_unique_constraints("child")}
    assert "ck_child_pid" in {c["name"] for c in insp.get_check_constraints("child")}

    run(engine, lambda i: [i.drop_constraint(c) for c in (fk, uq, ck)])
    insp = sa.inspect(engine)
    assert insp.get_foreign_keys("child") == []
    assert "uq_child_pid" not in {u["name"] for u in insp.get_unique_constraints("child")}
    assert "ck_child_pid" not in {c["name"] for c in insp.get_check_constraints("child")}
    run(engine, lambda i: i.drop_constraint(pk))
    assert sa.inspect(engine).get_pk_constraint("child")["constrained_columns"] == []


def test_table_comments(server_engine):
    engine = server_engine
    t = base_table()
    t.comment = "it's a table"
    run(engine, lambda i: i.create_table(t))
    assert sa.inspect(engine).get_table_comment("t")["text"] == "it's a table"
    run(engine, lambda i: i.drop_table_comment(t))
    assert not sa.inspect(engine).get_table_comment("t")["text"]
    t.comment = "again"
    run(engine, lambda i: i.create_table_comment(t))
    assert sa.inspect(engine).get_table_comment("t")["text"] == "again"


def test_add_column_with_inline_references(engine):
    md = sa.MetaData()
    parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table("child", md, sa.Column("id", sa.Integer, primary_key=True))
    run(engine, lambda i: (i.create_table(parent), i.create_table(child)))
    col = sa.Column("pid", sa.Integer, sa.ForeignKey("parent.id", name="fk_child_pid", ondelete="CASCADE"))
    sa.Table("child", sa.MetaData(), col)
    run(engine, lambda i: i.add_column("child", col, inline_references=True))
    fks = sa.inspect(engine).get_foreign_keys("child")
    assert [(f["constrained_columns"], f["referred_table"]) for f in fks] == [(["pid"], "parent")]
    if engine.dialect.name == "sqlite":
        # SQLAlchemy reads SQLite FK options from the table's CREATE text only
        with engine.connect() as conn:
            rows = conn.execute(sa.text("PRAGMA foreign_key_list(child)")).mappings().all()
        assert [r["on_delete"] for r in rows] == ["CASCADE"]
    else:
        assert fks[0]["options"].get("ondelete") == "CASCADE"


def test_column_comment_set_and_removed(server_engine):
    engine = server_engine
    run(engine, lambda i: i.create_table(base_table()))
    hints = dict(existing_type=sa.String(50), existing_nullable=False, existing_server_default="n/a")
    run(engine, lambda i: i.alter_column("t", "name", comment="it's 100%", **hints))
    assert columns(engine, "t")["name"]["comment"] == "it's 100%"
    run(engine, lambda i: i.alter_column("t", "name", comment=None, existing_comment="it's 100%", **hints))
    col = columns(engine, "t")["name"]
    assert not col["comment"]
    # re-stating the column (MySQL) kept what the hints described
    assert col["nullable"] is False and "n/a" in str(col["default"])


def test_execution_options_apply_to_one_statement_only(sqlite_engine):
    from retort.migration import MigrationContext
    from retort.operations import Operations

    with sqlite_engine.connect() as conn:
        ops = Operations(MigrationContext.configure(conn))
        ops.execute("CREATE TABLE eo (x INTEGER)", execution_options={"retort_marker": 1})
        assert "retort_marker" not in conn.get_execution_options()
