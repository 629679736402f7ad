"""Column-level operations: add, drop, alter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.types import NULLTYPE

from retort.operations.ops.base import AlterTableOp, qualified
from retort.operations.ops.checks import check_name, check_type

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = ["AddColumnOp", "DropColumnOp", "AlterColumnOp"]


class AddColumnOp(AlterTableOp):
    """Add a column to a table.

    :param table_name: the table.
    :param column: the ``Column`` to add (never modified; copied at run time).
    :param schema: optional schema name.
    :param if_not_exists: emit ``ADD COLUMN IF NOT EXISTS``.
    :param inline_references: render the column's FOREIGN KEY inline (REFERENCES).
    :param inline_primary_key: render ``PRIMARY KEY`` inline.
    :param kw: passed to the implementation (``insert_before`` / ``insert_after`` in batch).
    """

    def __init__(
        self,
        table_name: str,
        column: sa.Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    def reverse(self) -> DropColumnOp:
        op = DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)
        op.if_exists = self.if_not_exists
        return op

    def to_diff_tuple(self) -> tuple[str, str | None, str, sa.Column[Any]]:
        return ("add_column", self.schema, self.table_name, self.column)

    def to_column(self) -> sa.Column[Any]:
        return self.column

    def describe(self) -> str:
        return f"add column {self.column.name} to table {qualified(self.table_name, self.schema)}"

    @classmethod
    def from_column(cls, col: sa.Column[Any]) -> AddColumnOp:
        """The op adding ``col`` to the table it belongs to."""
        if col.table is None:
            raise ValueError(f"column {col.name!r} is not attached to a table")
        return cls(col.table.name, col, schema=col.table.schema)

    @classmethod
    def from_column_and_tablename(cls, schema: str | None, tname: str, col: sa.Column[Any]) -> AddColumnOp:
        return cls(tname, col, schema=schema)

    @classmethod
    def add_column(
        cls,
        operations: Operations,
        table_name: str,
        column: sa.Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Issue ALTER TABLE ... ADD COLUMN.

        A ForeignKey on the column becomes a separate ADD CONSTRAINT unless
        ``inline_references``; ``primary_key=True`` renders PRIMARY KEY only
        with ``inline_primary_key``.  ``unique=`` / ``index=`` on the column
        are ignored (use ``create_unique_constraint`` / ``create_index``).

        :param table_name: the table.
        :param column: a ``sqlalchemy.Column``.
        :param schema: optional schema name.
        :param if_not_exists: emit ``IF NOT EXISTS``.
        :param inline_references: render FOREIGN KEY inline.
        :param inline_primary_key: render PRIMARY KEY inline.
        """
        check_name("add_column", "table_name", table_name)
        _check_column(column)
        operations.invoke(
            cls(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    @classmethod
    def batch_add_column(
        cls,
        operations: BatchOperations,
        column: sa.Column[Any],
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Add a column to the batch's table.

        :param insert_before: place the column before this one (when recreating).
        :param insert_after: place the column after this one (when recreating).
        """
        _check_column(column)
        kw: dict[str, Any] = {}
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        operations.invoke(
            cls(
                operations.impl.table_name,
                column,
                schema=operations.impl.schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
                **kw,
            )
        )


class DropColumnOp(AlterTableOp):
    """Drop a column.

    :param kw: dialect options for the implementation (``mssql_drop_check``, ...).
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddColumnOp | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.if_exists = if_exists
        self.kw = kw
        self._reverse = _reverse

    def to_diff_tuple(self) -> tuple[str, str | None, str, sa.Column[Any]]:
        return ("remove_column", self.schema, self.table_name, self.to_column())

    def reverse(self) -> AddColumnOp:
        if self._reverse is None:
            raise ValueError("operation is not reversible; original column is not present")
        op = AddColumnOp.from_column_and_tablename(self.schema, self.table_name, self._reverse.column)
        op.if_not_exists = self.if_exists
        return op

    def describe(self) -> str:
        return f"drop column {self.column_name} from table {qualified(self.table_name, self.schema)}"

    @classmethod
    def from_column_and_tablename(cls, schema: str | None, tname: str, col: sa.Column[Any]) -> DropColumnOp:
        return cls(tname, col.name, schema=schema, _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col))

    def to_column(self, migration_context: Any = None) -> sa.Column[Any]:
        """The dropped column as known (a NULLTYPE column when only the name is)."""
        if self._reverse is not None:
            return self._reverse.column
        return sa.Column(self.column_name, NULLTYPE)

    @classmethod
    def drop_column(
        cls, operations: Operations, table_name: str, column_name: str, *, schema: str | None = None, **kw: Any
    ) -> None:
        """Issue ALTER TABLE ... DROP COLUMN.

        :param table_name: the table.
        :param column_name: the column.
        :param schema: optional schema name.
        :param if_exists: emit ``IF EXISTS``.
        :param mssql_drop_check: MSSQL: drop the column's CHECK constraint first.
        :param mssql_drop_default: MSSQL: drop the column's DEFAULT constraint first.
        :param mssql_drop_foreign_key: MSSQL: drop the column's single FOREIGN KEY first.
        """
        check_name("drop_column", "table_name", table_name)
        check_name("drop_column", "column_name", column_name)
        operations.invoke(cls(table_name, column_name, schema=schema, **kw))

    @classmethod
    def batch_drop_column(cls, operations: BatchOperations, column_name: str, **kw: Any) -> None:
        """Drop a column of the batch's table."""
        check_name("drop_column", "column_name", column_name)
        operations.invoke(cls(operations.impl.table_name, column_name, schema=operations.impl.schema, **kw))


# (modify attribute, existing attribute, diff tuple name, "unchanged" value)
_ALTER_FIELDS = (
    ("modify_type", "existing_type", "modify_type", None),
    ("modify_nullable", "existing_nullable", "modify_nullable", None),
    ("modify_server_default", "existing_server_default", "modify_default", False),
    ("modify_comment", "existing_comment", "modify_comment", False),
)


class AlterColumnOp(AlterTableOp):
    """Change a column: name, type, nullability, server default, comment.

    ``modify_*`` hold the new values (None / False meaning "unchanged"),
    ``existing_*`` what the column is now (needed by MySQL, MSSQL and batch).
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        modify_nullable: bool | None = None,
        modify_comment: str | None | bool = False,
        modify_server_default: Any = False,
        modify_name: str | None = None,
        modify_type: Any | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    def to_diff_tuple(self) -> list[tuple[Any, ...]]:
        diffs = []
        for modify, existing, diff_name, unchanged in _ALTER_FIELDS:
            new = getattr(self, modify)
            if new is unchanged:
                continue
            others = {
                e: getattr(self, e) for _, e, _, _ in _ALTER_FIELDS if e != existing
            }
            # Alembic lists the hints nullable, server_default, type, comment in this order
            hints = {k: others[k] for k in _HINT_ORDER if k in others}
            diffs.append(
                (diff_name, self.schema, self.table_name, self.column_name, hints, getattr(self, existing), new)
            )
        return diffs

    def has_changes(self) -> bool:
        """True if the op changes anything besides possibly the name."""
        if any(getattr(self, m) is not u for m, _, _, u in _ALTER_FIELDS):
            return True
        return any(k.startswith("modify_") for k in self.kw)

    def reverse(self) -> AlterColumnOp:
        kw = dict(self.kw)
        fields: dict[str, Any] = {}
        for modify, existing, _, unchanged in _ALTER_FIELDS:
            new = getattr(self, modify)
            if new is unchanged:
                fields[existing] = getattr(self, existing)
                fields[modify] = unchanged
            else:
                fields[existing] = new
                fields[modify] = getattr(self, existing)
        # pairs carried in kw (autoincrement / existing_autoincrement) swap too
        for key in [k for k in self.kw if not k.startswith("existing_")]:
            other = "existing_" + key
            if other in kw:
                kw[key], kw[other] = kw[other], kw[key]
        if self.modify_name is not None:
            column_name, modify_name = self.modify_name, self.column_name
        else:
            column_name, modify_name = self.column_name, None
        return AlterColumnOp(
            self.table_name, column_name, schema=self.schema, modify_name=modify_name, **fields, **kw
        )

    def describe(self) -> str:
        changes = [
            f"{m[len('modify_'):]} to {_short(getattr(self, m))}"
            for m, _, _, u in _ALTER_FIELDS
            if getattr(self, m) is not u
        ]
        if self.modify_name is not None:
            changes.append(f"name to {self.modify_name}")
        what = ", ".join(changes) or "nothing"
        return f"alter column {self.column_name} of table {qualified(self.table_name, self.schema)} ({what})"

    @classmethod
    def alter_column(
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any | None = None,
        existing_type: Any | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Issue ALTER COLUMN statements for the given changes.

        :param table_name: the table.
        :param column_name: the column as it is named now.
        :param nullable: True / False to change nullability.
        :param comment: a new comment (None removes it; False = unchanged).
        :param server_default: a new server default (string, text(), or
            Computed / Identity); None removes it; False = unchanged.
        :param new_column_name: rename the column.
        :param type_: a new type.
        :param existing_type: the current type (required by MySQL / MSSQL).
        :param existing_server_default: the current server default (MySQL).
        :param existing_nullable: the current nullability (MySQL).
        :param existing_comment: the current comment (MySQL).
        :param schema: optional schema name.
        :param kw: ``autoincrement``, ``existing_autoincrement``, and dialect
            options such as ``postgresql_using``.
        """
        check_name("alter_column", "table_name", table_name)
        check_name("alter_column", "column_name", column_name)
        check_name("alter_column", "new_column_name", new_column_name, optional=True)
        _check_type_arg("type_", type_)
        _check_type_arg("existing_type", existing_type)
        operations.invoke(
            cls(
                table_name,
                column_name,
                schema=schema,
                existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable,
                existing_comment=existing_comment,
                modify_name=new_column_name,
                modify_type=type_,
                modify_server_default=server_default,
                modify_nullable=nullable,
                modify_comment=comment,
                **kw,
            )
        )

    @classmethod
    def batch_alter_column(
        cls,
        operations: BatchOperations,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any | None = None,
        existing_type: Any | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        """Alter a column of the batch's table (see ``alter_column``).

        :param insert_before: move the column before this one (when recreating).
        :param insert_after: move the column after this one (when recreating).
        """
        check_name("alter_column", "column_name", column_name)
        check_name("alter_column", "new_column_name", new_column_name, optional=True)
        _check_type_arg("type_", type_)
        _check_type_arg("existing_type", existing_type)
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        operations.invoke(
            cls(
                operations.impl.table_name,
                column_name,
                schema=operations.impl.schema,
                existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable,
                existing_comment=existing_comment,
                modify_name=new_column_name,
                modify_type=type_,
                modify_server_default=server_default,
                modify_nullable=nullable,
                modify_comment=comment,
                **kw,
            )
        )


_HINT_ORDER = ("existing_nullable", "existing_server_default", "existing_type", "existing_comment")


def _short(value: Any) -> str:
    """A value as a few words for describe()."""
    if value is None:
        return "NULL"
    if isinstance(value, type):
        value = value()
    if isinstance(value, sa.types.TypeEngine):
        text = repr(value)
    else:
        text = " ".join(str(getattr(value, "text", value)).split())
    return text if len(text) <= 40 else text[:37] + "..."


def _check_column(column: Any) -> None:
    check_type("add_column", "column", column, sa.Column, "sqlalchemy Column")
    if not column.name:
        raise ValueError("add_column(): argument 'column' must have a name, e.g. Column('x', Integer)")


def _check_type_arg(argument: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, sa.types.TypeEngine):
        return
    if isinstance(value, type) and issubclass(value, sa.types.TypeEngine):
        return
    raise TypeError(
        f"alter_column(): argument {argument!r} must be a SQLAlchemy type, got {type(value).__name__} ({value!r})"
    )
