"""Turn a ``TablePlan`` into SQLAlchemy objects: the table, the copy, the indexes.

The same definition is built twice: under the final name in a ``MetaData``
carrying the batch's naming convention (so new unnamed constraints are named
after the real table, and the indexes bind to it), then under the temporary
name with those names copied over (so nothing is named after the temporary
table).  Foreign keys point at stand-in tables so the DDL compiler can
resolve them without the referred tables being known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from retort.operations.batch_specs import (
    MODIFIERS,
    ConstraintSpec,
    IndexSpec,
    TablePlanError,
    rebuild_column,
)

if TYPE_CHECKING:
    from retort.operations.batch_plan import TablePlan

__all__ = ["BuiltTable", "build_table", "default_should_cast", "unnamed_convention"]

@dataclass
class BuiltTable:
    """What the move-and-copy runs: create ``table``, run ``insert``, re-create ``indexes``."""

    table: sa.Table  # under the temporary name
    insert: Any  # INSERT .. SELECT, or None when no column carries data over
    indexes: list[sa.Index]  # bound to ``final``
    final: sa.Table  # the same definition under the final name
    late_constraints: list[Any]  # bound to ``final``, added after the rename

def build_table(plan: TablePlan, tmp_name: str, late_kinds: frozenset[str] = frozenset()) -> BuiltTable:
    """Build the temporary table, the copy statement and the final indexes.

    :param late_kinds: constraint kinds left out of the temporary table and
        returned as ``late_constraints`` (bound to the final table) instead.
    """
    try:
        order = plan.column_order.resolve()
    except KeyError as exc:
        raise TablePlanError(
            f"batch_alter_table(partial_reordering=...): no column {exc.args[0]!r} "
            f"in table {plan.name!r}",
            table_name=plan.name,
        ) from None
    convention = unnamed_convention(plan.naming_convention)
    final_meta = sa.MetaData(naming_convention=convention) if convention else sa.MetaData()
    final, built = _table(plan, plan.name, final_meta, order, None, frozenset())
    names = [b.name if b is not None else None for b in built]
    indexes = [_index(spec, final) for spec in plan.indexes]
    late = [b for spec, b in zip(plan.constraints, built) if _is_late(spec, late_kinds)]
    tmp, _ = _table(plan, tmp_name, sa.MetaData(), order, names, late_kinds)
    return BuiltTable(tmp, _insert(plan, tmp, order), indexes, final, late)


def _table(
    plan: TablePlan, name: str, meta: sa.MetaData, order: list[str], names: list[Any] | None, skip: frozenset[str]
) -> tuple[sa.Table, list[Any]]:
    pk = plan._pk()
    pk_cols = set(pk.columns) if pk is not None else set()
    columns = [rebuild_column(plan.columns[n].column, primary_key=n in pk_cols) for n in order]
    built: list[Any] = []
    for i, spec in enumerate(plan.constraints):
        cname = names[i] if names is not None else spec.name
        built.append(None if _is_late(spec, skip) else _constraint(plan, spec, cname, name, meta))
    extra = [a._copy() if hasattr(a, "_copy") else a for a in plan.table_args]
    table = sa.Table(
        name,
        meta,
        *columns,
        *[b for b in built if b is not None],
        *extra,
        schema=plan.schema,
        comment=plan.comment,
        **plan.table_kwargs,
    )
    return table, built


def _constraint(plan: TablePlan, spec: ConstraintSpec, cname: Any, table_name: str, meta: sa.MetaData) -> Any:
    if spec.kind == "pk":
        return sa.PrimaryKeyConstraint(*spec.columns, name=cname)
    if spec.kind == "unique":
        return sa.UniqueConstraint(*spec.columns, name=cname, **spec.options)
    if spec.kind == "check":
        text = sa.text(spec.sqltext) if isinstance(spec.sqltext, str) else spec.sqltext
        return sa.CheckConstraint(text, name=cname)
    if spec.kind == "fk":
        return sa.ForeignKeyConstraint(
            spec.columns, _fk_targets(plan, spec, table_name, meta), name=cname, **spec.options
        )
    try:
        return spec.obj._copy()
    except Exception as exc:
        raise TablePlanError(
            f"batch mode cannot carry constraint {spec.name!r} ({type(spec.obj).__name__}) "
            f"over to the new table {plan.name!r}: {exc}",
            table_name=plan.name,
        ) from exc


def _fk_targets(plan: TablePlan, spec: ConstraintSpec, table_name: str, meta: sa.MetaData) -> list[Any]:
    """Referred columns, with stand-in tables so the DDL compiler can resolve them."""
    targets: list[Any] = []
    for schema, table, column in spec.refs:
        if spec.self_ref:
            # point at the final name: the new table is renamed to it at the end
            schema, table = plan.schema, plan.name
            if table == table_name:
                targets.append(f"{schema + '.' if schema else ''}{table}.{column}")
                continue
        key = f"{schema}.{table}" if schema else table
        stand_in = meta.tables.get(key)
        if stand_in is None:
            stand_in = sa.Table(table, meta, schema=schema)
        if column not in stand_in.c:
            stand_in.append_column(sa.Column(column, sa.types.NullType()))
        targets.append(stand_in.c[column])
    return targets


def _index(spec: IndexSpec, table: sa.Table) -> sa.Index:
    exprs: list[Any] = []
    for kind, e, modifier in spec.items:
        if kind == "col":
            col = table.c[e]
            exprs.append(MODIFIERS[modifier](col) if modifier in MODIFIERS else col)
        else:
            exprs.append(sa.text(e) if isinstance(e, str) else e)
    has_column = any(kind == "col" for kind, _, _ in spec.items)
    extra = {} if has_column else {"_table": table}
    return sa.Index(spec.name, *exprs, unique=spec.unique, **spec.kwargs, **extra)


def _insert(plan: TablePlan, tmp: sa.Table, order: list[str]) -> Any:
    by_name = {c.name: c for c in plan.source.columns}
    targets, exprs = [], []
    for n in order:
        spec = plan.columns[n]
        if spec.column.computed is not None:
            continue  # the database computes it; it cannot be inserted
        if spec.using is not None:
            expr: Any = spec.using
        elif spec.source is not None:
            expr = by_name[spec.source]
            if spec.cast_to is not None and plan.should_cast(expr.type, spec.cast_to):
                expr = sa.cast(expr, spec.cast_to).label(spec.source)
        else:
            continue
        targets.append(tmp.c[n])
        exprs.append(expr)
    if not targets:
        return None
    return tmp.insert().from_select(targets, sa.select(*exprs))


def unnamed_convention(convention: Any) -> dict[Any, str] | None:
    """The part of a naming convention that names *unnamed* constraints.

    Templates using ``%(constraint_name)s`` would rename constraints that
    already have a name in the database (and fail on unnamed ones), so they
    are left out.
    """
    if not convention:
        return None
    kept = {k: v for k, v in convention.items() if "%(constraint_name)s" not in str(v)}
    return kept or None


def _is_late(spec: ConstraintSpec, late_kinds: frozenset[str]) -> bool:
    return spec.kind in late_kinds or (spec.kind == "fk" and spec.self_ref and "self_fk" in late_kinds)


def default_should_cast(old_type: Any, new_type: Any) -> bool:
    """CAST only when the kind of data changes (VARCHAR(10) -> VARCHAR(20) needs none)."""
    if isinstance(old_type, sa.types.NullType):
        return False
    return old_type._type_affinity is not new_type._type_affinity
