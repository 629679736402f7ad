"""Column and table comments, on dialects that store comments.

An empty comment and no comment are the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import comparators
from .run import builtin, run_for

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_column_comment", "compare_table_comment"]


def _supports_comments(autogen_context: AutogenContext) -> bool:
    return bool(getattr(autogen_context.dialect, "supports_comments", False))


@comparators.dispatch_for("column")
@builtin
def compare_column_comment(
    autogen_context: AutogenContext,
    alter_column_op: Any,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> None:
    """Report a changed column comment."""
    if not _supports_comments(autogen_context):
        return
    run = run_for(autogen_context)
    if run.current_column is None:
        return
    cc, mc = run.current_column
    if (mc.comment or None) != (cc.comment or None):
        alter_column_op.modify_comment = mc.comment or None


@comparators.dispatch_for("table")
@builtin
def compare_table_comment(
    autogen_context: AutogenContext,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn_table: Any,
    metadata_table: Any,
) -> None:
    """Report a table comment added, changed or removed."""
    from retort.operations import ops

    if conn_table is None or metadata_table is None or not _supports_comments(autogen_context):
        return
    run = run_for(autogen_context)
    conn_snap = run.conn_snapshot(schema, tname)
    if conn_snap is None:
        return
    wanted = metadata_table.comment or None
    have = conn_snap.comment or None
    if wanted == have:
        return
    if wanted is None:
        modify_ops.ops.append(ops.DropTableCommentOp(tname, schema=schema, existing_comment=have))
    else:
        modify_ops.ops.append(
            ops.CreateTableCommentOp(tname, wanted, schema=schema, existing_comment=have)
        )
