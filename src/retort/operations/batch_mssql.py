"""SQL Server move-and-copy: copied values go into the IDENTITY column.

SQL Server refuses explicit values for an IDENTITY column unless
``SET IDENTITY_INSERT`` is on for that table; it is on only around the copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from retort.operations.batch_run import rules

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl
    from retort.operations.batch_build import BuiltTable
    from retort.operations.batch_plan import TablePlan

__all__: list[str] = []


def _identity_copied(plan: TablePlan, built: BuiltTable) -> bool:
    table = built.table
    auto = table.autoincrement_column
    return any(
        (c is auto or c.identity is not None) and plan.columns[c.name].source is not None
        for c in table.columns
    )


def _identity_insert(batch_impl: BatchOperationsImpl, built: BuiltTable, on: bool) -> None:
    table = batch_impl.impl.dialect.identifier_preparer.format_table(built.table)
    batch_impl.impl._exec(sa.text(f"SET IDENTITY_INSERT {table} {'ON' if on else 'OFF'}"))


@rules.dispatch_for("before_copy", qualifier="mssql")
def _identity_insert_on(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    state["identity_insert"] = _identity_copied(plan, built)
    if state["identity_insert"]:
        _identity_insert(batch_impl, built, True)


@rules.dispatch_for("after_copy", qualifier="mssql")
def _identity_insert_off(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    if state.get("identity_insert"):
        _identity_insert(batch_impl, built, False)
