"""Helpers for the tests/sql/test_ddl_*.py tables: offline impls and throw-away schema objects."""

from __future__ import annotations

import io
import warnings
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from retort.ddl.impl import DefaultImpl, impl_for


def offline(dialect_name: str, **context_opts: Any) -> tuple[DefaultImpl, io.StringIO]:
    """An offline (as_sql) impl for ``dialect_name`` writing into a fresh buffer."""
    dialect = make_url(f"{dialect_name}://").get_dialect()()
    buf = io.StringIO()
    impl = impl_for(dialect_name)(dialect, None, True, None, buf, context_opts)
    return impl, buf


def chunks(text: str) -> list[str]:
    """Split offline output into its blank-line separated pieces."""
    return [c for c in text.split("\n\n") if c.strip()]


def emitted(dialect_name: str, act: Callable[[DefaultImpl], Any], **context_opts: Any) -> list[str]:
    """Run ``act(impl)`` offline and return the pieces of SQL it wrote."""
    impl, buf = offline(dialect_name, **context_opts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        act(impl)
    return chunks(buf.getvalue())


def table(name: str, *cols: Any, schema: str | None = None, **kw: Any) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *cols, schema=schema, **kw)


def column(
    name: str, type_: Any = sa.Integer, *args: Any, table_name: str = "t", schema: str | None = None, **kw: Any
) -> sa.Column:
    """A Column attached to a throw-away Table, as ops hand them to the impl."""
    col = sa.Column(name, type_, *args, **kw)
    table(table_name, col, schema=schema)
    return col


def constraint(kind: str, table_name: str = "a", schema: str | None = None, name: str | None = None, **kw: Any) -> Any:
    """A named constraint on a throw-away ``a(x)`` table referencing ``b(y)``."""
    md = sa.MetaData()
    t = sa.Table(table_name, md, sa.Column("x", sa.Integer), schema=schema)
    sa.Table("b", md, sa.Column("y", sa.Integer), schema=schema)
    ref = f"{schema}.b.y" if schema else "b.y"
    const = {
        "foreignkey": lambda: sa.ForeignKeyConstraint(["x"], [ref], name=name or "fk1", **kw),
        "unique": lambda: sa.UniqueConstraint("x", name=name or "uq1", **kw),
        "check": lambda: sa.CheckConstraint("x > 5", name=name or "ck1", **kw),
        "primary": lambda: sa.PrimaryKeyConstraint("x", name=name or "pk1", **kw),
        "generic": lambda: sa.schema.Constraint(name=name or "c1", **kw),
    }[kind]()
    t.append_constraint(const)
    return const


def index(name: str, *cols: str, table_name: str = "t", **kw: Any) -> sa.Index:
    t = table(table_name, *[sa.Column(c, sa.Integer) for c in cols])
    return sa.Index(name, *[t.c[c] for c in cols], **kw)
