"""batch_alter_table calls run side by side in --sql mode (no tests here)."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String, text

BATCH_CASES: dict[str, Callable[[Any], Any]] = {}


def case(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    BATCH_CASES[fn.__name__] = fn
    return fn


def source() -> sa.Table:
    """The table batch copies from, as a user would give ``copy_from``."""
    md = sa.MetaData()
    sa.Table("p", md, Column("id", Integer, primary_key=True))
    return sa.Table(
        "t",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, server_default="anon"),
        Column("x", Integer),
        Column("pid", Integer, ForeignKey("p.id", name="fk_t_p")),
        sa.UniqueConstraint("name", name="uq_t_name"),
        sa.CheckConstraint("x > 0", name="ck_t_x"),
        sa.Index("ix_t_x", "x"),
    )


def _batch(op, **kw):
    return op.batch_alter_table("t", copy_from=source(), **kw)


@case
def add_column(op):
    with _batch(op) as b:
        b.add_column(Column("y", String(10), server_default="z"))


@case
def add_column_recreate_always(op):
    with _batch(op, recreate="always") as b:
        b.add_column(Column("y", Integer))


@case
def add_column_positioned(op):
    with _batch(op, recreate="always") as b:
        b.add_column(Column("y", Integer), insert_before="name")
        b.add_column(Column("z", Integer), insert_after="id")


@case
def drop_column(op):
    with _batch(op) as b:
        b.drop_column("x")


@case
def alter_type_nullable(op):
    with _batch(op) as b:
        b.alter_column("x", type_=sa.BigInteger, nullable=False)


@case
def alter_rename(op):
    with _batch(op) as b:
        b.alter_column("x", new_column_name="xx")


@case
def alter_default(op):
    with _batch(op) as b:
        b.alter_column("name", server_default=None)
        b.alter_column("x", server_default=text("7"))


@case
def drop_constraints(op):
    with _batch(op) as b:
        b.drop_constraint("uq_t_name", type_="unique")
        b.drop_constraint("ck_t_x", type_="check")
        b.drop_constraint("fk_t_p", type_="foreignkey")


@case
def add_constraints(op):
    with _batch(op) as b:
        b.create_unique_constraint("uq_t_x", ["x"])
        b.create_check_constraint("ck_t_id", "id > 0")
        b.create_foreign_key("fk_t_p2", "p", ["x"], ["id"])


@case
def indexes(op):
    with _batch(op) as b:
        b.create_index("ix_t_name", ["name"], unique=True)
        b.drop_index("ix_t_x")


@case
def rename_table_in_batch(op):
    with _batch(op, recreate="always") as b:
        b.alter_column("x", type_=String(5))


@case
def table_comment(op):
    with _batch(op, recreate="always") as b:
        b.create_table_comment("a comment")


@case
def several(op):
    with _batch(op) as b:
        b.add_column(Column("y", Integer))
        b.alter_column("name", new_column_name="title", existing_type=String(50))
        b.drop_column("x")
        b.create_index("ix_t_y", ["y"])


@case
def partial_reordering(op):
    with _batch(op, recreate="always", partial_reordering=[("name", "id")]) as b:
        b.add_column(Column("y", Integer))


@case
def table_kwargs(op):
    with _batch(op, recreate="always", table_kwargs={"sqlite_autoincrement": True}) as b:
        b.add_column(Column("y", Integer))


@case
def naming_convention(op):
    with _batch(
        op, recreate="always", naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}
    ) as b:
        b.create_unique_constraint(None, ["x"])


@case
def passthrough_never(op):
    with op.batch_alter_table("t", recreate="never") as b:
        b.add_column(Column("y", Integer))
        b.alter_column("x", type_=sa.BigInteger, existing_type=Integer)
        b.create_index("ix_y", ["y"])
        b.drop_column("z")
