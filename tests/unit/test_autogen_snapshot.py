"""Snapshots built from a MetaData and turned back into Table objects (no database)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from retort.snapshot.from_metadata import split_colspec, table_snapshot
from retort.snapshot.model import IndexSnapshot, TableSnapshot, UniqueSnapshot
from retort.snapshot.to_objects import table_from_snapshot


def _table() -> sa.Table:
    m = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"})
    sa.Table("p", m, sa.Column("id", sa.Integer, primary_key=True), schema="other")
    t = sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.String(20), server_default="x", index=True, comment="an a"),
        sa.Column("b", sa.Integer, sa.ForeignKey("other.p.id", ondelete="CASCADE"), unique=True),
        sa.Column("c", sa.Integer, sa.Computed("b + 1")),
        sa.Column("d", sa.DateTime, server_default=sa.func.now()),
        comment="a table",
    )
    sa.Index("ix_desc", t.c.b.desc(), t.c.a)
    sa.Index("ix_expr", sa.func.lower(t.c.a), postgresql_where=t.c.b > 0)
    return t


def test_metadata_snapshot():
    snap = table_snapshot(_table(), postgresql.dialect())
    assert snap.column_names == ("id", "a", "b", "c", "d")
    a = snap.column("a")
    assert (a.default, a.comment, a.nullable) == ("'x'", "an a", True)
    assert snap.column("d").default == "now()"
    assert snap.column("c").computed is not None and snap.column("c").computed.sqltext == "b + 1"
    assert snap.primary_key.columns == ("id",)
    (fk,) = snap.foreign_keys
    assert (fk.columns, fk.referred_schema, fk.referred_table, fk.referred_columns) == (
        ("b",), "other", "p", ("id",)
    )
    assert fk.options == {"ondelete": "CASCADE"}
    assert [(u.name, u.columns) for u in snap.uniques] == [("uq_t_b", ("b",))]
    indexes = {i.name: i for i in snap.indexes}
    assert indexes["ix_t_a"].columns == ("a",)
    assert indexes["ix_desc"].columns == ("b", "a") and indexes["ix_desc"].column_sorting == {"b": ("desc",)}
    expr = indexes["ix_expr"]
    assert expr.columns == (None,) and expr.expressions == ("lower(a)",)
    assert expr.dialect_options == {"postgresql_where": "b > 0"}
    assert snap.comment == "a table"


def test_defaults_are_rendered_only_when_asked():
    snap = table_snapshot(_table(), sqlite.dialect(), with_defaults=False)
    assert snap.column("a").default is None


def test_split_colspec():
    assert split_colspec("s.t.c") == ("s", "t", "c")
    assert split_colspec("t.c") == (None, "t", "c")
    assert split_colspec("a.b.t.c") == ("a.b", "t", "c")


def test_snapshot_back_to_table():
    snap = table_snapshot(_table(), postgresql.dialect())
    table = table_from_snapshot(snap)
    again = table_snapshot(table, postgresql.dialect())
    assert again.column_names == snap.column_names
    assert [(u.name, u.columns) for u in again.uniques] == [("uq_t_b", ("b",))]
    assert again.foreign_keys[0].referred_table == "p"
    assert table.comment == "a table"


def test_reflected_shapes_become_one_object_each():
    # PostgreSQL: the index behind a unique constraint; MySQL: a unique key seen both ways
    snap = TableSnapshot(
        schema=None, name="t",
        columns=table_snapshot(_table(), postgresql.dialect()).columns,
        uniques=(UniqueSnapshot("uq_pg", ("a",)), UniqueSnapshot("uq_my", ("b",), duplicates_index="uq_my")),
        indexes=(
            IndexSnapshot("uq_pg", ("a",), unique=True, duplicates_constraint="uq_pg"),
            IndexSnapshot("uq_my", ("b",), unique=True),
            IndexSnapshot("ix_sorted", ("a", "b"), column_sorting={"b": ("desc", "nulls_last")}),
        ),
    )
    table = table_from_snapshot(snap)
    assert sorted(c.name for c in table.constraints if isinstance(c, sa.UniqueConstraint)) == ["uq_pg"]
    assert sorted(i.name for i in table.indexes) == ["ix_sorted", "uq_my"]
    sorted_ix = next(i for i in table.indexes if i.name == "ix_sorted")
    assert [str(e) for e in sorted_ix.expressions][1] == "b DESC NULLS LAST"
