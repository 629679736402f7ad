"""Run one "move and copy": new table under a temporary name, copy, drop, rename, re-index.

Where the database can roll DDL back, the whole sequence runs inside a
SAVEPOINT, so a failure at any step (even after the old table was dropped)
leaves the original table and its rows exactly as they were.  Where it cannot
(MySQL / MariaDB), the old table is dropped only after every row was copied,
and a failure before that point removes the half-built temporary table.

Dialect differences are entries of one registry, ``rules``, registered with
a dialect qualifier (``batch_sqlite``, ``batch_postgresql``, ``batch_mysql``):

``"guard"``         a context manager around the whole sequence, yielding whether
                    it is atomic (default: a SAVEPOINT where DDL is transactional)
``"should_cast"``   ``(old_type, new_type) -> bool``: copy through ``CAST``?
``"late_kinds"``    constraint kinds added after the rename instead of in CREATE
                    TABLE (``"self_fk"``: self-referential foreign keys; others
                    when names must be unique per database)
``"prepare"``       ``(batch_impl, plan, state)`` before the new table is built
``"before_create"`` ``(batch_impl, plan, built, state)`` first, before the impl's
                    ``prep_table_for_batch``
``"before_copy"``   ``(batch_impl, plan, built, state)`` before the rows are copied
``"after_copy"``    ``(batch_impl, plan, built, state)`` once the rows are copied
``"after_rename"``  ``(batch_impl, plan, built, state)`` once the table has its name
``"finish"``        ``(batch_impl, plan, built, state)`` last, after indexes and constraints
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

import sqlalchemy as sa

from retort.operations.batch_build import BuiltTable, default_should_cast
from retort.operations.batch_plan import TablePlan
from retort.util.exc import BatchError
from retort.util.registry import Dispatcher

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl

__all__ = ["TEMP_PREFIX", "move_and_copy", "rules", "temp_table_name"]

TEMP_PREFIX = "_alembic_tmp_"

rules = Dispatcher(what="batch move-and-copy rule")
rules.register("should_cast", default_should_cast)
# a self-referential foreign key would bind to the old table, which goes away
rules.register("late_kinds", frozenset({"self_fk"}))


@rules.dispatch_for("prepare")
def _prepare_nothing(batch_impl: BatchOperationsImpl, plan: TablePlan, state: dict[str, Any]) -> None:
    """Most databases tell reflection everything about a table."""


@rules.dispatch_for("before_create")
@rules.dispatch_for("before_copy")
@rules.dispatch_for("after_copy")
@rules.dispatch_for("after_rename")
@rules.dispatch_for("finish")
def _nothing(batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]) -> None:
    """Most databases need nothing between the steps."""


def temp_table_name(name: str, dialect: Any) -> str:
    """The temporary table's name, cut to the dialect's identifier length."""
    limit = getattr(dialect, "max_identifier_length", None) or 63
    return (TEMP_PREFIX + name)[:limit]


@rules.dispatch_for("guard")
@contextmanager
def default_guard(batch_impl: BatchOperationsImpl, plan: TablePlan) -> Iterator[bool]:
    """Yield whether the sequence is atomic: a SAVEPOINT where DDL is transactional."""
    impl = batch_impl.impl
    if impl.as_sql:
        # the script's own BEGIN / COMMIT (if any) surround it
        yield True
        return
    if impl.transactional_ddl:
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
    qualifier = dialect.name
    state: dict[str, Any] = {}
    rules.dispatch("prepare", qualifier=qualifier)(batch_impl, plan, state)
    built = plan.build(tmp_name, late_kinds=rules.dispatch("late_kinds", qualifier=qualifier))
    if not impl.as_sql and sa.inspect(impl.connection).has_table(tmp_name, schema=plan.schema):
        raise BatchError(
            f"batch mode needs the temporary table {tmp_name!r} for table {plan.source.name!r}, "
            "but a table of that name already exists (left over from an interrupted batch?); "
            "check its contents and drop it first",
            table_name=plan.source.name,
        )
    guard = rules.dispatch("guard", qualifier=qualifier)
    before_create = rules.dispatch("before_create", qualifier=qualifier)
    before_copy = rules.dispatch("before_copy", qualifier=qualifier)
    after_copy = rules.dispatch("after_copy", qualifier=qualifier)
    after_rename = rules.dispatch("after_rename", qualifier=qualifier)
    finish = rules.dispatch("finish", qualifier=qualifier)
    progress = _Progress()
    atomic = True
    try:
        with guard(batch_impl, plan) as atomic:
            before_create(batch_impl, plan, built, state)
            impl.prep_table_for_batch(batch_impl, plan.source)
            impl.create_table(built.table)
            progress.created = True
            if built.insert is not None:
                before_copy(batch_impl, plan, built, state)
                impl._exec(built.insert)
                after_copy(batch_impl, plan, built, state)
            impl.drop_table(plan.source)
            progress.dropped = True
            impl.rename_table(tmp_name, plan.name, schema=plan.schema)
            progress.renamed = True
            after_rename(batch_impl, plan, built, state)
            for index in built.indexes:
                impl.create_index(index)
            # after the indexes: MySQL would otherwise make its own index for a foreign key
            for const in built.late_constraints:
                impl.add_constraint(const)
            finish(batch_impl, plan, built, state)
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
