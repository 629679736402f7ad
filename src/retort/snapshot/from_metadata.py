"""MetaData → snapshot, with naming conventions applied and SQL rendered for one dialect.

Server defaults, computed expressions, index expressions and partial-index
clauses become SQL text compiled for the target dialect, so the comparison
works on the same footing as the database side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Computed, ForeignKeyConstraint, Identity, Index, Table, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ClauseElement, ColumnClause, TextClause, UnaryExpression

from .model import (
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableSnapshot,
    UniqueSnapshot,
)

__all__ = [
    "table_snapshot",
    "column_snapshot",
    "index_snapshot",
    "unique_snapshot",
    "fk_snapshot",
    "constraint_name",
    "sql_text",
]

_IDENTITY_KEYS = ("always", "on_null", "start", "increment", "minvalue", "maxvalue", "cycle", "cache", "order")


def _shortest_name_limit(dialect: Dialect) -> int:
    limits = [
        getattr(dialect, attr, None)
        for attr in ("max_identifier_length", "max_index_name_length", "max_constraint_name_length")
    ]
    return min((n for n in limits if n), default=1 << 30)


def constraint_name(obj: Any, dialect: Dialect | None = None) -> str | None:
    """Return the name of a constraint / index as a plain str, None when it has none.

    SQLAlchemy marks "a naming convention will decide later" with a special
    None-like value; both mean "no name we can compare".  With ``dialect``,
    a name longer than the dialect allows is given as the DDL writes it (a
    naming convention's long name is truncated with a hash suffix).
    """
    name = obj.name
    if name is None or type(name).__name__ == "_NoneName":
        return None
    if dialect is not None and len(name) > _shortest_name_limit(dialect):
        try:
            # SQLAlchemy's own truncation, unquoted (the keyword exists for migration tools)
            return str(dialect.identifier_preparer.format_constraint(obj, _alembic_quote=False))
        except Exception:
            pass
    return str(name)


def sql_text(element: Any, dialect: Dialect) -> str:
    """Render a SQL expression (or plain string) as SQL text for ``dialect``."""
    if isinstance(element, str):
        return element
    if isinstance(element, TextClause):
        return element.text
    if isinstance(element, ClauseElement):
        # unqualified column names: what DDL writes and what the database echoes
        return str(
            element.compile(dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False})
        )
    return str(element)


def server_default_text(default: Any, dialect: Dialect) -> str | None:
    """Render a column's ``server_default`` as the SQL the database stores, or None."""
    if not isinstance(default, DefaultClause):
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    return sql_text(arg, dialect)


def column_snapshot(col: Column[Any], dialect: Dialect, *, with_defaults: bool = True) -> ColumnSnapshot:
    """Describe one MetaData column (``with_defaults=False`` skips rendering its server default)."""
    sd = col.server_default
    computed = identity = None
    if isinstance(sd, Computed):
        computed = ComputedSnapshot(sql_text(sd.sqltext, dialect), sd.persisted)
    elif isinstance(sd, Identity):
        identity = IdentitySnapshot(**{k: getattr(sd, k, None) for k in _IDENTITY_KEYS})
    return ColumnSnapshot(
        name=col.name,
        type=col.type,
        nullable=bool(col.nullable),
        default=server_default_text(sd, dialect) if with_defaults and sd is not None else None,
        autoincrement=col.autoincrement,
        comment=col.comment,
        computed=computed,
        identity=identity,
        source=col,
    )


def _dialect_kwargs(obj: Any, dialect: Dialect) -> dict[str, Any]:
    """Options explicitly set for ``dialect`` on a constraint / index, as ``<dialect>_<name>`` keys."""
    prefix = dialect.name + "_"
    return {
        k: v
        for k, v in obj.dialect_kwargs.items()
        if k.startswith(prefix) and v is not None and v is not False and v != [] and v != ()
    }


_SORT_MODIFIERS = {
    operators.desc_op: "desc",
    operators.asc_op: "asc",
    operators.nulls_first_op: "nulls_first",
    operators.nulls_last_op: "nulls_last",
}


def unwrap_sorting(expr: Any) -> tuple[Any, tuple[str, ...]]:
    """``desc(col).nulls_last()`` → (col, ("desc", "nulls_last")); other elements unchanged."""
    mods: list[str] = []
    while isinstance(expr, UnaryExpression) and expr.modifier in _SORT_MODIFIERS:
        mods.append(_SORT_MODIFIERS[expr.modifier])
        expr = expr.element
    return expr, tuple(reversed(mods))


def index_snapshot(index: Index, dialect: Dialect) -> IndexSnapshot:
    """Describe one MetaData index (expressions rendered as SQL text)."""
    columns: list[str | None] = []
    expressions: list[str | None] = []
    sorting: dict[str, tuple[str, ...]] = {}
    has_expr = False
    for expr in index.expressions:
        base, mods = unwrap_sorting(expr)
        if mods and isinstance(base, ColumnClause) and not getattr(base, "is_literal", False):
            columns.append(base.name)
            expressions.append(None)
            sorting[base.name] = mods
        elif isinstance(expr, ColumnClause) and not getattr(expr, "is_literal", False):
            columns.append(expr.name)
            expressions.append(None)
        elif isinstance(expr, str):
            columns.append(expr)
            expressions.append(None)
        else:
            has_expr = True
            columns.append(None)
            expressions.append(sql_text(expr, dialect))
    opts = {}
    for key, value in _dialect_kwargs(index, dialect).items():
        opts[key] = sql_text(value, dialect) if isinstance(value, ClauseElement) else value
    return IndexSnapshot(
        name=constraint_name(index, dialect),
        columns=tuple(columns),
        unique=bool(index.unique),
        expressions=tuple(expressions) if has_expr else (),
        dialect_options=opts,
        column_sorting=sorting,
        source=index,
    )


def unique_snapshot(const: UniqueConstraint, dialect: Dialect) -> UniqueSnapshot:
    return UniqueSnapshot(
        name=constraint_name(const, dialect),
        columns=tuple(c.name for c in const.columns),
        dialect_options=_dialect_kwargs(const, dialect),
        source=const,
    )


def split_colspec(spec: str) -> tuple[str | None, str, str]:
    """Split ``[schema.]table.column`` (a ForeignKey target) into its parts."""
    parts = spec.split(".")
    if len(parts) >= 3:
        return ".".join(parts[:-2]), parts[-2], parts[-1]
    return None, parts[0], parts[-1]


def fk_snapshot(fk: ForeignKeyConstraint, dialect: Dialect | None = None) -> ForeignKeySnapshot:
    referred_schema: str | None = None
    referred_table = ""
    referred_columns: list[str] = []
    for elem in fk.elements:
        referred_schema, referred_table, rcol = split_colspec(elem.target_fullname)
        referred_columns.append(rcol)
    options = {
        k: getattr(fk, k)
        for k in ("ondelete", "onupdate", "deferrable", "initially", "match")
        if getattr(fk, k, None) is not None
    }
    return ForeignKeySnapshot(
        name=constraint_name(fk, dialect),
        columns=tuple(c.name for c in fk.columns) if fk.columns else tuple(fk.column_keys),
        referred_schema=referred_schema,
        referred_table=referred_table,
        referred_columns=tuple(referred_columns),
        options=options,
        source=fk,
    )


def table_snapshot(table: Table, dialect: Dialect, *, with_defaults: bool = True) -> TableSnapshot:
    """Describe one MetaData table for comparison on ``dialect``.

    :param with_defaults: render server defaults as SQL text (only needed
        when they are compared).
    """
    pk = table.primary_key
    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    return TableSnapshot(
        schema=table.schema,
        name=table.name,
        columns=tuple(column_snapshot(c, dialect, with_defaults=with_defaults) for c in table.columns),
        primary_key=(
            PrimaryKeySnapshot(constraint_name(pk), tuple(c.name for c in pk.columns))
            if pk is not None and len(pk.columns)
            else None
        ),
        foreign_keys=tuple(fk_snapshot(f, dialect) for f in table.foreign_key_constraints),
        indexes=tuple(index_snapshot(i, dialect) for i in table.indexes),
        uniques=tuple(unique_snapshot(u, dialect) for u in uniques),
        comment=table.comment,
        source=table,
    )
