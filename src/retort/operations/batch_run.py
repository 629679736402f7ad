"""Run one "move and copy": new table under a temporary name, copy, drop, rename, re-index.

Where the database can roll DDL back, the whole sequence runs inside a
SAVEPOINT, so a failure at any step (even after the old table was dropped)
leaves the original table and its rows exactly as they were.  Where it cannot
(MySQL / MariaDB), the old table is dropped only after every row was copied,
and a failure before that point removes the half-built temporary table.

Dialect differences live in two registries keyed with a dialect qualifier:
``guards`` (what surrounds the sequence: savepoint, pragmas) and
``cast_rules`` (whether a changed type is copied through ``CAST``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

import sqlalchemy as sa

from retort.operations.batch_plan import BuiltTable, TablePlan, _default_should_cast
from retort.util.exc import BatchError
from retort.util.registry import Dispatcher

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl

__all__ = ["TEMP_PREFIX", "cast_rules", "guards", "move_and_copy", "temp_table_name"]

TEMP_PREFIX = "_retort_tmp_"

guards = Dispatcher(what="batch move-and-copy guard")
cast_rules = Dispatcher(what="batch cast rule")
cast_rules.register("should_cast", _default_should_cast)


def temp_table_name(name: str, dialect: Any) -> str:
    """The temporary table's name, cut to the dialect's identifier length."""
    limit = getattr(dialect, "max_identifier_length", None) or 63
    return (TEMP_PREFIX + name)[:limit]


@guards.dispatch_for("move_and_copy")
@contextmanager
def default_guard(batch_impl: BatchOperationsImpl, source: sa.Table) -> Iterator[bool]:
    """Yield whether the sequence is atomic: a SAVEPOINT where DDL is transactional."""
    impl = batch_impl.impl
    if impl.as_sql:
        # the script's own BEGIN / COMMIT (if any) surround it
        yield True
        return
    if impl.transactional_ddl and impl.dialect.supports_savepoints:
        with impl.connection.begin_nested():
            yield True
    else:
        yield False


@dataclass
class _Progress:
    created: bool = False
    dropped: bool = False
    renamed: bool = False


def move_and_copy(batch_impl: BatchOperationsImpl, plan: TablePlan) -> BuiltTable:
    """Replace ``plan.source`` by the table ``plan`` describes, keeping every row."""
    impl = batch_impl.impl
    dialect = impl.dialect
    tmp_name = temp_table_name(plan.source.name, dialect)
    built = plan.build(tmp_name)
    if not impl.as_sql and sa.inspect(impl.connection).has_table(tmp_name, schema=plan.schema):
        raise BatchError(
            f"batch mode needs the temporary table {tmp_name!r} for table {plan.source.name!r}, "
            "but a table of that name already exists (left over from an interrupted batch?); "
            "check its contents and drop it first",
            table_name=plan.source.name,
        )
    guard = guards.dispatch("move_and_copy", qualifier=dialect.name)
    progress = _Progress()
    atomic = True
    try:
        with guard(batch_impl, plan.source) as atomic:
            impl.prep_table_for_batch(batch_impl, plan.source)
            impl.create_table(built.table)
            progress.created = True
            if built.insert is not None:
                impl._exec(built.insert)
            impl.drop_table(plan.source)
            progress.dropped = True
            impl.rename_table(tmp_name, plan.name, schema=plan.schema)
            progress.renamed = True
            for index in built.indexes:
                impl.create_index(index)
    except Exception as exc:
        if atomic or impl.as_sql:
            raise
        _clean_up(batch_impl, plan, built, tmp_name, progress, exc)
        raise
    return built


def _clean_up(
    batch_impl: BatchOperationsImpl,
    plan: TablePlan,
    built: BuiltTable,
    tmp_name: str,
    progress: _Progress,
    exc: Exception,
) -> None:
    """Undo what a non-transactional database kept of a failed move-and-copy."""
    impl = batch_impl.impl
    if progress.created and not progress.dropped:
        try:
            impl.drop_table(built.table)
        except Exception:  # the original error is the one worth reporting
            pass
    elif progress.dropped and not progress.renamed:
        raise BatchError(
            f"batch mode dropped table {plan.source.name!r} but could not rename {tmp_name!r} "
            f"to {plan.name!r}: {exc}; the rows are in {tmp_name!r}",
            table_name=plan.source.name,
        ) from exc
