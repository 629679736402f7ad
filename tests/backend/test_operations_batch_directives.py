"""Every batch directive wired through BatchOperations, on real databases with rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, String, text

from retort.operations import Operations, ops
from retort.runtime.migration import MigrationContext


def _rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def _setup(op):
    op.create_table("account", Column("id", Integer, primary_key=True))
    t = op.create_table(
        "t",
        Column("id", Integer, primary_key=True),
        Column("a", String(20)),
        Column("b", Integer),
        sa.UniqueConstraint("a", name="uq_t_a"),
    )
    op.bulk_insert(t, [{"id": 1, "a": "x", "b": 5}, {"id": 2, "a": "y", "b": 6}])
    op.bulk_insert(sa.table("account", sa.column("id")), [{"id": 1}])


def test_every_batch_directive(engine):
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        _setup(op)
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(Column("c", Integer, server_default="1", nullable=False))
            batch_op.alter_column("a", new_column_name="aa", existing_type=String(20), nullable=False)
            batch_op.drop_column("b")
            batch_op.create_index("ix_t_c", ["c"])
            batch_op.create_unique_constraint("uq_t_c_id", ["c", "id"])
            batch_op.create_check_constraint("ck_t_c", "c > 0")
            batch_op.create_foreign_key("fk_t_c", "account", ["c"], ["id"])
            batch_op.drop_constraint("uq_t_a", type_="unique")
            batch_op.execute("UPDATE account SET id = 1")
    insp = sa.inspect(engine)
    cols = {c["name"]: c for c in insp.get_columns("t")}
    assert sorted(cols) == ["aa", "c", "id"]
    assert cols["aa"]["nullable"] is False and cols["c"]["nullable"] is False
    assert "ix_t_c" in {i["name"] for i in insp.get_indexes("t")}
    uq_names = {u["name"] for u in insp.get_unique_constraints("t")} | {
        i["name"] for i in insp.get_indexes("t") if i["unique"]
    }
    assert "uq_t_c_id" in uq_names and "uq_t_a" not in uq_names
    assert "ck_t_c" in {c["name"] for c in insp.get_check_constraints("t")}
    assert [f["referred_table"] for f in insp.get_foreign_keys("t")] == ["account"]
    assert _rows(engine, "SELECT id, aa, c FROM t ORDER BY id") == [(1, "x", 1), (2, "y", 1)]


def test_batch_index_drop_and_primary_key(sqlite_engine):
    with sqlite_engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        op.create_table("t", Column("id", Integer, nullable=False), Column("a", Integer))
        op.create_index("ix_a", "t", ["a"])
        op.bulk_insert(sa.table("t", sa.column("id"), sa.column("a")), [{"id": 1, "a": 2}])
        with op.batch_alter_table("t") as batch_op:
            batch_op.drop_index("ix_a")
            batch_op.create_primary_key("pk_t", ["id"])
    insp = sa.inspect(sqlite_engine)
    assert insp.get_indexes("t") == []
    assert insp.get_pk_constraint("t")["constrained_columns"] == ["id"]
    assert _rows(sqlite_engine, "SELECT id, a FROM t") == [(1, 2)]


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_batch_table_comments(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        op.create_table("t", Column("id", Integer, primary_key=True))
        with op.batch_alter_table("t") as batch_op:
            batch_op.create_table_comment("hello")
    assert sa.inspect(engine).get_table_comment("t")["text"] == "hello"
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with op.batch_alter_table("t") as batch_op:
            batch_op.drop_table_comment(existing_comment="hello")
    assert sa.inspect(engine).get_table_comment("t")["text"] in (None, "")


def test_same_op_objects_in_and_out_of_batch(sqlite_engine):
    """One AddColumnOp / CreateIndexOp object invoked in two batches and outside."""
    add = ops.AddColumnOp("a", Column("flag", Integer, server_default="0", nullable=False))
    with sqlite_engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        for name in ("a", "b"):
            op.create_table(name, Column("id", Integer, primary_key=True))
            with op.batch_alter_table(name) as batch_op:
                batch_op.invoke(add)
                batch_op.invoke(ops.CreateIndexOp("ix_" + name, name, ["flag"]))
        op.create_table("c", Column("id", Integer, primary_key=True))
        op.invoke(ops.AddColumnOp("c", add.column))
    insp = sa.inspect(sqlite_engine)
    for name in ("a", "b", "c"):
        assert [c["name"] for c in insp.get_columns(name)] == ["id", "flag"]
    assert add.column.table is None


def test_failed_batch_names_the_table_and_keeps_rows(sqlite_engine):
    with sqlite_engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        op.create_table("t", Column("id", Integer, primary_key=True), Column("a", Integer))
        op.bulk_insert(sa.table("t", sa.column("id"), sa.column("a")), [{"id": 1, "a": 5}, {"id": 2, "a": 5}])
    with sqlite_engine.connect() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with pytest.raises(sa.exc.IntegrityError) as info:
            with op.batch_alter_table("t") as batch_op:
                batch_op.create_unique_constraint("uq_a", ["a"])
        conn.rollback()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "batch_alter_table('t')" in notes
    assert _rows(sqlite_engine, "SELECT id, a FROM t ORDER BY id") == [(1, 5), (2, 5)]


def test_batch_on_missing_table_names_it(sqlite_engine):
    with sqlite_engine.connect() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with pytest.raises(sa.exc.SQLAlchemyError) as info:
            with op.batch_alter_table("nope") as batch_op:
                batch_op.add_column(Column("x", Integer))
    assert "batch_alter_table('nope')" in "\n".join(info.value.__notes__)
