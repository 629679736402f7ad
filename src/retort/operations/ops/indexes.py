"""Index operations: create and drop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import sqlalchemy as sa

from retort.operations.ops.base import MigrateOperation, qualified
from retort.operations.ops.checks import check_name, check_names

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = ["CreateIndexOp", "DropIndexOp"]


def _schema_obj(migration_context: Any) -> Any:
    from retort.operations.schemaobj import SchemaObjects

    return SchemaObjects(migration_context)


class CreateIndexOp(MigrateOperation):
    """Create an index.

    :param columns: column names (strings) and / or SQL expressions
        (``text("lower(name)")``, ``func.lower(...)``).
    :param kw: dialect options (``postgresql_where``, ``postgresql_using``,
        ``postgresql_concurrently``, ``mysql_length``, ...).
    """

    def __init__(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    def reverse(self) -> DropIndexOp:
        op = DropIndexOp.from_index(self.to_index())
        op.if_exists = self.if_not_exists
        return op

    def to_diff_tuple(self) -> tuple[str, sa.Index]:
        return ("add_index", self.to_index())

    def describe(self) -> str:
        kind = "unique index" if self.unique else "index"
        return f"create {kind} {self.index_name} on table {qualified(self.table_name, self.schema)}"

    @classmethod
    def from_index(cls, index: sa.Index) -> CreateIndexOp:
        """The op creating ``index`` (which must be attached to a table)."""
        if index.table is None:
            raise ValueError(f"index {index.name!r} is not attached to a table")
        return cls(
            index.name,
            index.table.name,
            list(index.expressions),
            schema=index.table.schema,
            unique=index.unique,
            **index.kwargs,
        )

    def to_index(self, migration_context: Any = None) -> sa.Index:
        """A new Index on a throw-away table."""
        return _schema_obj(migration_context).index(
            self.index_name, self.table_name, self.columns, schema=self.schema, unique=self.unique, **self.kw
        )

    @classmethod
    def create_index(
        cls,
        operations: Operations,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Issue CREATE INDEX.

        :param index_name: name of the index.
        :param table_name: the table.
        :param columns: column names and / or expressions (``text()``, functions).
        :param schema: optional schema name.
        :param unique: CREATE UNIQUE INDEX.
        :param if_not_exists: emit ``IF NOT EXISTS``.
        :param kw: dialect options: ``postgresql_where``, ``postgresql_using``,
            ``postgresql_concurrently``, ``postgresql_include``, ``mysql_length``,
            ``sqlite_where``, ...
        """
        check_name("create_index", "index_name", index_name, optional=True)
        check_name("create_index", "table_name", table_name)
        columns = check_names("create_index", "columns", columns, allow_expressions=True)
        operations.invoke(
            cls(index_name, table_name, columns, schema=schema, unique=unique, if_not_exists=if_not_exists, **kw)
        )

    @classmethod
    def batch_create_index(
        cls, operations: BatchOperations, index_name: str, columns: Sequence[Any], **kw: Any
    ) -> None:
        """Create an index on the batch's table."""
        check_name("create_index", "index_name", index_name, optional=True)
        columns = check_names("create_index", "columns", columns, allow_expressions=True)
        operations.invoke(
            cls(index_name, operations.impl.table_name, columns, schema=operations.impl.schema, **kw)
        )


class DropIndexOp(MigrateOperation):
    """Drop an index.

    :param table_name: the index's table (needed by MySQL / MSSQL and batch).
    """

    def __init__(
        self,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateIndexOp | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    def to_diff_tuple(self) -> tuple[str, sa.Index]:
        return ("remove_index", self.to_index())

    def reverse(self) -> CreateIndexOp:
        op = CreateIndexOp.from_index(self.to_index())
        op.if_not_exists = self.if_exists
        return op

    def describe(self) -> str:
        on = f" on table {qualified(self.table_name, self.schema)}" if self.table_name else ""
        return f"drop index {self.index_name}{on}"

    @classmethod
    def from_index(cls, index: sa.Index) -> DropIndexOp:
        """The op dropping ``index``; it remembers the index so it can be reversed."""
        if index.table is None:
            raise ValueError(f"index {index.name!r} is not attached to a table")
        return cls(
            index.name,
            table_name=index.table.name,
            schema=index.table.schema,
            _reverse=CreateIndexOp.from_index(index),
            unique=index.unique,
            **index.kwargs,
        )

    def to_index(self, migration_context: Any = None) -> sa.Index:
        """A new Index (with the original columns when known, else a placeholder)."""
        columns = self._reverse.columns if self._reverse is not None else ["x"]
        kw = dict(self.kw)
        unique = kw.pop("unique", self._reverse.unique if self._reverse is not None else False)
        return _schema_obj(migration_context).index(
            self.index_name, self.table_name, columns, schema=self.schema, unique=unique, **kw
        )

    @classmethod
    def drop_index(
        cls,
        operations: Operations,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Issue DROP INDEX.

        :param index_name: name of the index.
        :param table_name: the table (required by MySQL / MSSQL).
        :param schema: optional schema name.
        :param if_exists: emit ``IF EXISTS``.
        :param kw: dialect options (``postgresql_concurrently``, ...).
        """
        check_name("drop_index", "index_name", index_name)
        check_name("drop_index", "table_name", table_name, optional=True)
        operations.invoke(cls(index_name, table_name=table_name, schema=schema, if_exists=if_exists, **kw))

    @classmethod
    def batch_drop_index(cls, operations: BatchOperations, index_name: str, **kw: Any) -> None:
        """Drop an index of the batch's table."""
        check_name("drop_index", "index_name", index_name)
        operations.invoke(
            cls(index_name, table_name=operations.impl.table_name, schema=operations.impl.schema, **kw)
        )
