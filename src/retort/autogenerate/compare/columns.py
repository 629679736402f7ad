"""Table level: columns added, removed, and changed (via the column-level comparators).

Also the column-level nullable comparison.  Added and changed columns come
in the target's column order, removed ones in the database's; where they go
among the table's other ops is decided by ``tables.sort_table_ops`` (Alembic
1.20's order: added, changed, ..., removed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retort.snapshot.to_objects import server_default_from_snapshot

from . import comparators
from .run import NOT_BUILT, builtin, run_for
from .tables import plain_column

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_columns", "alter_has_changes"]


def alter_has_changes(op: Any) -> bool:
    """The documented rule: any ``modify_*`` attribute set, or a ``modify_`` key in ``.kw``."""
    if op.modify_type is not None or op.modify_nullable is not None:
        return True
    if op.modify_server_default is not False or op.modify_comment is not False:
        return True
    if getattr(op, "modify_name", None) is not None:
        return True
    return any(k.startswith("modify_") for k in (getattr(op, "kw", None) or {}))


def conn_server_default(col: Any) -> Any:
    """The reflected default (DefaultClause, Computed, Identity) as the op's ``existing_server_default``."""
    return server_default_from_snapshot(col)


@comparators.dispatch_for("table")
@builtin
def compare_columns(
    autogen_context: AutogenContext,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn_table: Any,
    metadata_table: Any,
) -> None:
    """Add / drop columns of a kept table and run the column-level comparators on the rest."""
    from retort.operations import ops

    if conn_table is None or metadata_table is None:
        return
    run = run_for(autogen_context)
    ctx = autogen_context
    conn_snap = run.conn_snapshot(schema, tname)
    meta_snap = run.meta_snapshot(metadata_table)
    if conn_snap is None:
        return
    parents = {"schema_name": schema, "table_name": tname}
    conn_cols = {
        c.name: c for c in conn_snap.columns if ctx.run_name_filters(c.name, "column", parents)
    }
    meta_names = {c.name for c in meta_snap.columns}
    filters = ctx.has_object_filters
    column_objects = run.needs_objects("column")

    def conn_column(name: str) -> Any:
        table = run.conn_table(schema, tname)
        return table.c[name] if table is not None else None

    for mc in meta_snap.columns:
        if mc.name in conn_cols:
            continue
        if filters and not ctx.run_object_filters(mc.source, mc.name, "column", False, None):
            continue
        modify_ops.ops.append(
            ops.AddColumnOp.from_column_and_tablename(schema, tname, plain_column(mc.source))
        )

    for name in conn_cols:
        if name in meta_names:
            continue
        col = conn_column(name)
        if filters and not ctx.run_object_filters(col, name, "column", True, None):
            continue
        modify_ops.ops.append(ops.DropColumnOp.from_column_and_tablename(schema, tname, col))

    hooks = run.hooks("column")
    # with only built-in hooks, changes are collected on a light stand-in and
    # an AlterColumnOp is made only for a column that really changed
    user_hooks = run.needs_objects("column")
    for mc in meta_snap.columns:
        cc = conn_cols.get(mc.name)
        if cc is None:
            continue
        conn_col: Any = NOT_BUILT
        if column_objects:
            conn_col = conn_column(mc.name)
        if filters and not ctx.run_object_filters(mc.source, mc.name, "column", False, conn_col):
            continue
        alter: Any = _alter_op(ops, tname, schema, cc, mc) if user_hooks else PendingAlter()
        run.current_column = (cc, mc)
        run.call_all(
            hooks, ctx, alter, schema, tname, mc.name, conn_col, mc.source,
            schema=schema, table=tname, column=mc.name,
        )
        run.current_column = None
        if alter_has_changes(alter):
            if isinstance(alter, PendingAlter):
                alter = alter.to_op(_alter_op(ops, tname, schema, cc, mc))
            modify_ops.ops.append(alter)


class PendingAlter:
    """Collects the ``modify_*`` values the built-in column comparators set."""

    __slots__ = ("modify_type", "modify_nullable", "modify_server_default", "modify_comment", "modify_name", "kw")

    def __init__(self) -> None:
        self.modify_type = None
        self.modify_nullable = None
        self.modify_server_default: Any = False
        self.modify_comment: Any = False
        self.modify_name = None
        self.kw: dict[str, Any] = {}

    def to_op(self, op: Any) -> Any:
        op.modify_type = self.modify_type
        op.modify_nullable = self.modify_nullable
        op.modify_server_default = self.modify_server_default
        op.modify_comment = self.modify_comment
        op.kw.update(self.kw)
        return op


def _alter_op(ops: Any, tname: str, schema: str | None, cc: Any, mc: Any) -> Any:
    op = ops.AlterColumnOp(
        tname,
        mc.name,
        schema=schema,
        existing_type=cc.type,
        existing_server_default=conn_server_default(cc),
        existing_nullable=cc.nullable,
        existing_comment=cc.comment,
    )
    # whether the column autoincrements, as Alembic passes it: MySQL's MODIFY
    # COLUMN must restate AUTO_INCREMENT or it is lost
    col = mc.source
    # (an IDENTITY column's autoincrementing is its identity: Alembic leaves the flag out)
    if col is not None and mc.identity is None and cc.identity is None:
        if getattr(col.table, "_autoincrement_column", None) is col or col.autoincrement is True:
            op.kw["autoincrement"] = True
        elif col.autoincrement is False:
            op.kw["autoincrement"] = False
    return op


@comparators.dispatch_for("column")
@builtin
def compare_nullable(
    autogen_context: AutogenContext,
    alter_column_op: Any,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> None:
    """Report a change of NULL / NOT NULL."""
    run = run_for(autogen_context)
    if run.current_column is None:
        return
    cc, mc = run.current_column
    if mc.nullable == cc.nullable:
        return
    # identity and computed columns' nullability is the database's business
    if (mc.identity is not None or mc.computed is not None) and mc.nullable and not cc.nullable:
        return
    # a primary key column is NOT NULL whatever its declaration said (SQLite
    # echoes "id INTEGER PRIMARY KEY" as nullable)
    if mc.source is not None and mc.source.primary_key:
        conn = run.conn_snapshot(schema, tname)
        if conn is not None and conn.primary_key is not None and cc.name in conn.primary_key.columns:
            return
    alter_column_op.modify_nullable = mc.nullable
