"""Database → snapshot, from SQLAlchemy's bulk inspection (``Inspector.get_multi_*``).

One catalogue round trip per object kind per schema, restricted to the table
names the caller already filtered (``include_name`` is applied before we get
here), and built straight from the inspector's dictionaries: no reflected
``Table`` objects, which cost several times the queries themselves.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy.engine import Inspector

from retort.util.registry import Dispatcher

from .model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableSnapshot,
    UniqueSnapshot,
)

__all__ = ["reflect_tables", "reflectable_table_names", "server_default_spellings"]

#: ``"server_default"`` qualified by a dialect name → ``fn(text) -> text``: how a
#: server default's SQL text is written on that dialect, both when reflected
#: and when rendered for it (see :func:`_sqlite_default`)
server_default_spellings = Dispatcher(what="reflected default reader")


@server_default_spellings.dispatch_for("server_default", "sqlite")
def _sqlite_default(text: str) -> str:
    """SQLite: the inspector strips the parentheses a ``DEFAULT (expr)`` needs; put them back.

    As Alembic: left bare are a single digit, a non-empty single-quoted
    literal and text already in parentheses; everything else (``10``,
    ``-5``, ``''``, ``CURRENT_TIMESTAMP``, ``1+1``) becomes ``(text)``, which
    SQLite accepts in a DEFAULT clause wherever the text is an expression.
    """
    if _SQLITE_BARE_DEFAULT.match(text):
        return text
    return f"({text})"


_SQLITE_BARE_DEFAULT = re.compile(r"^(?:\d|'.+'|\(.*\))$", re.DOTALL)

_IDENTITY_KEYS = ("always", "on_null", "start", "increment", "minvalue", "maxvalue", "cycle", "cache", "order")


def reflectable_table_names(inspector: Inspector, schema: str | None) -> list[str]:
    """Return the names of the tables (not views) in ``schema``."""
    return list(inspector.get_table_names(schema=schema))


def reflect_tables(
    inspector: Inspector,
    schema: str | None,
    table_names: Iterable[str],
    *,
    with_checks: bool = True,
    column_hook: Any = None,
) -> dict[str, TableSnapshot]:
    """Reflect ``table_names`` of ``schema`` into snapshots, keyed by table name.

    :param inspector: an ``Inspector`` on the connection being compared.
    :param schema: the schema name, ``None`` for the default schema.
    :param table_names: the tables to reflect; nothing else is queried.
    :param with_checks: also reflect CHECK constraints (needed only to
        re-create a dropped table in a downgrade).
    :param column_hook: ``fn(inspector, table, column_info)`` called on each
        reflected column's dict before it is read (the ``column_reflect``
        event's place), ``table`` a lightweight ``sqlalchemy.table()``.
    """
    names = list(table_names)
    if not names:
        return {}
    kw: dict[str, Any] = {"schema": schema, "filter_names": names}
    columns = inspector.get_multi_columns(**kw)
    pks = inspector.get_multi_pk_constraint(**kw)
    fks = inspector.get_multi_foreign_keys(**kw)
    indexes = inspector.get_multi_indexes(**kw)
    uniques = inspector.get_multi_unique_constraints(**kw)
    checks = inspector.get_multi_check_constraints(**kw) if with_checks else {}
    comments: Mapping[Any, Any] = {}
    if inspector.dialect.supports_comments:
        comments = inspector.get_multi_table_comment(**kw)

    if column_hook is not None:
        from sqlalchemy import table as table_clause

        for key, cols in columns.items():
            stand_in = table_clause(key[1], schema=schema)
            for col in cols:
                column_hook(inspector, stand_in, col)

    read_default = server_default_spellings.find("server_default", inspector.dialect.name)
    result: dict[str, TableSnapshot] = {}
    for key, cols in columns.items():
        tname = key[1]
        comment = comments.get(key)
        result[tname] = TableSnapshot(
            schema=schema,
            name=tname,
            columns=tuple(_column(c, read_default) for c in cols),
            primary_key=_pk(pks.get(key)),
            foreign_keys=tuple(_fk(f) for f in fks.get(key, ())),
            indexes=tuple(_index(i) for i in indexes.get(key, ())),
            uniques=tuple(_unique(u) for u in uniques.get(key, ())),
            checks=tuple(
                CheckSnapshot(c.get("name"), str(c.get("sqltext"))) for c in checks.get(key, ())
            ),
            comment=comment.get("text") if comment else None,
        )
    return result


def _column(c: Mapping[str, Any], read_default: Callable[[str], str] | None = None) -> ColumnSnapshot:
    computed = c.get("computed")
    identity = c.get("identity")
    default = c.get("default")
    if default is not None and read_default is not None:
        default = read_default(default)
    if default is not None and c.get("autoincrement") is True and default.startswith("nextval("):
        # a SERIAL column's sequence default is how its autoincrement works,
        # not a default anyone wrote (and dropping the table drops the sequence)
        default = None
    return ColumnSnapshot(
        name=c["name"],
        type=c["type"],
        nullable=bool(c.get("nullable", True)),
        default=default,
        autoincrement=c.get("autoincrement", "auto"),
        comment=c.get("comment") or None,
        computed=(
            ComputedSnapshot(str(computed["sqltext"]), computed.get("persisted"))
            if computed
            else None
        ),
        identity=(
            IdentitySnapshot(**{k: identity.get(k) for k in _IDENTITY_KEYS if k in identity})
            if identity
            else None
        ),
        dialect_options=c.get("dialect_options") or {},
    )


def _pk(pk: Mapping[str, Any] | None) -> PrimaryKeySnapshot | None:
    if not pk or not pk.get("constrained_columns"):
        return None
    return PrimaryKeySnapshot(pk.get("name"), tuple(pk["constrained_columns"]))


def _fk(f: Mapping[str, Any]) -> ForeignKeySnapshot:
    return ForeignKeySnapshot(
        name=f.get("name"),
        columns=tuple(f["constrained_columns"]),
        referred_schema=f.get("referred_schema"),
        referred_table=f["referred_table"],
        referred_columns=tuple(f["referred_columns"]),
        options={k: v for k, v in (f.get("options") or {}).items() if v is not None},
    )


def _index(i: Mapping[str, Any]) -> IndexSnapshot:
    cols = tuple(i.get("column_names") or ())
    exprs = i.get("expressions")
    if exprs:
        expressions = tuple(None if c is not None else e for c, e in zip(cols, exprs))
    else:
        expressions = ()
    opts = {k: v for k, v in (i.get("dialect_options") or {}).items() if v not in (None, [], ())}
    return IndexSnapshot(
        name=i.get("name"),
        columns=cols,
        # kept as the database reports it (SQLite: the integer 1), as Alembic
        # keeps it; 1 == True, so comparisons are unaffected
        unique=i.get("unique") or False,
        expressions=expressions,
        duplicates_constraint=i.get("duplicates_constraint"),
        dialect_options=opts,
        column_sorting={k: tuple(v) for k, v in (i.get("column_sorting") or {}).items()},
    )


def _unique(u: Mapping[str, Any]) -> UniqueSnapshot:
    return UniqueSnapshot(
        name=u.get("name"),
        columns=tuple(u["column_names"]),
        duplicates_index=u.get("duplicates_index"),
        # kept as the database says them, False and [] included
        # (postgresql_nulls_not_distinct=False, postgresql_include=[]): Alembic
        # renders a reflected unique constraint with them
        dialect_options={k: v for k, v in (u.get("dialect_options") or {}).items() if v is not None},
    )
