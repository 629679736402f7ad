"""Table level: indexes and unique constraints.

Indexes and named unique constraints are matched by name; a target unique
constraint without a name is matched by its columns.  A changed index or
constraint is dropped and created again.  Differences between backends are
handled as data:

* PostgreSQL implements a unique constraint with an index of the same name
  (reflected with ``duplicates_constraint``): that index is not compared.
* MySQL / MariaDB store a unique constraint as a unique index, reflected in
  both lists; either kind in the target matches it.  They also create an index
  for a foreign key's columns when none exists: such an index, absent from the
  target, is the database's own and is not reported.
* Expressions and partial-index clauses are compared after normalising what
  the database echoes back (casts, parentheses, case).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable

from retort.snapshot.model import IndexSnapshot, TableSnapshot, UniqueSnapshot
from retort.util.messaging import warn

from . import comparators
from .run import ComparisonRun, builtin, run_for
from .detected import mark_changed
from .tables import AFTER_FOREIGN_KEYS

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_indexes_and_uniques", "IMPLICIT_FK_INDEX_DIALECTS", "COMPARED_INDEX_OPTIONS", "AFTER_FOREIGN_KEYS"]



#: dialects that silently create an index for a foreign key's columns
IMPLICIT_FK_INDEX_DIALECTS = frozenset({"mysql", "mariadb"})

#: index dialect options compared, per dialect (others are not reflected reliably)
COMPARED_INDEX_OPTIONS: dict[str, tuple[str, ...]] = {
    "postgresql": ("postgresql_where", "postgresql_using", "postgresql_include", "postgresql_nulls_not_distinct"),
    "sqlite": ("sqlite_where",),
}

#: dialects that reflect an index column's DESC / NULLS FIRST / NULLS LAST
SORTING_REFLECTED = frozenset({"postgresql"})

#: dialects whose reflection skips expression-based indexes: a target expression
#: index is then not compared (it would be reported as new on every run)
NO_EXPRESSION_INDEX_REFLECTION = frozenset({"sqlite"})

_CAST_RE = re.compile(
    r"::(\"[^\"]+\"|[a-z_][a-z0-9_]*(\s+(varying|precision|without\s+time\s+zone|with\s+time\s+zone))?)(\[\])*",
    re.IGNORECASE,
)
_DEFAULT_OPTION_VALUES = {"postgresql_using": "btree"}


def normalize_sql(text: Any) -> str:
    """Canonical text of an index expression or WHERE clause, for comparison."""
    s = str(getattr(text, "text", text))
    s = _CAST_RE.sub("", s)
    return "".join(ch for ch in s.lower() if ch not in ' \t\n()"`')


def _index_sig(idx: IndexSnapshot, dialect_name: str) -> tuple[Any, ...]:
    elements = []
    for i, col in enumerate(idx.columns):
        if col is not None:
            elements.append(col)
        else:
            expr = idx.expressions[i] if i < len(idx.expressions) else ""
            elements.append("expr:" + normalize_sql(expr or ""))
    opts = []
    for key in COMPARED_INDEX_OPTIONS.get(dialect_name, ()):
        value = idx.dialect_options.get(key)
        if value in (None, [], (), False) or _DEFAULT_OPTION_VALUES.get(key) == str(value).lower():
            continue
        if isinstance(value, (list, tuple)):
            value = tuple(value)
        elif key.endswith("_where"):
            value = normalize_sql(value)
        else:
            value = str(value).lower()
        opts.append((key, value))
    sorting: tuple[Any, ...] = ()
    if dialect_name in SORTING_REFLECTED:
        sorting = tuple(sorted((k, _sorting(v)) for k, v in idx.column_sorting.items() if _sorting(v)))
    return (tuple(elements), bool(idx.unique), tuple(opts), sorting)


def _sorting(mods: tuple[str, ...]) -> tuple[str, ...]:
    """Ordering modifiers without the defaults (ASC; NULLS LAST ascending, NULLS FIRST descending)."""
    desc = "desc" in mods
    default_nulls = "nulls_first" if desc else "nulls_last"
    return tuple(m for m in mods if m not in ("asc", default_nulls))


def _implicit_fk_index(idx: IndexSnapshot, fk_owner: TableSnapshot, dialect_name: str) -> bool:
    """An index the backend made for a foreign key of ``fk_owner`` on the same columns.

    For a kept table ``fk_owner`` is the target: once its key is gone, the
    index the database made for it is reported (and dropped after the key).
    """
    if dialect_name not in IMPLICIT_FK_INDEX_DIALECTS or idx.unique:
        return False
    return any(tuple(fk.columns) == tuple(idx.columns) for fk in fk_owner.foreign_keys)


def create_index_op(idx: IndexSnapshot, dialect: Any = None) -> Any:
    """CreateIndexOp for a target index; expressions travel as SQL text, detached from the table."""
    from retort.operations import ops

    index = idx.source
    if not idx.expressions and not idx.column_sorting:
        return ops.CreateIndexOp.from_index(index)
    op = _create_index_op_as_text(ops, idx, index, dialect)
    # compare_metadata reports the target's own Index, as Alembic does
    op.info["retort.autogenerate.index"] = index
    return op


def _create_index_op_as_text(ops: Any, idx: IndexSnapshot, index: Any, dialect: Any) -> Any:
    from sqlalchemy import text

    from retort.snapshot.from_metadata import sql_text

    elements: list[Any] = []
    for i, col in enumerate(idx.columns):
        if col is not None and idx.column_sorting.get(col):
            elements.append(text(sql_text(index.expressions[i], dialect)))
        elif col is not None:
            elements.append(col)
        else:
            elements.append(text(idx.expressions[i] or ""))
    return ops.CreateIndexOp(
        index.name, index.table.name, elements, schema=index.table.schema, unique=index.unique, **index.kwargs
    )


def _pair(
    name: Any, drop: Any, create: Any, kind: str, table: str, conn: Any, meta: Any, detail: str | None = None
) -> tuple[Any, Any, Any]:
    mark_changed(drop, create, kind, name, table, conn, meta, detail)
    return (name, drop, create)


def _by_name(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=lambda x: x.name or "")


@comparators.dispatch_for("table")
@builtin
def compare_indexes_and_uniques(
    autogen_context: AutogenContext,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn_table: Any,
    metadata_table: Any,
) -> None:
    """Create / drop indexes and unique constraints that differ."""
    from retort.operations import ops

    run = run_for(autogen_context)
    ctx = autogen_context
    dialect_name = run.qualifier
    filters = ctx.has_object_filters

    if conn_table is None:
        # a new table: its uniques are part of CREATE TABLE, its indexes follow it
        meta = run.meta_snapshot(metadata_table)
        for idx in _by_name(meta.indexes):
            if filters and not ctx.run_object_filters(idx.source, idx.name, "index", False, None):
                continue
            modify_ops.ops.append(create_index_op(idx, run.dialect))
        return

    conn = run.conn_snapshot(schema, tname)
    if conn is None:
        return
    if metadata_table is None:
        # a dropped table: drop its indexes first so the downgrade re-creates them
        table = run.conn_table(schema, tname)
        names = {
            i.name for i in conn.indexes if not i.duplicates_constraint
            and not _implicit_fk_index(i, conn, dialect_name)
        }
        for index in _by_name(table.indexes):
            if index.name in names and (
                not filters or ctx.run_object_filters(index, index.name, "index", True, None)
            ):
                modify_ops.ops.append(ops.DropIndexOp.from_index(index))
        return

    meta = run.meta_snapshot(metadata_table)
    _compare(run, ctx, modify_ops, schema, tname, conn, meta, dialect_name)


def _compare(
    run: ComparisonRun,
    ctx: AutogenContext,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn: TableSnapshot,
    meta: TableSnapshot,
    dialect_name: str,
) -> None:
    from retort.operations import ops

    parents = {"schema_name": schema, "table_name": tname}
    filters = ctx.has_object_filters

    conn_uniques = {
        u.name: u for u in conn.uniques
        if u.name and ctx.run_name_filters(u.name, "unique_constraint", parents)
    }
    unnamed_conn_uniques = [u for u in conn.uniques if not u.name]
    conn_indexes = {
        i.name: i for i in conn.indexes
        if i.name and not i.duplicates_constraint
        and ctx.run_name_filters(i.name, "index", parents)
    }
    matched_uniques: set[str] = set()
    matched_indexes: set[str] = set()
    # Alembic's order: what only the database has, then each changed object's
    # drop beside its re-create, then what only the target has; by name in each
    removed: list[tuple[str, Any]] = []
    changed: list[tuple[str, Any, Any]] = []
    added: list[tuple[str, Any]] = []

    def conn_object(kind: str, name: str) -> Any:
        """The reflected Index / UniqueConstraint called ``name`` (MySQL keeps either as the other)."""
        table = run.conn_table(schema, tname)
        indexes = [i for i in table.indexes if i.name == name]
        uniques = [c for c in table.constraints if c.name == name and type(c).__name__ == "UniqueConstraint"]
        found = (indexes + uniques) if kind == "index" else (uniques + indexes)
        return found[0] if found else None

    def drop_op(obj: Any) -> Any:
        if type(obj).__name__ == "Index":
            return ops.DropIndexOp.from_index(obj)
        op = ops.DropConstraintOp.from_constraint(obj)
        reverse = getattr(op, "_reverse", None)
        if isinstance(getattr(reverse, "kw", None), dict):
            # as Alembic: the re-create of a dropped constraint leaves out options
            # the database reports empty (postgresql_include=[]); a dropped
            # table's re-create keeps them
            reverse.kw = {k: v for k, v in reverse.kw.items() if not (isinstance(v, (list, tuple)) and not v)}
        return op

    def keep(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not filters or ctx.run_object_filters(obj, name, type_, reflected, compare_to)

    meta_uniques, meta_indexes = _by_name(meta.uniques), _by_name(meta.indexes)
    hooks = run.impl_hooks
    if "correct_for_autogen_constraints" in hooks:
        # a third-party dialect impl may take objects out of the comparison, as in Alembic
        table = run.conn_table(schema, tname)
        c_uq = {c for c in table.constraints if type(c).__name__ == "UniqueConstraint" and c.name in conn_uniques}
        c_ix = {i for i in table.indexes if i.name in conn_indexes}
        m_uq = {u.source for u in meta_uniques}
        m_ix = {i.source for i in meta_indexes}
        run.impl.correct_for_autogen_constraints(c_uq, c_ix, m_uq, m_ix)
        kept_uq, kept_ix = {c.name for c in c_uq}, {i.name for i in c_ix}
        conn_uniques = {n: u for n, u in conn_uniques.items() if n in kept_uq}
        conn_indexes = {n: i for n, i in conn_indexes.items() if n in kept_ix}
        meta_uniques = [u for u in meta_uniques if u.source in m_uq]
        meta_indexes = [i for i in meta_indexes if i.source in m_ix]

    # -- unique constraints of the target
    for uq in meta_uniques:
        cols = tuple(uq.columns)
        if uq.name is None:
            found = next(
                (c for c in [*conn_uniques.values(), *unnamed_conn_uniques] if tuple(c.columns) == cols),
                None,
            ) or next(
                (i for i in conn_indexes.values() if i.unique and tuple(i.columns) == cols), None
            )
            if found is not None:
                (matched_uniques if isinstance(found, UniqueSnapshot) else matched_indexes).add(found.name)
                continue
            if keep(uq.source, None, "unique_constraint", False, None):
                added.append((uq.name or "", ops.AddConstraintOp.from_constraint(uq.source)))
            continue
        if uq.name in conn_uniques:
            matched_uniques.add(uq.name)
            other = conn_uniques[uq.name]
            if other.duplicates_index:
                matched_indexes.add(other.duplicates_index)
            detail = None
            if "compare_unique_constraint" in hooks:
                conn_uq = conn_object("unique", uq.name)
                result = run.impl.compare_unique_constraint(uq.source, conn_uq)
                differs, detail = result.is_different, result.message
            else:
                differs = tuple(other.columns) != cols
            if differs:
                conn_uq = conn_object("unique", uq.name)
                if keep(uq.source, uq.name, "unique_constraint", False, conn_uq):
                    changed.append(_pair(
                        uq.name, drop_op(conn_uq), ops.AddConstraintOp.from_constraint(uq.source), "unique", tname,
                        other, uq, detail,
                    ))
            continue
        if uq.name in conn_indexes and conn_indexes[uq.name].unique:
            # a unique index by the same name implements it (MySQL)
            matched_indexes.add(uq.name)
            if tuple(conn_indexes[uq.name].columns) != cols:
                conn_ix = conn_object("index", uq.name)
                if keep(uq.source, uq.name, "unique_constraint", False, conn_ix):
                    changed.append(_pair(uq.name, drop_op(conn_ix), ops.AddConstraintOp.from_constraint(uq.source), "unique", tname, conn_indexes[uq.name], uq))
            continue
        if keep(uq.source, uq.name, "unique_constraint", False, None):
            added.append((uq.name or "", ops.AddConstraintOp.from_constraint(uq.source)))

    # -- indexes of the target
    for idx in meta_indexes:
        name = idx.name
        if name in conn_indexes:
            matched_indexes.add(name)
            other = conn_indexes[name]
            detail = None
            if "compare_indexes" in hooks:
                result = run.impl.compare_indexes(idx.source, conn_object("index", name))
                differs, detail = result.is_different, result.message
            else:
                differs = _index_sig(other, dialect_name) != _index_sig(idx, dialect_name)
            if differs:
                conn_ix = conn_object("index", name)
                if keep(idx.source, name, "index", False, conn_ix):
                    changed.append(_pair(
                        idx.name, drop_op(conn_ix), create_index_op(idx, run.dialect), "index", tname, other, idx,
                        detail,
                    ))
            continue
        if idx.unique and name in conn_uniques:
            # a unique constraint by the same name implements it (MySQL)
            matched_uniques.add(name)
            if tuple(conn_uniques[name].columns) != tuple(idx.columns):
                conn_uq = conn_object("unique", name)
                if keep(idx.source, name, "index", False, conn_uq):
                    changed.append(_pair(idx.name, drop_op(conn_uq), create_index_op(idx, run.dialect), "index", tname, conn_uniques[name], idx))
            continue
        if idx.expressions and dialect_name in NO_EXPRESSION_INDEX_REFLECTION:
            warn(
                f"retort: skipping expression-based index {name!r} of table {tname}: "
                f"the {dialect_name} dialect cannot reflect such indexes, so they can't be compared"
            )
            continue
        if keep(idx.source, name, "index", False, None):
            added.append((name or "", create_index_op(idx, run.dialect)))

    # -- what only the database has
    for name, uq in sorted(conn_uniques.items()):
        if name in matched_uniques or (uq.duplicates_index and uq.duplicates_index in matched_indexes):
            continue
        if uq.duplicates_index and uq.duplicates_index in conn_indexes:
            # reported once, as the index it really is
            continue
        conn_uq = conn_object("unique", name)
        if keep(conn_uq, name, "unique_constraint", True, None):
            removed.append((name, drop_op(conn_uq)))
    for name, ix in sorted(conn_indexes.items()):
        if name in matched_indexes or name in matched_uniques:
            continue
        if _implicit_fk_index(ix, meta, dialect_name):
            continue
        conn_ix = conn_object("index", name)
        if conn_ix is None:
            continue
        if keep(conn_ix, name, "index", True, None):
            op = drop_op(conn_ix)
            if _implicit_fk_index(ix, conn, dialect_name):
                # the index of a foreign key dropped here: MySQL refuses to drop
                # it while the key exists (see tables.sort_table_ops)
                op.info[AFTER_FOREIGN_KEYS] = True
            removed.append((name, op))

    for _, op in sorted(removed, key=lambda item: item[0]):
        modify_ops.ops.append(op)
    for _, drop, create in sorted(changed, key=lambda item: item[0] or ""):
        modify_ops.ops.append(drop)
        modify_ops.ops.append(create)
    for _, op in sorted(added, key=lambda item: item[0]):
        modify_ops.ops.append(op)
