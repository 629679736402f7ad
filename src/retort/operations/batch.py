"""Batch mode: record a table's changes, then ALTER in place or "move and copy".

``Operations.batch_alter_table()`` builds a ``BatchOperationsImpl``; the
directives inside the block land here instead of on the dialect impl (same
method names and arguments as ``DefaultImpl``) and are recorded in
``batch`` as ``(opname, args, kw)``.  ``flush()`` at the end of the block
either replays them on the real impl as plain ALTERs (``recreate="never"``,
or ``"auto"`` when the impl says the database can do them), or rebuilds the
table: reflect it (or take ``copy_from``), apply every change to a new
definition (``batch_plan``), then create / copy / drop / rename / re-index
(``batch_run``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import sqlalchemy as sa

# the dialect rules register themselves with ``batch_run.rules``
from retort.operations import batch_mssql as _batch_mssql  # noqa: F401
from retort.operations import batch_mysql as _batch_mysql  # noqa: F401
from retort.operations import batch_postgresql as _batch_postgresql  # noqa: F401
from retort.operations import batch_sqlite as _batch_sqlite  # noqa: F401
from retort.operations.batch_build import unnamed_convention
from retort.operations.batch_plan import TablePlan
from retort.operations.batch_run import move_and_copy, rules
from retort.util.exc import BatchError

__all__ = ["BatchOperationsImpl"]

_RECREATE = ("auto", "always", "never")

# recorded ops whose placement arguments only matter when the table is rebuilt
_PLACEMENT = ("insert_before", "insert_after")


class BatchOperationsImpl:
    """Collect one table's directives inside ``batch_alter_table`` and apply them on ``flush()``.

    :param operations: the enclosing ``Operations``; its ``impl`` does the real work.
    :param table_name: the table; ``schema`` its schema.
    :param recreate: ``"auto"``, ``"always"`` or ``"never"``.
    :param copy_from: a ``Table`` describing the current table, used instead of
        reflection (required offline).
    :param table_args: extra positional arguments for the rebuilt ``Table``.
    :param table_kwargs: extra keyword arguments for the rebuilt ``Table``.
    :param reflect_args: ``Column`` / constraint objects overriding what reflection finds.
    :param reflect_kwargs: keyword arguments for the reflecting ``Table`` (e.g. ``listeners``).
    :param naming_convention: naming convention for the reflected table, so unnamed
        constraints get names that ``drop_constraint`` can use.
    :param partial_reordering: orderings of column names for the rebuilt table.
    """

    def __init__(
        self,
        operations: Any,
        table_name: str,
        schema: str | None,
        recreate: str,
        copy_from: sa.Table | None,
        table_args: Sequence[Any],
        table_kwargs: Mapping[str, Any],
        reflect_args: Sequence[Any],
        reflect_kwargs: Mapping[str, Any],
        naming_convention: Mapping[Any, str] | None,
        partial_reordering: Sequence[Sequence[str]] | None,
    ) -> None:
        if recreate not in _RECREATE:
            raise ValueError(
                f"batch_alter_table(): argument 'recreate' must be one of "
                f"{', '.join(map(repr, _RECREATE))}, got {recreate!r}"
            )
        if partial_reordering and recreate != "always":
            raise ValueError(
                "batch_alter_table(): argument 'partial_reordering' needs recreate='always' "
                "(columns are only reordered when the table is rebuilt)"
            )
        if copy_from is not None and not isinstance(copy_from, sa.Table):
            raise TypeError(
                f"batch_alter_table(): argument 'copy_from' must be a sqlalchemy Table, got {copy_from!r}"
            )
        self.operations = operations
        self.table_name = table_name
        self.schema = schema
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = tuple(table_args)
        self.table_kwargs = dict(table_kwargs)
        self.reflect_args = tuple(reflect_args)
        self.reflect_kwargs = dict(reflect_kwargs)
        self.naming_convention = dict(naming_convention) if naming_convention else None
        self.partial_reordering = [tuple(o) for o in partial_reordering] if partial_reordering else None
        #: the recorded directives, ``(opname, args, kw)`` in call order
        self.batch: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    @property
    def impl(self) -> Any:
        """The dialect impl (``DefaultImpl``) that runs the SQL."""
        return self.operations.impl

    @property
    def dialect(self) -> Any:
        return self.impl.dialect

    def __getattr__(self, name: str) -> Any:
        # anything not recorded (as_sql, static_output, bind, ...) is the real impl's
        if name.startswith("__") or name in ("operations", "batch"):
            raise AttributeError(name)
        return getattr(self.impl, name)

    # ------------------------------------------------------------- recording

    def _record(self, opname: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        self.batch.append((opname, args, kw))

    def add_column(
        self,
        table_name: str,
        column: sa.Column[Any],
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        if insert_before is not None:
            kw["insert_before"] = insert_before
        if insert_after is not None:
            kw["insert_after"] = insert_after
        self._record("add_column", (table_name, column), kw)

    def drop_column(self, table_name: str, column: Any, **kw: Any) -> None:
        self._record("drop_column", (table_name, column), kw)

    def alter_column(self, table_name: str, column_name: str, **kw: Any) -> None:
        self._record("alter_column", (table_name, column_name), kw)

    def add_constraint(self, const: Any, **kw: Any) -> None:
        self._record("add_constraint", (const,), kw)

    def drop_constraint(self, const: Any, **kw: Any) -> None:
        self._record("drop_constraint", (const,), kw)

    def create_index(self, index: Any, **kw: Any) -> None:
        self._record("create_index", (index,), kw)

    def drop_index(self, index: Any, **kw: Any) -> None:
        self._record("drop_index", (index,), kw)

    def rename_table(self, old_table_name: str, new_table_name: str, **kw: Any) -> None:
        self._record("rename_table", (old_table_name, new_table_name), kw)

    def create_table_comment(self, table: sa.Table, **kw: Any) -> None:
        self._record("create_table_comment", (table,), kw)

    def drop_table_comment(self, table: sa.Table, **kw: Any) -> None:
        self._record("drop_table_comment", (table,), kw)

    def create_column_comment(self, column: sa.Column[Any], **kw: Any) -> None:
        self._record("create_column_comment", (column,), kw)

    # ----------------------------------------------------------------- flush

    def flush(self) -> None:
        """Apply what was recorded: plain ALTERs, or one move-and-copy."""
        if not self.batch and not self.partial_reordering and self.recreate != "always":
            # a reordering alone still rebuilds the table, and so does an empty
            # recreate="always" block: real projects use one to apply table_kwargs
            # (e.g. sqlite_autoincrement) to an existing table, as Alembic allows
            return
        recreate = self.recreate == "always" or (
            self.recreate == "auto" and bool(self.impl.requires_recreate_in_batch(self))
        )
        recorded, self.batch = self.batch, []
        if recreate:
            self._move_and_copy(recorded)
        else:
            self._alter_in_place(recorded)

    def _alter_in_place(self, recorded: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
        for opname, args, kw in recorded:
            placed = [k for k in _PLACEMENT if kw.get(k) is not None]
            if placed:
                # ALTER cannot place a column; doing nothing would be silently wrong
                raise BatchError(
                    f"batch {opname}({args[1]!r}, {placed[0]}={kw[placed[0]]!r}) needs the table "
                    "rebuilt, and this batch runs plain ALTER statements; use "
                    "batch_alter_table(..., recreate='always')",
                    table_name=self.table_name,
                )
        name = self.table_name
        for opname, args, kw in recorded:
            kw = {k: v for k, v in kw.items() if k not in _PLACEMENT}
            if opname == "rename_table":
                kw.setdefault("schema", self.schema)
                self.impl.rename_table(*args, **kw)
                name = args[1]
                continue
            if opname in ("add_column", "drop_column", "alter_column"):
                # a rename earlier in the block: later column changes are on the new name
                args = (name, *args[1:])
                kw.setdefault("schema", self.schema)
            getattr(self.impl, opname)(*args, **kw)

    def _move_and_copy(self, recorded: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
        plan = TablePlan(
            self._source_table(),
            dialect=self.dialect,
            table_args=self.table_args,
            table_kwargs=self.table_kwargs,
            naming_convention=self.naming_convention,
            partial_reordering=self.partial_reordering,
            should_cast=rules.dispatch("should_cast", qualifier=self.dialect.name),
        )
        for opname, args, kw in recorded:
            getattr(plan, opname)(*args, **kw)
        move_and_copy(self, plan)

    def _meta(self) -> sa.MetaData:
        convention = unnamed_convention(self.naming_convention)
        return sa.MetaData(naming_convention=convention) if convention else sa.MetaData()

    def _source_table(self) -> sa.Table:
        """The table as it is now: ``copy_from``, or reflected from the database."""
        if self.copy_from is not None:
            # a private copy: the caller's Table (and MetaData) stay untouched
            return self.copy_from.to_metadata(self._meta(), schema=self.schema, name=self.table_name)
        if self.impl.as_sql:
            raise BatchError(
                f"batch_alter_table({self.table_name!r}) has to rebuild the table, which needs "
                "its current definition, and offline (--sql) mode cannot reflect it from a "
                "database; pass the complete Table as batch_alter_table(..., copy_from=Table(...))",
                table_name=self.table_name,
            )
        # copies: the same objects may serve this batch again (a downgrade, a second run)
        args = [a._copy() if hasattr(a, "_copy") else a for a in self.reflect_args]
        try:
            return sa.Table(
                self.table_name,
                self._meta(),
                *args,
                schema=self.schema,
                autoload_with=self.impl.connection,
                **self.reflect_kwargs,
            )
        except sa.exc.NoSuchTableError as exc:
            where = f"{self.schema}.{self.table_name}" if self.schema else self.table_name
            raise BatchError(
                f"batch_alter_table({where!r}): no such table to rebuild", table_name=self.table_name
            ) from exc
