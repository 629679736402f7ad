"""Oracle (offline SQL): ALTER TABLE … MODIFY, RENAME COLUMN, ``/`` after each statement.

SQL*Plus runs a statement on the ``/`` line, so statements carry no ``;``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Identity

from retort.ddl import elements as el
from retort.ddl.impl import DefaultImpl

__all__ = ["OracleImpl"]


class OracleImpl(DefaultImpl):
    __dialect__ = "oracle"

    transactional_ddl = False
    command_terminator = ""
    batch_separator = "/"
    supports_index_if_not_exists = False
    binary_literal_format = "HEXTORAW('{hex}')"
    begin_statement = "SET TRANSACTION READ WRITE"
    type_synonyms = DefaultImpl.type_synonyms + (
        {"VARCHAR", "VARCHAR2"},
        {"BIGINT", "INTEGER", "SMALLINT", "DECIMAL", "NUMERIC", "NUMBER"},
        {"DOUBLE", "FLOAT", "DOUBLE_PRECISION"},
    )
    identity_attrs_ignore = ()

    def emit_begin(self) -> None:
        self._emit_statement(self.begin_statement)


def _modify(compiler: Any, element: el.AlterColumn) -> str:
    return "%s MODIFY %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.format_column_name(compiler, element.column_name),
    )


@compiles(el.AddColumn, "oracle")
def _oracle_add_column(element: el.AddColumn, compiler: Any, **kw: Any) -> str:
    return "%s ADD %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.column_definition(compiler, element),
    )


@compiles(el.ColumnNullable, "oracle")
def _oracle_nullable(element: el.ColumnNullable, compiler: Any, **kw: Any) -> str:
    return "%s %s" % (_modify(compiler, element), "NULL" if element.nullable else "NOT NULL")


@compiles(el.ColumnType, "oracle")
def _oracle_type(element: el.ColumnType, compiler: Any, **kw: Any) -> str:
    return "%s %s" % (_modify(compiler, element), el.format_type(compiler, element.type_))


@compiles(el.ColumnDefault, "oracle")
def _oracle_default(element: el.ColumnDefault, compiler: Any, **kw: Any) -> str:
    # Oracle has no DROP DEFAULT; DEFAULT NULL is how a default is removed
    default = el.format_server_default(compiler, element.default) if element.default is not None else "NULL"
    return "%s DEFAULT %s" % (_modify(compiler, element), default)


@compiles(el.ColumnName, "oracle")
def _oracle_column_name(element: el.ColumnName, compiler: Any, **kw: Any) -> str:
    return "%s RENAME COLUMN %s TO %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.format_column_name(compiler, element.column_name),
        el.format_column_name(compiler, element.newname),
    )


@compiles(el.IdentityColumnDefault, "oracle")
def _oracle_identity(element: el.IdentityColumnDefault, compiler: Any, **kw: Any) -> str:
    if element.default is None:
        return "%s DROP IDENTITY" % _modify(compiler, element)
    identity = element.default
    if not isinstance(identity, Identity):
        raise TypeError(f"expected an Identity, got {identity!r}")
    return "%s %s" % (_modify(compiler, element), compiler.process(identity))


@compiles(el.ColumnComment, "oracle")
def _oracle_column_comment(element: el.ColumnComment, compiler: Any, **kw: Any) -> str:
    # Oracle stores '' as NULL: an empty comment is how one is removed
    comment = element.comment if element.comment is not None else ""
    return "COMMENT ON COLUMN %s.%s IS %s" % (
        el.format_table_name(compiler, element.table_name, element.schema),
        el.format_column_name(compiler, element.column_name),
        compiler.sql_compiler.render_literal_value(comment, el._string_type()),
    )
