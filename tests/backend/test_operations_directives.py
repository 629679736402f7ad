"""Directives invoked on real SQLite, PostgreSQL and MariaDB; the result is reflected back."""

from __future__ import annotations

import contextlib
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String, text

from retort.operations import Operations, ops
from retort.runtime.migration import MigrationContext


@contextlib.contextmanager
def operations_on(engine: sa.Engine) -> Iterator[Operations]:
    """An Operations on a connection inside a transaction, committed at the end."""
    with engine.begin() as conn:
        yield Operations(MigrationContext.configure(connection=conn))


def inspect(engine: sa.Engine) -> sa.Inspector:
    return sa.inspect(engine)


def _base_tables(op: Operations) -> None:
    op.create_table("account", Column("id", Integer, primary_key=True), Column("name", String(50)))
    op.create_table(
        "person",
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, server_default="anon"),
        Column("account_id", Integer, ForeignKey("account.id", ondelete="CASCADE")),
        Column("age", Integer),
        sa.UniqueConstraint("name", "account_id", name="uq_person_name"),
        sa.CheckConstraint("age >= 0", name="ck_person_age"),
        sa.Index("ix_person_age", "age"),
    )


def test_create_table_with_everything(engine):
    with operations_on(engine) as op:
        _base_tables(op)
    insp = inspect(engine)
    assert {"account", "person"} <= set(insp.get_table_names())
    cols = {c["name"]: c for c in insp.get_columns("person")}
    assert list(cols) == ["id", "name", "account_id", "age"]
    assert cols["name"]["nullable"] is False and "anon" in str(cols["name"]["default"])
    assert insp.get_pk_constraint("person")["constrained_columns"] == ["id"]
    fk = insp.get_foreign_keys("person")[0]
    assert (fk["referred_table"], fk["constrained_columns"], fk["options"].get("ondelete")) == (
        "account",
        ["account_id"],
        "CASCADE",
    )
    uqs = insp.get_unique_constraints("person")
    assert [u["column_names"] for u in uqs if u["name"] == "uq_person_name"] == [["name", "account_id"]]
    assert "ck_person_age" in {c["name"] for c in insp.get_check_constraints("person")}
    assert "ix_person_age" in {i["name"] for i in insp.get_indexes("person")}


def test_create_table_if_not_exists_and_drop_if_exists(engine):
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True))
        op.create_table("t", Column("id", Integer, primary_key=True), if_not_exists=True)
        op.drop_table("t")
        op.drop_table("t", if_exists=True)
    assert "t" not in inspect(engine).get_table_names()


def test_create_table_returns_table_for_bulk_insert(engine):
    with operations_on(engine) as op:
        t = op.create_table("t", Column("id", Integer, primary_key=True), Column("name", String(20)))
        op.bulk_insert(t, [{"id": 1, "name": "a'b"}, {"id": 2, "name": None}])
        op.bulk_insert(t, [{"id": 3, "name": "c"}, {"id": 4, "name": "d"}], multiinsert=False)
        op.execute(t.update().where(t.c.id == op.inline_literal(4)).values(name=op.inline_literal("D")))
        op.execute("UPDATE t SET name = 'C' WHERE id = 3")
        op.execute(text("DELETE FROM t WHERE id = 2"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name FROM t ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "a'b"), (3, "C"), (4, "D")]


def test_rename_table(engine):
    with operations_on(engine) as op:
        op.create_table("old", Column("id", Integer, primary_key=True))
        op.rename_table("old", "new")
    names = inspect(engine).get_table_names()
    assert "new" in names and "old" not in names


def test_add_and_drop_column(engine):
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True))
        op.add_column("t", Column("name", String(30), nullable=False, server_default="x"))
        op.add_column("t", Column("extra", Integer))
        op.drop_column("t", "extra")
    cols = {c["name"]: c for c in inspect(engine).get_columns("t")}
    assert list(cols) == ["id", "name"]
    assert cols["name"]["nullable"] is False


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_add_column_with_foreign_key_and_comment(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("account", Column("id", Integer, primary_key=True))
        op.create_table("t", Column("id", Integer, primary_key=True))
        op.add_column("t", Column("account_id", Integer, ForeignKey("account.id"), comment="owner"))
        op.add_column("t", Column("code", String(5), unique=True, index=False))
    insp = inspect(engine)
    fk = insp.get_foreign_keys("t")[0]
    assert fk["referred_table"] == "account" and fk["constrained_columns"] == ["account_id"]
    cols = {c["name"]: c for c in insp.get_columns("t")}
    assert cols["account_id"]["comment"] == "owner"
    uq_cols = [u["column_names"] for u in insp.get_unique_constraints("t")] + [
        i["column_names"] for i in insp.get_indexes("t") if i["unique"]
    ]
    assert ["code"] in uq_cols


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_alter_column(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("val", String(10)))
        op.bulk_insert(sa.table("t", sa.column("id"), sa.column("val")), [{"id": 1, "val": "42"}])
        op.alter_column(
            "t", "val", type_=Integer, existing_type=String(10), postgresql_using="val::integer",
            existing_nullable=True,
        )
        op.alter_column("t", "val", nullable=False, existing_type=Integer)
        op.alter_column("t", "val", server_default="7", existing_type=Integer, existing_nullable=False)
        op.alter_column(
            "t", "val", comment="the value", existing_type=Integer, existing_nullable=False,
            existing_server_default="7",
        )
        op.alter_column(
            "t", "val", new_column_name="amount", existing_type=Integer, existing_nullable=False,
            existing_server_default="7", existing_comment="the value",
        )
    col = {c["name"]: c for c in inspect(engine).get_columns("t")}["amount"]
    assert isinstance(col["type"], sa.Integer)
    assert col["nullable"] is False
    assert "7" in str(col["default"])
    assert col["comment"] == "the value"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT amount FROM t")).scalar() == 42


def test_alter_column_server_default_removed(postgresql_engine):
    with operations_on(postgresql_engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("v", Integer, server_default="3"))
        op.alter_column("t", "v", server_default=None)
    col = {c["name"]: c for c in inspect(postgresql_engine).get_columns("t")}["v"]
    assert col["default"] is None


def test_indexes(engine):
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("a", String(20)), Column("b", Integer))
        op.create_index("ix_ab", "t", ["a", "b"], unique=True)
        op.create_index("ix_b", "t", ["b"])
        op.drop_index("ix_b", "t")
    indexes = {i["name"]: i for i in inspect(engine).get_indexes("t")}
    assert "ix_b" not in indexes
    assert indexes["ix_ab"]["unique"] and indexes["ix_ab"]["column_names"] == ["a", "b"]


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_index_if_not_exists(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True))
        op.create_index("ix", "t", ["id"], if_not_exists=True)
        op.create_index("ix", "t", ["id"], if_not_exists=True)
        op.drop_index("ix", "t", if_exists=True)
        op.drop_index("ix", "t", if_exists=True)
    assert inspect(engine).get_indexes("t") == []


def test_postgresql_index_options(postgresql_engine):
    with operations_on(postgresql_engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("a", String(20)), Column("b", Integer))
        op.create_index("ix_lower", "t", [text("lower(a)")])
        op.create_index("ix_partial", "t", ["b"], postgresql_where=text("b > 5"), postgresql_include=["a"])
    indexes = {i["name"]: i for i in inspect(postgresql_engine).get_indexes("t")}
    assert indexes["ix_lower"]["expressions"] == ["lower(a::text)"]
    assert indexes["ix_partial"]["dialect_options"]["postgresql_where"] == "(b > 5)"
    assert indexes["ix_partial"]["dialect_options"]["postgresql_include"] == ["a"]


def test_postgresql_concurrent_index_in_autocommit_block(postgresql_engine):
    with postgresql_engine.connect() as conn:
        ctx = MigrationContext.configure(connection=conn)
        op = Operations(ctx)
        with ctx.begin_transaction():
            op.create_table("t", Column("id", Integer, primary_key=True))
        with ctx.autocommit_block():
            op.create_index("ix_c", "t", ["id"], postgresql_concurrently=True)
    assert [i["name"] for i in inspect(postgresql_engine).get_indexes("t")] == ["ix_c"]


def test_mysql_index_length(mysql_engine):
    with operations_on(mysql_engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("a", sa.Text))
        op.create_index("ix_a", "t", ["a"], mysql_length={"a": 10})
    index = inspect(mysql_engine).get_indexes("t")[0]
    assert index["name"] == "ix_a" and index["dialect_options"]["mysql_length"] == {"a": 10}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_constraints_added_and_dropped(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("account", Column("id", Integer, nullable=False))
        op.create_table("t", Column("id", Integer, nullable=False), Column("a", Integer), Column("acc", Integer))
        op.create_primary_key("pk_account", "account", ["id"])
        op.create_primary_key("pk_t", "t", ["id"])
        op.create_unique_constraint("uq_t_a", "t", ["a"])
        op.create_foreign_key("fk_t_acc", "t", "account", ["acc"], ["id"], ondelete="SET NULL", onupdate="CASCADE")
        op.create_check_constraint("ck_t_a", "t", "a > 0")
    insp = inspect(engine)
    assert insp.get_pk_constraint("t")["constrained_columns"] == ["id"]
    assert [u["name"] for u in insp.get_unique_constraints("t")] == ["uq_t_a"]
    fk = insp.get_foreign_keys("t")[0]
    assert fk["name"] == "fk_t_acc"
    assert fk["options"].get("ondelete") == "SET NULL" and fk["options"].get("onupdate") == "CASCADE"
    assert "ck_t_a" in {c["name"] for c in insp.get_check_constraints("t")}
    with operations_on(engine) as op:
        op.drop_constraint("fk_t_acc", "t", type_="foreignkey")
        op.drop_constraint("uq_t_a", "t", type_="unique")
        op.drop_constraint("ck_t_a", "t", type_="check")
        op.drop_constraint("pk_t", "t", type_="primary")
    insp = inspect(engine)
    assert insp.get_foreign_keys("t") == []
    assert insp.get_unique_constraints("t") == []
    assert "ck_t_a" not in {c["name"] for c in insp.get_check_constraints("t")}
    assert insp.get_pk_constraint("t")["constrained_columns"] == []


def test_foreign_key_across_schemas_deferrable(postgresql_engine):
    with operations_on(postgresql_engine) as op:
        op.execute("CREATE SCHEMA other")
        op.create_table("parent", Column("id", Integer, primary_key=True), schema="other")
        op.create_table("child", Column("id", Integer, primary_key=True), Column("pid", Integer))
        op.create_foreign_key(
            "fk_child_parent", "child", "parent", ["pid"], ["id"], referent_schema="other",
            deferrable=True, initially="DEFERRED", match="FULL",
        )
    fk = inspect(postgresql_engine).get_foreign_keys("child")[0]
    assert fk["referred_schema"] == "other"
    assert fk["options"]["deferrable"] is True and fk["options"]["initially"] == "DEFERRED"
    assert fk["options"]["match"] == "FULL"


def test_postgresql_exclude_constraint(postgresql_engine):
    from sqlalchemy.dialects.postgresql import TSRANGE

    with operations_on(postgresql_engine) as op:
        op.create_table("booking", Column("id", Integer, primary_key=True), Column("during", TSRANGE))
        op.create_exclude_constraint("no_overlap", "booking", ("during", "&&"), using="gist")
    with postgresql_engine.begin() as conn:
        conn.execute(text("INSERT INTO booking VALUES (1, '[2020-01-01, 2020-01-05)')"))
    with postgresql_engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(text("INSERT INTO booking VALUES (2, '[2020-01-03, 2020-01-08)')"))
    with postgresql_engine.connect() as conn:
        names = conn.execute(
            text("SELECT conname FROM pg_constraint WHERE contype = 'x'")
        ).scalars().all()
    assert names == ["no_overlap"]


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_table_comments(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), comment="first")
        op.create_table_comment("t", "it's second", existing_comment="first")
    assert inspect(engine).get_table_comment("t")["text"] == "it's second"
    with operations_on(engine) as op:
        op.drop_table_comment("t", existing_comment="it's second")
    assert inspect(engine).get_table_comment("t")["text"] in (None, "")


def test_same_op_objects_invoked_on_many_tables(engine):
    """One AddColumnOp / CreateIndexOp object reused: each run gets fresh copies."""
    column = Column("flag", Integer, server_default="1", nullable=False)
    with operations_on(engine) as op:
        for name in ("a", "b", "c"):
            op.create_table(name, Column("id", Integer, primary_key=True))
            add = ops.AddColumnOp(name, column)
            op.invoke(add)
            op.invoke(ops.CreateIndexOp(f"ix_{name}_flag", name, ["flag"]))
    insp = inspect(engine)
    for name in ("a", "b", "c"):
        assert [c["name"] for c in insp.get_columns(name)] == ["id", "flag"]
    assert column.table is None


def test_op_proxy_online(engine):
    from retort import op

    with engine.begin() as conn:
        ctx = MigrationContext.configure(connection=conn)
        with Operations.context(ctx):
            assert op.get_bind() is conn
            assert op.get_context() is ctx
            op.create_table("t", Column("id", Integer, primary_key=True))
    assert "t" in inspect(engine).get_table_names()


def test_database_error_keeps_its_type_and_names_the_op(engine):
    with engine.connect() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with pytest.raises(sa.exc.DBAPIError) as info:
            op.drop_column("no_such_table", "x")
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "drop column x from table no_such_table" in notes
    assert "no_such_table" in notes.split("statement:")[1]


def test_database_error_for_missing_column(engine):
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True))
    with engine.connect() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with pytest.raises(sa.exc.DBAPIError) as info:
            op.create_index("ix_nope", "t", ["nope"])
    notes = "\n".join(info.value.__notes__)
    assert "create index ix_nope on table t" in notes and "CREATE INDEX" in notes


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_add_column_inline_references_and_primary_key(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("account", Column("id", Integer, primary_key=True))
        op.create_table("t", Column("a", Integer))
        op.add_column("t", Column("id", Integer, primary_key=True), inline_primary_key=True)
        op.add_column("t", Column("acc", Integer, ForeignKey("account.id", ondelete="CASCADE")), inline_references=True)
    insp = inspect(engine)
    assert insp.get_pk_constraint("t")["constrained_columns"] == ["id"]
    fk = insp.get_foreign_keys("t")[0]
    assert fk["referred_table"] == "account" and fk["options"].get("ondelete") == "CASCADE"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_add_and_drop_column_if_exists_twice(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True))
        op.add_column("t", Column("x", Integer), if_not_exists=True)
        op.add_column("t", Column("x", Integer), if_not_exists=True)
    assert [c["name"] for c in inspect(engine).get_columns("t")] == ["id", "x"]
    with operations_on(engine) as op:
        op.drop_column("t", "x", if_exists=True)
        op.drop_column("t", "x", if_exists=True)
    assert [c["name"] for c in inspect(engine).get_columns("t")] == ["id"]


def test_drop_constraint_if_exists(postgresql_engine):
    with operations_on(postgresql_engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("a", Integer))
        op.create_unique_constraint("uq_a", "t", ["a"])
        op.drop_constraint("uq_a", "t", type_="unique", if_exists=True)
        op.drop_constraint("uq_a", "t", type_="unique", if_exists=True)
    assert inspect(postgresql_engine).get_unique_constraints("t") == []


def test_mysql_alter_column_autoincrement(mysql_engine):
    with operations_on(mysql_engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True, autoincrement=False))
        op.alter_column("t", "id", autoincrement=True, existing_type=Integer, existing_nullable=False)
    col = inspect(mysql_engine).get_columns("t")[0]
    assert col["autoincrement"] is True


def test_run_async_needs_an_async_driver(sqlite_engine):
    with sqlite_engine.connect() as conn:
        op = Operations(MigrationContext.configure(connection=conn))

        async def fn(async_conn):
            return 1

        with pytest.raises(NotImplementedError, match="async driver"):
            op.run_async(fn)


def test_execute_string_with_percent_and_colon(engine):
    with operations_on(engine) as op:
        op.create_table("t", Column("id", Integer, primary_key=True), Column("name", String(20)))
        op.execute("INSERT INTO t (id, name) VALUES (1, '50%')")
        op.execute("INSERT INTO t (id, name) VALUES (2, 'a:b')")
    assert _rows(engine) == [(1, "50%"), (2, "a:b")]


def _rows(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, name FROM t ORDER BY id")).all()]
