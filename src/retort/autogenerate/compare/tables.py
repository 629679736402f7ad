"""Schema level: which tables were added, removed or kept, and the table-level walk.

Tables are reflected one schema at a time with the bulk inspector calls, and
only the names ``include_name`` lets through.  Added tables come in the
target's dependency order, removed ones in reverse dependency order, kept
ones sorted by (schema, name) — Alembic's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import sort_tables_and_constraints

from retort.util.exc import AutogenerateError

from . import comparators
from .run import NOT_BUILT, ComparisonRun, builtin, run_for

#: see indexes.py (defined here too: indexes imports this module)
AFTER_FOREIGN_KEYS = "retort.autogenerate.after_foreign_keys"

if TYPE_CHECKING:
    from sqlalchemy import Table

    from retort.autogenerate.api import AutogenContext
    from retort.operations.ops import UpgradeOps

__all__ = ["compare_tables", "sort_table_ops"]

# Where each built-in op goes inside one table's ModifyTableOps, as Alembic
# 1.20 lists them: columns added, columns altered, then indexes and unique
# constraints, foreign keys, the table comment, and columns dropped last (so
# every index or key on a dropped column is gone first).  Ops of user hooks
# keep their order, after these.
_PHASES = {
    "AddColumnOp": 0,
    "AlterColumnOp": 1,
    "DropIndexOp": 2,
    "CreateIndexOp": 2,
    "CreateUniqueConstraintOp": 2,
    "CreateForeignKeyOp": 3,
    "CreateTableCommentOp": 5,
    "DropTableCommentOp": 5,
    "DropColumnOp": 6,
}


def _phase(op: Any, early_fk_drops: bool) -> float:
    name = type(op).__name__
    if name == "DropConstraintOp":
        if getattr(op, "constraint_type", None) == "foreignkey":
            return 0.5 if early_fk_drops else 3
        return 2
    if name == "DropIndexOp" and op.info.get(AFTER_FOREIGN_KEYS):
        return 0.6
    return _PHASES.get(name, 9)


def _fk_drop_columns(op: Any) -> set[str]:
    if type(op).__name__ != "DropConstraintOp" or getattr(op, "constraint_type", None) != "foreignkey":
        return set()
    reverse = getattr(op, "_reverse", None)
    cols = getattr(reverse, "local_cols", None) or ()
    return {str(c) for c in cols}


def sort_table_ops(ops_list: list[Any]) -> list[Any]:
    """Order one table's ops as Alembic does (stable otherwise).

    Two exceptions, where Alembic's order fails on MySQL / MariaDB: a foreign
    key dropped while one of its columns is altered (MySQL refuses to change
    the column while the key exists), and the index MySQL made for a dropped
    key, which retort drops with it (Alembic leaves it behind; MySQL refuses to
    drop it while the key exists, and silently drops it itself once another
    index on those columns is created).  Then the key drops come first, right
    after the added columns, followed by such an index's drop.
    """
    early = False
    altered = {op.column_name for op in ops_list if type(op).__name__ == "AlterColumnOp"}
    for op in ops_list:
        if (type(op).__name__ == "DropIndexOp" and op.info.get(AFTER_FOREIGN_KEYS)) or (
            altered and _fk_drop_columns(op) & altered
        ):
            early = True
            break
    return sorted(ops_list, key=lambda op: _phase(op, early))


def plain_column(column: Any) -> Any:
    """``column`` without its ``index=True`` / ``unique=True`` flags (a copy when it had them).

    The index or unique constraint a flag stands for is compared, and
    created, as an op of its own; a column still carrying the flag would
    create it a second time when the op is invoked.
    """
    if not (column.index or column.unique):
        return column
    copy = column._copy()
    copy.index = None
    copy.unique = None
    return copy


def create_table_op(table: Table, *, without: Any = ()) -> Any:
    """CreateTableOp for a target table, its indexes left to the CreateIndexOps that follow it.

    Column flags are cleared (see :func:`plain_column`) and the unique
    constraint of a ``unique=True`` column is listed as a constraint of its
    own, keeping the name a naming convention gave it.  Foreign keys in
    ``without`` (cycles between new tables) are added later.
    """
    from sqlalchemy import Column, UniqueConstraint

    from retort.operations import ops

    op = ops.CreateTableOp.from_table(table)
    columns = []
    for item in op.columns:
        if isinstance(item, Column):
            item = plain_column(item)
        elif without and item in without:
            continue
        elif isinstance(item, UniqueConstraint) and getattr(item, "_column_flag", False):
            item = UniqueConstraint(*[c.name for c in item.columns], name=item.name)
        columns.append(item)
    op.columns = columns
    return op


def _creation_order(tables: list[Table]) -> tuple[list[Table], set[Any]]:
    """New tables in dependency order, and the foreign keys that close a cycle between them."""
    if len(tables) < 2:
        return tables, set()
    ordered: list[Table] = []
    cyclic: set[Any] = set()
    for table, fks in sort_tables_and_constraints(tables):
        if table is not None:
            ordered.append(table)
        else:
            cyclic.update(fks)
    return ordered, cyclic


#: version tables retort or Alembic create by default
DEFAULT_VERSION_TABLES = ("retort_version", "alembic_version")


def _version_table_keys(run: ComparisonRun) -> tuple[tuple[str | None, str] | None, set[tuple[str | None, str]]]:
    """The configured version table, and the default-named ones beside it."""
    mc = run.ctx.migration_context
    name = getattr(mc, "version_table", None) or run.ctx.opts.get("version_table")
    schema = run.schema_key(
        getattr(mc, "version_table_schema", None) or run.ctx.opts.get("version_table_schema")
    )
    return ((schema, name) if name else None), {(schema, n) for n in DEFAULT_VERSION_TABLES}


def run_table_hooks(
    run: ComparisonRun,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn_table: Any,
    metadata_table: Any,
) -> None:
    """Run every table-level comparator for one table."""
    run.current_table = (run.schema_key(schema), tname)
    run.call_all(
        run.hooks("table"), run.ctx, modify_ops, schema, tname, conn_table, metadata_table,
        schema=schema, table=tname,
    )


@comparators.dispatch_for("schema")
@builtin
def compare_tables(autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]) -> None:
    """Add / drop tables and run the table-level comparators on every table."""
    from retort.operations import ops

    run = run_for(autogen_context)
    ctx = autogen_context
    version_key, default_version_keys = _version_table_keys(run)
    wanted = set(schemas)

    # dependency order matters only for the tables to create: sorted later,
    # and only those (sorting a whole large MetaData costs more than comparing it)
    meta: dict[tuple[str | None, str], Table] = {}
    for md in ctx.metadatas:
        for table in md.tables.values():
            key = (run.schema_key(table.schema), table.name)
            if key[0] not in wanted or key == version_key:
                continue
            if key in meta:
                raise AutogenerateError(
                    f"table {table.fullname!r} is defined in more than one target MetaData",
                    schema=table.schema,
                    table_name=table.name,
                )
            meta[key] = table

    conn_keys: list[tuple[str | None, str]] = []
    for schema in schemas:
        if run.existing_schemas is not None and schema not in run.existing_schemas:
            continue  # named only by the target: nothing there yet
        try:
            names = ctx.inspector.get_table_names(schema=schema)
        except SQLAlchemyError as exc:
            raise AutogenerateError(f"could not list the tables of schema {schema!r}: {exc}", schema=schema) from exc
        keep = [
            n
            for n in names
            if (schema, n) != version_key
            # a version table by a default name (say, alembic_version kept from
            # before a switch) is not the application's, unless the target says so
            and ((schema, n) not in default_version_keys or (schema, n) in meta)
            and ctx.run_name_filters(n, "table", {"schema_name": schema})
        ]
        run.reflect(schema, keep)
        conn_keys.extend((schema, n) for n in keep)

    conn_set = set(conn_keys)
    table_objects = run.needs_objects("table")

    # tables only in the target: created, in dependency order
    # sorted by (schema, name) first: the dependency sort keeps that order where it can (as Alembic's)
    added = [meta[k] for k in sorted((k for k in meta if k not in conn_set), key=lambda k: (k[0] or "", k[1]))]
    ordered, cyclic = _creation_order(added)
    late_fks: list[Any] = []
    for table in ordered:
        if not ctx.run_object_filters(table, table.name, "table", False, None):
            continue
        upgrade_ops.ops.append(create_table_op(table, without=cyclic))
        modify_ops = ops.ModifyTableOps(table.name, [], schema=table.schema)
        run_table_hooks(run, modify_ops, table.schema, table.name, None, table)
        if not modify_ops.is_empty():
            modify_ops.ops[:] = sort_table_ops(modify_ops.ops)
            upgrade_ops.ops.append(modify_ops)
        fks = [fk for fk in table.foreign_key_constraints if fk in cyclic]
        if fks:
            late_fks.append(
                ops.ModifyTableOps(
                    table.name, [ops.AddConstraintOp.from_constraint(fk) for fk in fks], schema=table.schema
                )
            )
    # keys between new tables that point at each other come once all exist
    upgrade_ops.ops.extend(late_fks)

    # tables only in the database: dropped, dependents first
    removed = [k for k in conn_keys if k not in meta]
    referenced_by_kept = {
        (run.schema_key(fk.referred_schema), fk.referred_table)
        for k in conn_keys
        if k in meta
        for fk in run.conn_snapshot(*k).foreign_keys  # type: ignore[union-attr]
    }
    deferred: list[Any] = []
    for key in _drop_order(run, removed):
        conn_table = run.conn_table(*key)
        if not ctx.run_object_filters(conn_table, key[1], "table", True, None):
            continue
        target = deferred if key in referenced_by_kept else upgrade_ops.ops
        modify_ops = ops.ModifyTableOps(key[1], [], schema=key[0])
        run_table_hooks(run, modify_ops, key[0], key[1], conn_table, None)
        if not modify_ops.is_empty():
            modify_ops.ops[:] = sort_table_ops(modify_ops.ops)
            target.append(modify_ops)
        target.append(ops.DropTableOp.from_table(conn_table))

    # tables on both sides
    for key in sorted((k for k in conn_keys if k in meta), key=lambda k: (k[0] or "", k[1])):
        table = meta[key]
        conn_table: Any = NOT_BUILT
        if table_objects:
            conn_table = run.conn_table(*key)
        if ctx.has_object_filters and not ctx.run_object_filters(
            table, table.name, "table", False, conn_table
        ):
            continue
        modify_ops = ops.ModifyTableOps(table.name, [], schema=table.schema)
        run_table_hooks(run, modify_ops, table.schema, table.name, conn_table, table)
        if not modify_ops.is_empty():
            modify_ops.ops[:] = sort_table_ops(modify_ops.ops)
            upgrade_ops.ops.append(modify_ops)

    upgrade_ops.ops.extend(deferred)


def _drop_order(run: ComparisonRun, keys: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """``keys`` ordered so that a table is dropped before the tables it references."""
    key_set = set(keys)
    deps: dict[tuple[str | None, str], set[tuple[str | None, str]]] = {}
    for key in keys:
        snap = run.conn_snapshot(*key)
        refs = set()
        for fk in snap.foreign_keys if snap else ():
            # a reflected key names its schema unless it is the default one
            ref = (run.schema_key(fk.referred_schema), fk.referred_table)
            if ref in key_set and ref != key:
                refs.add(ref)
        deps[key] = refs
    # creation order (referenced first), then reversed for dropping
    created: list[tuple[str | None, str]] = []
    seen: set[tuple[str | None, str]] = set()

    def visit(k: tuple[str | None, str], stack: frozenset[Any] = frozenset()) -> None:
        if k in seen or k in stack:
            return
        for dep in sorted(deps[k], key=lambda d: (d[0] or "", d[1])):
            visit(dep, stack | {k})
        seen.add(k)
        created.append(k)

    for k in sorted(keys, key=lambda d: (d[0] or "", d[1])):
        visit(k)
    return list(reversed(created))
