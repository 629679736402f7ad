"""Directive calls shared by the op SQL tests (no tests here): each a function of ``op``.

The same function runs under retort and, for comparison, under Alembic 1.20.
"""

from __future__ import annotations

import datetime
import io
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String, func, text

ALL = ("sqlite", "postgresql", "mysql", "mssql", "oracle")
SERVERS = ("postgresql", "mysql", "mssql", "oracle")


def run_offline(kind: str, dialect: str, fn: Callable[[Any], Any], opts: dict[str, Any] | None = None) -> str:
    """The SQL text ``fn(op)`` produces in --sql mode under retort or alembic."""
    buf = io.StringIO()
    options = {"as_sql": True, "output_buffer": buf, **(opts or {})}
    if kind == "alembic":
        from alembic.migration import MigrationContext
        from alembic.operations import Operations
    else:
        from retort.operations import Operations
        from retort.runtime.migration import MigrationContext
    ctx = MigrationContext.configure(dialect_name=dialect, opts=options)
    fn(Operations(ctx))
    return buf.getvalue()


def create_table(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True),
        Column("x", String(20), ForeignKey("o.id")),
        sa.UniqueConstraint("x", name="uq"),
        sa.CheckConstraint("id > 0", name="ck"),
        comment="tc",
        if_not_exists=True,
    )


def create_table_types(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("b", sa.Boolean(create_constraint=True, name="ckb"), server_default=sa.false()),
        Column("e", sa.Enum("a", "b", name="myenum")),
        Column("c", sa.DateTime, server_default=func.now(), comment="cc", index=True),
        schema="s",
        mysql_engine="InnoDB",
    )


def add_column_fk(op):
    op.add_column("t", Column("y", Integer, ForeignKey("o.id"), comment="hi"))


def add_column_unique_index(op):
    op.add_column("t", Column("y", Integer, unique=True))
    op.add_column("t", Column("z", Integer, index=True), schema="s")
    op.add_column("t", Column("q", Integer, index=True, unique=True))


def add_column_default(op):
    op.add_column("t", Column("y", Integer, nullable=False, server_default="5"), schema="s")
    op.add_column("t", Column("b", sa.Boolean(create_constraint=True, name="ckb")))


def add_column_inline(op):
    op.add_column("t", Column("z", Integer, ForeignKey("s2.o.id", ondelete="CASCADE")), inline_references=True)
    op.add_column("t", Column("id2", Integer, primary_key=True), inline_primary_key=True)


def add_column_if_not_exists(op):
    op.add_column("t", Column("y", Integer), if_not_exists=True)


def drop_column(op):
    op.drop_column("t", "y", schema="s")


def drop_column_if_exists(op):
    op.drop_column("t", "z", if_exists=True)


def alter_column_type(op):
    op.alter_column("t", "y", type_=String(5), postgresql_using="y::text", nullable=False, existing_type=Integer)


def alter_column_misc(op):
    op.alter_column(
        "t", "y", new_column_name="z", existing_type=Integer, existing_nullable=False,
        existing_server_default="3", existing_comment="c",
    )
    op.alter_column("t", "y", server_default="x", existing_type=String(10))
    op.alter_column("t", "y", server_default=None, existing_type=String(10), schema="s")
    op.alter_column("t", "y", nullable=True, existing_type=String(10))


def alter_column_comment(op):
    op.alter_column("t", "y", comment="new", existing_type=String(10), existing_comment="old")


def alter_column_schema_type(op):
    op.alter_column(
        "t", "b",
        type_=sa.Boolean(create_constraint=True, name="ck_new"),
        existing_type=sa.Boolean(create_constraint=True, name="ck_old"),
    )


def alter_column_identity(op):
    op.alter_column("t", "y", server_default=sa.Identity(start=3), existing_type=Integer)


def indexes(op):
    op.create_index("ix1", "t", ["a", "b"], unique=True, schema="s")
    op.create_index("ix2", "t", [text("lower(a)"), "b"])
    op.drop_index("ix1", "t", schema="s")


def indexes_if_exists(op):
    op.create_index(op.f("ix3"), "t", ["a"], if_not_exists=True)
    op.drop_index("ix3", table_name="t", if_exists=True)


def indexes_postgresql(op):
    op.create_index(
        "ix4", "t", ["a"], postgresql_where=text("a > 5"), postgresql_using="gin", postgresql_include=["b"]
    )
    op.create_index("ix5", "t", ["a"], postgresql_concurrently=True)
    op.drop_index("ix5", "t", postgresql_concurrently=True)
    op.create_index("ix6", "t", [func.lower(sa.column("a"))])


def indexes_mysql(op):
    op.create_index("ix4", "t", ["a", "b"], mysql_length={"a": 10})
    op.create_index("ix5", "t", ["a"], mysql_prefix="FULLTEXT")


def constraints(op):
    op.create_primary_key("pk_t", "t", ["id", "x"], schema="s")
    op.create_unique_constraint("uq_t", "t", ["a", "b"], deferrable=True, initially="DEFERRED")
    op.create_foreign_key(
        "fk_t", "t", "o", ["a", "b"], ["x", "y"], onupdate="CASCADE", ondelete="SET NULL",
        deferrable=True, initially="IMMEDIATE", match="FULL", source_schema="s1", referent_schema="s2",
    )
    op.create_check_constraint("ck_t", "t", "a > 5")
    op.create_check_constraint("ck_t2", "t", sa.column("a") > 5, schema="s")
    op.drop_constraint("fk_t", "t", type_="foreignkey", schema="s1")
    op.drop_constraint("uq_t", "t", type_="unique")
    op.drop_constraint("pk_t", "t", type_="primary")
    op.drop_constraint("ck_t", "t", type_="check")


def drop_constraint_untyped(op):
    op.drop_constraint("c", "t")
    op.drop_constraint("c", "t", type_="unique", if_exists=True)


def self_referential_fk(op):
    op.create_foreign_key(None, "node", "node", ["parent_id"], ["id"])


def tables(op):
    op.drop_table("t")
    op.drop_table("t", schema="s", if_exists=True)
    op.rename_table("a", "b", schema="s")


def table_comments(op):
    op.create_table_comment("t", "it's", existing_comment="old")
    op.drop_table_comment("t", existing_comment="it's", schema="s")


def data(op):
    t = sa.table("t", sa.column("id", Integer), sa.column("name", String), sa.column("d", sa.Date))
    op.bulk_insert(
        t,
        [{"id": 1, "name": "a'b", "d": datetime.date(2020, 1, 2)}, {"id": 2, "name": None, "d": None}],
    )
    op.bulk_insert(t, [{"id": 3, "name": "x", "d": None}], multiinsert=False)
    op.execute("UPDATE t SET a = 1")
    op.execute(t.update().where(t.c.id == op.inline_literal(5)).values(name=op.inline_literal("q'z")))
    op.execute(text("select 1"), execution_options={"x": 1})


def exclude_constraint(op):
    op.create_exclude_constraint("ex2", "room", ("room", "="), schema="s", deferrable=True, using="gist")


def naming_convention(op):
    op.create_unique_constraint(None, "t", ["a"])
    op.create_foreign_key(None, "t", "o", ["a"], ["id"])
    op.create_check_constraint("positive", "t", "a > 1")
    op.create_index(None, "t", ["a"])
    op.create_unique_constraint(op.f("uq_literal"), "t", ["a"])
    op.create_table(
        "nt", Column("id", Integer, primary_key=True), Column("a", Integer, unique=True), sa.CheckConstraint("id > 0", name="idpos")
    )


NAMING = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def batch_passthrough(op):
    with op.batch_alter_table("t", schema="s") as b:
        b.add_column(Column("c", Integer, server_default="3"))
        b.alter_column("a", new_column_name="aa", existing_type=String(20), nullable=False)
        b.drop_column("b")
        b.create_index("ix_c", ["c"])
        b.drop_index("ix_c")
        b.create_unique_constraint("uq_c", ["c"])
        b.create_primary_key("pk_t", ["id"])
        b.create_check_constraint("ck_c", "c > 0")
        b.create_foreign_key("fk_c", "o", ["c"], ["id"], referent_schema="s2", ondelete="CASCADE")
        b.drop_constraint("uq_a", type_="unique")
        b.create_table_comment("cmt", existing_comment=None)
        b.drop_table_comment(existing_comment="cmt")
        b.execute("select 1")


def batch_exclude(op):
    with op.batch_alter_table("t") as b:
        b.create_exclude_constraint("ex", ("c", "="), using="gist")


def from_table_indexes(op):
    """CreateTableOp.from_table leaves indexes to CreateIndexOp; a plain create_table makes them."""
    from importlib import import_module

    mod = import_module(type(op).__module__.split(".")[0] + ".operations.ops")
    md = sa.MetaData()
    t = sa.Table(
        "t", md, Column("id", Integer, primary_key=True), Column("a", Integer, index=True),
        Column("b", Integer, unique=True), sa.Index("ix_b", "b"),
    )
    op.invoke(mod.CreateTableOp.from_table(t))
    op.invoke(mod.DropTableOp.from_table(t).reverse())
    op.invoke(mod.CreateTableOp("u", [Column("id", Integer, primary_key=True), Column("a", Integer, index=True)]))
    attached = Column("a", Integer, index=True, unique=True)
    sa.Table("v", sa.MetaData(), attached)
    op.invoke(mod.CreateTableOp("w", [attached]))


def add_column_from_table(op):
    """A column taken from a table brings its index / unique, not its FK (a separate op)."""
    from importlib import import_module

    mod = import_module(type(op).__module__.split(".")[0] + ".operations.ops")
    t = sa.Table(
        "t", sa.MetaData(), Column("id", Integer, primary_key=True), Column("a", Integer, index=True),
        Column("b", Integer, unique=True), Column("c", Integer, ForeignKey("o.id")),
    )
    for name in ("a", "b", "c"):
        op.invoke(mod.AddColumnOp.from_column(t.c[name]))
