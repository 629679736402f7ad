"""Data operations: bulk INSERT and arbitrary SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import Executable, TableClause

from retort.operations.ops.base import MigrateOperation
from retort.operations.ops.checks import check_type

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = ["BulkInsertOp", "ExecuteSQLOp"]


class BulkInsertOp(MigrateOperation):
    """INSERT a list of rows (dictionaries) into a table.

    :param multiinsert: one executemany (True) or one INSERT per row (False).
    """

    def __init__(self, table: sa.Table | TableClause, rows: list[dict[str, Any]], *, multiinsert: bool = True) -> None:
        self.table = table
        self.rows = rows
        self.multiinsert = multiinsert

    def describe(self) -> str:
        name = getattr(self.table, "name", self.table)
        return f"bulk insert {len(self.rows)} row(s) into table {name}"

    @classmethod
    def bulk_insert(
        cls,
        operations: Operations,
        table: sa.Table | TableClause,
        rows: list[dict[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """INSERT ``rows`` into ``table``; in --sql mode values are rendered inline.

        :param table: a ``Table`` or ``table()`` construct naming the columns.
        :param rows: a list of dictionaries, one per row.
        :param multiinsert: use one executemany (True) or one INSERT per row.
        """
        check_type("bulk_insert", "table", table, TableClause, "Table or table() construct")
        if isinstance(rows, dict) or not isinstance(rows, (list, tuple)):
            raise TypeError(f"bulk_insert(): argument 'rows' must be a list of dictionaries, got {type(rows).__name__}")
        for row in rows:
            if not isinstance(row, dict):
                raise TypeError(
                    f"bulk_insert(): argument 'rows' must contain dictionaries, got {type(row).__name__} ({row!r})"
                )
        operations.invoke(cls(table, list(rows), multiinsert=multiinsert))


class ExecuteSQLOp(MigrateOperation):
    """Execute a SQL string or SQLAlchemy statement."""

    def __init__(self, sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None) -> None:
        self.sqltext = sqltext
        self.execution_options = execution_options

    def to_diff_tuple(self) -> tuple[str, Executable | str]:
        return ("execute", self.sqltext)

    def describe(self) -> str:
        text = str(self.sqltext) if isinstance(self.sqltext, str) else type(self.sqltext).__name__
        text = " ".join(text.split())
        if len(text) > 60:
            text = text[:57] + "..."
        return f"execute {text}"

    @classmethod
    def execute(
        cls,
        operations: Operations,
        sqltext: Executable | str,
        *,
        execution_options: dict[str, Any] | None = None,
    ) -> None:
        """Execute a SQL string or statement (``text()``, ``table().update()``, ...).

        :param sqltext: SQL string or SQLAlchemy executable.
        :param execution_options: passed to ``Connection.execution_options()``.
        """
        _check_sql(sqltext)
        operations.invoke(cls(sqltext, execution_options=execution_options))

    @classmethod
    def batch_execute(
        cls,
        operations: BatchOperations,
        sqltext: Executable | str,
        *,
        execution_options: dict[str, Any] | None = None,
    ) -> None:
        """Execute SQL from within a batch block (runs immediately)."""
        _check_sql(sqltext)
        operations.invoke(cls(sqltext, execution_options=execution_options))


def _check_sql(sqltext: Any) -> None:
    from sqlalchemy.sql.elements import ClauseElement

    if not isinstance(sqltext, (str, Executable, ClauseElement)):
        raise TypeError(
            f"execute(): argument 'sqltext' must be a SQL string or SQLAlchemy statement, got {type(sqltext).__name__}"
        )
