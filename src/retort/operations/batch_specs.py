"""Plain specs for the pieces of a batch-recreated table, and helpers to copy them.

Constraints and indexes are held keyed by column *names*, so a column rename
or drop in batch mode updates them in one place; SQLAlchemy objects are built
from the specs only at the end (see ``batch_plan``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema
from sqlalchemy.sql import operators
from sqlalchemy.sql.base import _NONE_NAME
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.schema import SchemaEventTarget

from retort.util.exc import BatchError

__all__ = ["ColumnSpec", "ConstraintSpec", "IndexSpec", "TablePlanError", "rebuild_column"]


class TablePlanError(BatchError, ValueError):
    """A batch directive that does not fit the table being rebuilt.

    Also a ``ValueError``: Alembic users catch that for "No such constraint".
    """


def _norm_name(name: Any) -> str | None:
    """Treat SQLAlchemy's "no name yet" markers as None."""
    if name is None or name is _NONE_NAME or type(name).__name__ == "_defer_none_name":
        return None
    return name


# --------------------------------------------------------------------------
# SQL text helpers: CHECK constraints and expression indexes are text, so a
# column rename / drop must look inside them.  Tokenise so that string
# literals are never touched.

_TOKEN = re.compile(
    r"""(?P<str>'(?:[^']|'')*')"""
    r"""|(?P<dq>"(?:[^"]|"")*")"""
    r"""|(?P<bq>`[^`]*`)"""
    r"""|(?P<br>\[[^\]]*\])"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)"""
)


def _ident_matches(token: re.Match[str], name: str) -> bool:
    kind = token.lastgroup
    text = token.group(0)
    if kind == "word":
        return text.lower() == name.lower()
    if kind == "dq":
        return text[1:-1].replace('""', '"') == name
    if kind in ("bq", "br"):
        return text[1:-1] == name
    return False


def sql_mentions(sqltext: str, name: str) -> bool:
    """Return True when ``sqltext`` uses the identifier ``name`` outside string literals."""
    return any(_ident_matches(m, name) for m in _TOKEN.finditer(sqltext))


def sql_rename(sqltext: str, old: str, new_quoted: str) -> str:
    """Replace the identifier ``old`` by ``new_quoted`` outside string literals."""

    def repl(m: re.Match[str]) -> str:
        return new_quoted if _ident_matches(m, old) else m.group(0)

    return _TOKEN.sub(repl, sqltext)


# --------------------------------------------------------------------------
# specs


@dataclass
class ColumnSpec:
    """One column of the new table and where its data comes from."""

    column: sa.Column[Any]  # detached; its name is the column's current name
    source: str | None  # column of the old table holding the data, None if new
    cast_to: Any = None  # new type when the type changed
    using: ClauseElement | None = None  # explicit source expression (``<dialect>_using``)

    @property
    def name(self) -> str:
        return self.column.name


@dataclass
class ConstraintSpec:
    kind: str  # "pk" | "unique" | "fk" | "check" | "other"
    name: str | None
    columns: list[str] = field(default_factory=list)
    sqltext: Any = None  # check: str (or a ClauseElement that could not be rendered)
    refs: list[tuple[str | None, str, str]] = field(default_factory=list)  # fk: (schema, table, column)
    self_ref: bool = False  # fk pointing at the batch table itself
    options: dict[str, Any] = field(default_factory=dict)
    obj: Any = None  # "other": the SQLAlchemy constraint to copy as-is
    implicit: bool = False  # made from a Column flag (unique=True / ForeignKey); an explicit twin replaces it


@dataclass
class IndexSpec:
    name: str | None
    items: list[tuple[str, Any, Any]]  # ("col", name, modifier) or ("expr", clause, None)
    unique: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)
    implicit: bool = False

    def column_names(self) -> list[str]:
        return [item[1] for item in self.items if item[0] == "col"]


_KIND_OF = (
    (sa_schema.PrimaryKeyConstraint, "pk"),
    (sa_schema.UniqueConstraint, "unique"),
    (sa_schema.ForeignKeyConstraint, "fk"),
    (sa_schema.CheckConstraint, "check"),
)

#: ASC / DESC on an index column, kept through a rename
MODIFIERS = {operators.desc_op: sa.desc, operators.asc_op: sa.asc}


def _kind(const: Any) -> str | None:
    for cls, kind in _KIND_OF:
        if isinstance(const, cls):
            return kind
    if type(const) is sa_schema.Constraint:
        return None  # drop_constraint(type_=None): any kind
    return "other"


def _constraint_column_names(const: Any) -> list[str]:
    """Local column names of a constraint, attached to a table or not."""
    if isinstance(const, sa_schema.ForeignKeyConstraint):
        return list(const.column_keys)
    try:
        if const.table is not None and len(const.columns):
            return [c.name for c in const.columns]
    except Exception:  # not attached: fall back to the pending arguments
        pass
    names = []
    for c in getattr(const, "_pending_colargs", ()):
        names.append(c if isinstance(c, str) else getattr(c, "name", str(c)))
    return names


def _fk_options(const: sa_schema.ForeignKeyConstraint) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for key in ("onupdate", "ondelete", "deferrable", "initially", "match"):
        value = getattr(const, key, None)
        if value is not None:
            opts[key] = value
    opts.update(const.dialect_kwargs)
    return opts


def _copy_type(type_: Any) -> Any:
    # schema types (Boolean/Enum with constraints) bind to one table only
    if isinstance(type_, SchemaEventTarget):
        return type_.copy()
    return type_


_KEEP = object()


def _server_default_arg(value: Any) -> tuple[list[Any], Any]:
    """Split a server default into (positional Column args, server_default=)."""
    if value is None:
        return [], None
    if isinstance(value, (sa.Computed, sa.Identity)):
        return [value._copy()], None
    if isinstance(value, sa_schema.DefaultClause):
        return [], sa_schema.DefaultClause(value.arg, for_update=value.for_update)
    if isinstance(value, sa_schema.FetchedValue):
        return [], sa_schema.FetchedValue()
    return [], value


def rebuild_column(
    col: sa.Column[Any],
    *,
    name: Any = _KEEP,
    type_: Any = _KEEP,
    nullable: Any = _KEEP,
    server_default: Any = _KEEP,
    comment: Any = _KEEP,
    autoincrement: Any = _KEEP,
    primary_key: Any = _KEEP,
) -> sa.Column[Any]:
    """Return a detached Column like ``col`` with the given attributes changed.

    Index / unique flags, ForeignKeys and inline constraints are left out: the
    plan carries those as specs.
    """
    if server_default is _KEEP:
        sd = col.computed if col.computed is not None else (
            col.identity if col.identity is not None else col.server_default
        )
    else:
        sd = server_default
    args, sd_kw = _server_default_arg(sd)
    onupdate = col.server_onupdate
    onupdate_kw = (
        sa_schema.DefaultClause(onupdate.arg, for_update=True)
        if isinstance(onupdate, sa_schema.DefaultClause)
        else None
    )
    return sa.Column(
        col.name if name is _KEEP else name,
        _copy_type(col.type if type_ is _KEEP else type_),
        *args,
        primary_key=col.primary_key if primary_key is _KEEP else primary_key,
        nullable=col.nullable if nullable is _KEEP else nullable,
        server_default=sd_kw,
        server_onupdate=onupdate_kw,
        autoincrement=col.autoincrement if autoincrement is _KEEP else autoincrement,
        comment=col.comment if comment is _KEEP else comment,
        info=dict(col.info),
        **col.dialect_kwargs,
    )

