"""Table-level operations: create, drop, rename, table comments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, MutableMapping, Sequence

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema

from retort.operations.ops.base import AlterTableOp, MigrateOperation, qualified
from retort.operations.ops.checks import check_name, check_type

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = [
    "CreateTableOp",
    "DropTableOp",
    "RenameTableOp",
    "CreateTableCommentOp",
    "DropTableCommentOp",
]


def _schema_obj(migration_context: Any) -> Any:
    from retort.operations.schemaobj import SchemaObjects

    return SchemaObjects(migration_context)


class CreateTableOp(MigrateOperation):
    """Create a table.

    :param table_name: name of the new table.
    :param columns: Column, Constraint and Index objects of the table.
    :param schema: optional schema name.
    :param if_not_exists: emit ``CREATE TABLE IF NOT EXISTS``.
    :param kw: ``comment``, ``info``, ``prefixes`` and dialect keyword
        arguments (``mysql_engine``, ...) as accepted by ``Table``.
    """

    def __init__(
        self,
        table_name: str,
        columns: Sequence[sa_schema.SchemaItem],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        _namespace_metadata: sa.MetaData | None = None,
        _constraints_included: bool = False,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", {})
        self.comment = kw.pop("comment", None)
        self.prefixes = kw.pop("prefixes", [])
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    def reverse(self) -> DropTableOp:
        return DropTableOp.from_table(self.to_table(), _namespace_metadata=self._namespace_metadata)

    def to_diff_tuple(self) -> tuple[str, sa.Table]:
        return ("add_table", self.to_table())

    def describe(self) -> str:
        return f"create table {qualified(self.table_name, self.schema)}"

    @classmethod
    def from_table(cls, table: sa.Table, *, _namespace_metadata: sa.MetaData | None = None) -> CreateTableOp:
        """The op that creates ``table`` (columns, constraints, comment, dialect options)."""
        if _namespace_metadata is None:
            _namespace_metadata = table.metadata
        return cls(
            table.name,
            # constraints in creation order: the same table gives the same op
            list(table.c) + sorted(table.constraints, key=lambda c: c._creation_order),
            schema=table.schema,
            _namespace_metadata=_namespace_metadata,
            # the PK / FK / CHECK objects are listed explicitly: copying the
            # columns must not produce them a second time
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

    def to_table(self, migration_context: Any = None) -> sa.Table:
        """A new Table for this op (fresh copies of its columns and constraints)."""
        kw = dict(self.kw)
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.prefixes:
            kw["prefixes"] = list(self.prefixes)
        return _schema_obj(migration_context).table(
            self.table_name,
            *self.columns,
            schema=self.schema,
            info=dict(self.info),
            _constraints_included=self._constraints_included,
            # once only: later calls find the columns attached and copy them
            _adopt_columns=self.__dict__.pop("_adopt_columns", False),
            **kw,
        )

    @classmethod
    def create_table(
        cls,
        operations: Operations,
        table_name: str,
        *columns: sa_schema.SchemaItem,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> sa.Table:
        """Issue CREATE TABLE; return the new Table (usable with ``bulk_insert``).

        :param table_name: name of the table.
        :param columns: Column, Constraint and Index objects.
        :param if_not_exists: emit ``IF NOT EXISTS``.
        :param kw: ``schema``, ``comment``, ``info``, ``prefixes`` and dialect
            keyword arguments, as for ``sqlalchemy.Table``.
        """
        check_name("create_table", "table_name", table_name)
        for col in columns:
            check_type("create_table", "columns", col, sa_schema.SchemaItem, "Column / Constraint / Index")
        operation = cls(table_name, columns, if_not_exists=if_not_exists, **kw)
        # the caller's own Columns go into the returned Table as they are (as
        # in Alembic) instead of being copied: the op is private to this call.
        # A Column already on a table (reused, or from a model) is still copied.
        operation._adopt_columns = True
        return operations.invoke(operation)


class DropTableOp(MigrateOperation):
    """Drop a table.

    :param table_kw: ``comment``, ``info``, ``prefixes`` and dialect keyword
        arguments describing the table (used when reversing).
    """

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        table_kw: MutableMapping[Any, Any] | None = None,
        _reverse: CreateTableOp | None = None,
    ) -> None:
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = dict(table_kw or {})
        self.comment = self.table_kw.pop("comment", None)
        self.info = self.table_kw.pop("info", None)
        self.prefixes = self.table_kw.pop("prefixes", None)
        self._reverse = _reverse

    def to_diff_tuple(self) -> tuple[str, sa.Table]:
        return ("remove_table", self.to_table())

    def reverse(self) -> CreateTableOp:
        namespace = self._reverse._namespace_metadata if self._reverse else None
        return CreateTableOp.from_table(self.to_table(), _namespace_metadata=namespace)

    def describe(self) -> str:
        return f"drop table {qualified(self.table_name, self.schema)}"

    @classmethod
    def from_table(cls, table: sa.Table, *, _namespace_metadata: sa.MetaData | None = None) -> DropTableOp:
        """The op that drops ``table``; it remembers the table so it can be reversed."""
        return cls(
            table.name,
            schema=table.schema,
            table_kw={
                "comment": table.comment,
                "info": dict(table.info),
                "prefixes": list(table._prefixes),
                **table.kwargs,
            },
            _reverse=CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata),
        )

    def to_table(self, migration_context: Any = None) -> sa.Table:
        """A new Table for this op (with the original columns when known)."""
        items = self._reverse.columns if self._reverse else []
        kw = dict(self.table_kw)
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.prefixes:
            kw["prefixes"] = list(self.prefixes)
        return _schema_obj(migration_context).table(
            self.table_name,
            *items,
            schema=self.schema,
            info=dict(self.info or {}),
            _constraints_included=bool(self._reverse and self._reverse._constraints_included),
            **kw,
        )

    @classmethod
    def drop_table(
        cls,
        operations: Operations,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Issue DROP TABLE.

        :param table_name: name of the table.
        :param schema: optional schema name.
        :param if_exists: emit ``IF EXISTS``.
        :param kw: passed to the throw-away ``Table`` (dialect options).
        """
        check_name("drop_table", "table_name", table_name)
        operations.invoke(cls(table_name, schema=schema, if_exists=if_exists, table_kw=kw))


class RenameTableOp(AlterTableOp):
    """Rename a table."""

    def __init__(self, old_table_name: str, new_table_name: str, *, schema: str | None = None) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name

    @property
    def old_table_name(self) -> str:
        return self.table_name

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("rename_table", self.schema, self.table_name, self.new_table_name)

    def describe(self) -> str:
        return f"rename table {qualified(self.table_name, self.schema)} to {self.new_table_name}"

    @classmethod
    def rename_table(
        cls, operations: Operations, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        """Emit ALTER TABLE ... RENAME TO.

        :param old_table_name: current name.
        :param new_table_name: new name.
        :param schema: optional schema name.
        """
        check_name("rename_table", "old_table_name", old_table_name)
        check_name("rename_table", "new_table_name", new_table_name)
        operations.invoke(cls(old_table_name, new_table_name, schema=schema))


class CreateTableCommentOp(AlterTableOp):
    """Set (or replace) a table's comment."""

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.comment = comment
        self.existing_comment = existing_comment

    def reverse(self) -> CreateTableCommentOp | DropTableCommentOp:
        if self.existing_comment is None:
            return DropTableCommentOp(self.table_name, existing_comment=self.comment, schema=self.schema)
        return CreateTableCommentOp(
            self.table_name, self.existing_comment, existing_comment=self.comment, schema=self.schema
        )

    def to_table(self, migration_context: Any = None) -> sa.Table:
        """A throw-away Table carrying the new comment."""
        return _schema_obj(migration_context).table(self.table_name, schema=self.schema, comment=self.comment)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table_comment", self.to_table(), self.existing_comment)

    def describe(self) -> str:
        return f"set comment on table {qualified(self.table_name, self.schema)}"

    @classmethod
    def create_table_comment(
        cls,
        operations: Operations,
        table_name: str,
        comment: str | None,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Emit COMMENT ON TABLE (or the dialect's equivalent).

        :param table_name: name of the table.
        :param comment: the new comment.
        :param existing_comment: the current comment (for reversing / MySQL).
        :param schema: optional schema name.
        """
        check_name("create_table_comment", "table_name", table_name)
        operations.invoke(cls(table_name, comment, existing_comment=existing_comment, schema=schema))

    @classmethod
    def batch_create_table_comment(
        cls, operations: BatchOperations, comment: str | None, *, existing_comment: str | None = None
    ) -> None:
        """Set the comment of the batch's table."""
        operations.invoke(
            cls(operations.impl.table_name, comment, existing_comment=existing_comment, schema=operations.impl.schema)
        )


class DropTableCommentOp(AlterTableOp):
    """Remove a table's comment."""

    def __init__(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.existing_comment = existing_comment

    def reverse(self) -> CreateTableCommentOp:
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_table(self, migration_context: Any = None) -> sa.Table:
        """A throw-away Table with no comment."""
        return _schema_obj(migration_context).table(self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table_comment", self.to_table())

    def describe(self) -> str:
        return f"drop comment on table {qualified(self.table_name, self.schema)}"

    @classmethod
    def drop_table_comment(
        cls,
        operations: Operations,
        table_name: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Remove a table's comment.

        :param table_name: name of the table.
        :param existing_comment: the current comment (for reversing).
        :param schema: optional schema name.
        """
        check_name("drop_table_comment", "table_name", table_name)
        operations.invoke(cls(table_name, existing_comment=existing_comment, schema=schema))

    @classmethod
    def batch_drop_table_comment(cls, operations: BatchOperations, *, existing_comment: str | None = None) -> None:
        """Remove the comment of the batch's table."""
        operations.invoke(
            cls(operations.impl.table_name, existing_comment=existing_comment, schema=operations.impl.schema)
        )
