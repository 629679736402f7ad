"""Helpers shared by the autogenerate backend tests: compare, reduce a diff, run ops as spec 03 does."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from retort.autogenerate import compare_metadata, comparators
from retort.migration import MigrationContext
from retort.operations import Operations
from retort.operations.ops import ModifyTableOps


@pytest.fixture(autouse=True)
def _restore_comparators():
    """Undo comparators a test registers (the registry is process-wide)."""
    saved = {k: list(v) for k, v in comparators._registry.items()}
    yield
    comparators._registry.clear()
    comparators._registry.update(saved)


def diffs(engine: sa.Engine, metadata: Any, **opts: Any) -> list[Any]:
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(mc, metadata)


def kinds(diff: list[Any]) -> list[Any]:
    """The diff reduced to its kinds: 'add_table', ... and lists of 'modify_*'."""
    return [[d[0] for d in item] if isinstance(item, list) else item[0] for item in diff]


def run_ops(engine: sa.Engine, script_ops: Any, *, as_in_spec: bool = False) -> None:
    """Spec 03: walk the ops and invoke each, batch mode on SQLite.

    The spec's walk appends a container's ops to the end of the stack; by
    default they run in place instead (depth first), which keeps the order
    when a ModifyTableOps precedes a DropTableOp of the same table.
    """
    with engine.begin() as conn:
        operations = Operations(MigrationContext.configure(conn))
        use_batch = engine.name == "sqlite"
        stack = [script_ops]
        while stack:
            elem = stack.pop(0)
            if use_batch and isinstance(elem, ModifyTableOps):
                with operations.batch_alter_table(elem.table_name, schema=elem.schema) as batch_ops:
                    for table_elem in elem.ops:
                        batch_ops.invoke(table_elem)
            elif hasattr(elem, "ops"):
                if as_in_spec:
                    stack.extend(elem.ops)
                else:
                    stack[0:0] = elem.ops
            else:
                operations.invoke(elem)
