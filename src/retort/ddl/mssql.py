"""Microsoft SQL Server (offline SQL): GO batches, default constraints, sp_rename.

SQL Server keeps a column's DEFAULT (and often CHECK / FOREIGN KEY) as a
separately named constraint that blocks dropping or re-typing the column;
its name is found in the catalog and dropped with the usual T-SQL pattern
before the column is touched.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Computed, Identity
from sqlalchemy.sql.ddl import ExecutableDDLElement

from retort.ddl import elements as el
from retort.ddl.impl import DefaultImpl
from retort.util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy import Column

__all__ = ["MSSQLImpl", "MSSQLDropColumnConstraints", "MSSQLAlterColumn", "MSSQLAddDefault"]


class MSSQLDropColumnConstraints(ExecutableDDLElement):
    """Find a column's default / check / foreign-key constraint by catalog lookup and drop it."""

    inherit_cache = False

    def __init__(self, table_name: str, column_name: str, schema: str | None, kind: str) -> None:
        assert kind in ("default", "check", "foreign_key")
        self.table_name = table_name
        self.column_name = column_name
        self.schema = schema
        self.kind = kind


class MSSQLAlterColumn(el.AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c <type> [NULL | NOT NULL]``."""

    def __init__(self, table_name: str, column_name: str, type_: Any, nullable: bool | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.type_ = type_
        self.nullable = nullable


class MSSQLAddDefault(el.AlterColumn):
    """``ALTER TABLE t ADD DEFAULT x FOR c``."""

    def __init__(self, table_name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class MSSQLImpl(DefaultImpl):
    __dialect__ = "mssql"

    transactional_ddl = True
    batch_separator = "GO"
    supports_index_if_not_exists = False
    binary_literal_format = "0x{hex}"
    begin_statement = "BEGIN TRANSACTION"
    type_synonyms = DefaultImpl.type_synonyms + ({"VARCHAR", "NVARCHAR"},)
    # op.alter_column passes existing_server_default=False ("not given") through
    # instead of None: None ("no default known") still looks the constraint up
    keeps_unstated_existing_server_default = True

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if self.as_sql and getattr(self.dialect, "default_schema_name", None) is None:
            # comments are extended properties addressed by schema; offline there
            # is no server to ask, and "dbo" is SQL Server's default schema
            self.dialect.default_schema_name = "dbo"

    def emit_begin(self) -> None:
        # no GO here: the transaction spans the batches that follow
        self.static_output(self.begin_statement + self.command_terminator)

    def create_table(self, table: Any, if_not_exists: bool | None = None, **kw: Any) -> None:
        if if_not_exists:
            raise NotImplementedError(
                f"SQL Server has no CREATE TABLE IF NOT EXISTS, so if_not_exists=True cannot be "
                f"honoured on the 'mssql' dialect (table {table.name!r}): drop if_not_exists=True"
            )
        super().create_table(table, **kw)

    def add_column(
        self,
        table_name: str,
        column: "Column[Any]",
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        if if_not_exists:
            raise NotImplementedError(
                "SQL Server has no ADD COLUMN IF NOT EXISTS, so if_not_exists=True cannot be "
                f"honoured on the 'mssql' dialect (column {column.name!r}): drop if_not_exists=True"
            )
        super().add_column(
            table_name,
            column,
            schema=schema,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def drop_column(
        self,
        table_name: str,
        column: "Column[Any]",
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop the column's default / check / FK constraints first when asked (``mssql_drop_*``)."""
        for flag, kind in (
            ("mssql_drop_default", "default"),
            ("mssql_drop_check", "check"),
            ("mssql_drop_foreign_key", "foreign_key"),
        ):
            if kw.get(flag):
                self._exec(MSSQLDropColumnConstraints(table_name, column.name, schema, kind))
        self._exec(el.DropColumn(table_name, column, schema=schema, if_exists=if_exists))

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """ALTER COLUMN re-states type and nullability; defaults are constraints of their own.

        ``existing_server_default=False`` means "not stated" (see
        ``keeps_unstated_existing_server_default``), None "stated: no default".
        """
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn("autoincrement and existing_autoincrement only make sense for MySQL", stacklevel=3)
        hints = dict(
            schema=schema,
            existing_type=existing_type,
            existing_nullable=existing_nullable,
            # the elements take None for "unknown", as on every dialect
            existing_server_default=None if existing_server_default is False else existing_server_default,
            existing_comment=existing_comment,
        )
        if nullable is not None and type_ is None and existing_type is None:
            raise CommandError(
                f"alter_column({table_name!r}, {column_name!r}): SQL Server's ALTER COLUMN re-states "
                "the type to change NULL / NOT NULL: pass existing_type= (or a new type_=)"
            )
        if type_ is not None and nullable is None and existing_nullable is None:
            warnings.warn(
                "SQL Server ALTER COLUMN with type_= should also get nullable= or existing_nullable=, "
                "or a NOT NULL column silently becomes NULL",
                stacklevel=3,
            )
        special_default = server_default is not False and (
            isinstance(server_default, (Computed, Identity))
            or isinstance(existing_server_default, (Computed, Identity))
        )
        plain_default = server_default is not False and not special_default
        # the old default constraint goes first: it would block ALTER COLUMN's type change,
        # and ADD DEFAULT fails while one exists.  Only existing_server_default=False
        # (op.alter_column's "not stated") skips the lookup: None may just mean the
        # default was never recorded, so the catalog is asked (as Alembic does)
        if plain_default and (existing_server_default is not False or server_default is None):
            self._exec(MSSQLDropColumnConstraints(table_name, column_name, schema, "default"))
        if type_ is not None or nullable is not None:
            self._exec(
                MSSQLAlterColumn(
                    table_name,
                    column_name,
                    type_ if type_ is not None else existing_type,
                    nullable if nullable is not None else existing_nullable,
                    **hints,
                )
            )
        if comment is not False:
            self._exec(el.ColumnComment(table_name, column_name, comment, **hints))  # type: ignore[arg-type]
        if special_default:
            self._alter_server_default(table_name, column_name, server_default, hints)
        elif plain_default and server_default is not None:
            self._exec(MSSQLAddDefault(table_name, column_name, server_default, **hints))
        if name is not None:
            self._exec(el.ColumnName(table_name, column_name, name, **hints))

    def bulk_insert(self, table: Any, rows: list[dict[str, Any]], multiinsert: bool = True) -> None:
        """Offline, wrap the INSERTs in ``SET IDENTITY_INSERT t ON`` / ``OFF`` where needed.

        A lightweight ``table()`` says nothing about IDENTITY columns, so it is
        always wrapped (as Alembic does).  A full ``Table`` is wrapped only when it
        has an IDENTITY column and a row gives it a value: SQL Server rejects
        ``SET IDENTITY_INSERT`` on a table without one.  Online, SQLAlchemy's
        dialect handles explicit identity values itself.
        """
        if not self.as_sql or not _wants_identity_insert(table, rows):
            super().bulk_insert(table, rows, multiinsert=multiinsert)
            return
        # the same checks as the base class, before anything is written
        if not isinstance(rows, list) or (rows and not isinstance(rows[0], dict)):
            raise TypeError("bulk_insert: 'rows' must be a list of dictionaries")
        name = self.dialect.identifier_preparer.format_table(table)
        self._exec(f"SET IDENTITY_INSERT {name} ON")
        super().bulk_insert(table, rows, multiinsert=multiinsert)
        self._exec(f"SET IDENTITY_INSERT {name} OFF")


def _wants_identity_insert(table: Any, rows: Any) -> bool:
    if not isinstance(table, Table):
        return True
    identity = _identity_column(table)
    return (
        identity is not None
        and isinstance(rows, list)
        and any(isinstance(r, dict) and identity.key in r for r in rows)
    )


def _identity_column(table: "Table") -> Any:
    """The column SQL Server makes IDENTITY: an explicit Identity(), else the autoincrement key."""
    for col in table.columns:
        if col.identity is not None:
            return col
    auto = getattr(table, "autoincrement_column", None)
    if auto is None:
        auto = getattr(table, "_autoincrement_column", None)
    return auto


# ---------------------------------------------------------------------------
# compilation


def _quoted_string(compiler: Any, value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_LOOKUPS = {
    "default": (
        "select @const_name = QUOTENAME([name]) from sys.default_constraints\n"
        "where parent_object_id = object_id({table})\n"
        "and col_name(parent_object_id, parent_column_id) = {column}"
    ),
    "check": (
        "select @const_name = QUOTENAME([name]) from sys.check_constraints\n"
        "where parent_object_id = object_id({table})\n"
        "and col_name(parent_object_id, parent_column_id) = {column}"
    ),
    "foreign_key": (
        "select @const_name = QUOTENAME([name]) from\n"
        "sys.foreign_keys fk join sys.foreign_key_columns fkc\n"
        "on fk.object_id=fkc.constraint_object_id\n"
        "where fkc.parent_object_id = object_id({table})\n"
        "and col_name(fkc.parent_object_id, fkc.parent_column_id) = {column}"
    ),
}


@compiles(MSSQLDropColumnConstraints, "mssql")
def _mssql_drop_column_constraints(element: MSSQLDropColumnConstraints, compiler: Any, **kw: Any) -> str:
    table = el.format_table_name(compiler, element.table_name, element.schema)
    lookup = _LOOKUPS[element.kind].format(
        table=_quoted_string(compiler, table), column=_quoted_string(compiler, element.column_name)
    )
    return (
        "declare @const_name varchar(256)\n"
        f"{lookup}\n"
        f"exec('alter table {table.replace(chr(39), chr(39) * 2)} drop constraint ' + @const_name)"
    )


@compiles(MSSQLAlterColumn, "mssql")
def _mssql_alter_column(element: MSSQLAlterColumn, compiler: Any, **kw: Any) -> str:
    sql = "%s %s %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.alter_column(compiler, element.column_name),
        el.format_type(compiler, element.type_),
    )
    if element.nullable is not None:
        sql += " NULL" if element.nullable else " NOT NULL"
    return sql


@compiles(MSSQLAddDefault, "mssql")
def _mssql_add_default(element: MSSQLAddDefault, compiler: Any, **kw: Any) -> str:
    return "%s ADD DEFAULT %s FOR %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.format_server_default(compiler, element.default),
        el.format_column_name(compiler, element.column_name),
    )


@compiles(el.AddColumn, "mssql")
def _mssql_add_column(element: el.AddColumn, compiler: Any, **kw: Any) -> str:
    return "%s ADD %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.column_definition(compiler, element),
    )


@compiles(el.ColumnName, "mssql")
def _mssql_column_name(element: el.ColumnName, compiler: Any, **kw: Any) -> str:
    old = el.format_table_name(compiler, element.table_name, element.schema) + "." + el.format_column_name(
        compiler, element.column_name
    )
    return "EXEC sp_rename %s, %s, 'COLUMN'" % (
        _quoted_string(compiler, old),
        el.format_column_name(compiler, element.newname),
    )


@compiles(el.RenameTable, "mssql")
def _mssql_rename_table(element: el.RenameTable, compiler: Any, **kw: Any) -> str:
    return "EXEC sp_rename %s, %s" % (
        _quoted_string(compiler, el.format_table_name(compiler, element.table_name, element.schema)),
        el.format_table_name(compiler, element.new_table_name, None),
    )


def _extended_property_target(compiler: Any, element: el.AlterColumn) -> str:
    schema = element.schema or compiler.dialect.default_schema_name or "dbo"
    return "'schema', %s, 'table', %s, 'column', %s" % (
        compiler.preparer.quote_schema(schema),
        compiler.preparer.quote(element.table_name),
        el.format_column_name(compiler, element.column_name),
    )


@compiles(el.ColumnComment, "mssql")
def _mssql_column_comment(element: el.ColumnComment, compiler: Any, **kw: Any) -> str:
    target = _extended_property_target(compiler, element)
    if element.comment is None:
        return "exec sp_dropextendedproperty 'MS_Description', " + target
    # the property exists already when the column had a comment: update it instead
    proc = "sp_updateextendedproperty" if element.existing_comment is not None else "sp_addextendedproperty"
    return "exec %s 'MS_Description', N%s, %s" % (
        proc,
        _quoted_string(compiler, element.comment),
        target,
    )
