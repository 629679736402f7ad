"""DDL constructs SQLAlchemy lacks (ALTER COLUMN and friends), with ANSI compilation.

Every element names its table by ``(table_name, schema)`` strings so that it
can be built without a ``Table``; dialect modules register ``@compiles``
overrides for the forms their database spells differently.  The helpers
``format_*`` quote through the dialect's identifier preparer, so reserved
words and mixed-case names are always quoted the way the database wants.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Computed, DefaultClause, Identity
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy import exc as sa_exc
from sqlalchemy.types import to_instance

__all__ = [
    "AlterTable",
    "RenameTable",
    "AddColumn",
    "DropColumn",
    "AlterColumn",
    "ColumnNullable",
    "ColumnType",
    "ColumnDefault",
    "ColumnName",
    "ColumnComment",
    "DropConstraintIfExists",
    "ComputedColumnDefault",
    "IdentityColumnDefault",
    "format_table_name",
    "format_column_name",
    "format_type",
    "format_server_default",
    "alter_table",
    "alter_column",
]


class AlterTable(ExecutableDDLElement):
    """Base of every ``ALTER TABLE <name> ...`` statement."""

    inherit_cache = False

    def __init__(self, table_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    """``ALTER TABLE old RENAME TO new``."""

    def __init__(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name


class AddColumn(AlterTable):
    """``ALTER TABLE t ADD COLUMN <column spec>``."""

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = bool(if_not_exists)
        self.inline_references = bool(inline_references)
        self.inline_primary_key = bool(inline_primary_key)


class DropColumn(AlterTable):
    """``ALTER TABLE t DROP COLUMN c``."""

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_exists = bool(if_exists)


class AlterColumn(AlterTable):
    """Base of ``ALTER TABLE t ALTER COLUMN c ...``; carries the ``existing_*`` hints."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        schema: str | None = None,
        existing_type: Any = None,
        existing_nullable: bool | None = None,
        existing_server_default: Any = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = to_instance(existing_type) if existing_type is not None else None
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumn):
    """``SET NOT NULL`` / ``DROP NOT NULL``."""

    def __init__(self, table_name: str, column_name: str, nullable: bool, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumn):
    """``ALTER COLUMN c TYPE t``."""

    def __init__(self, table_name: str, column_name: str, type_: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.type_ = to_instance(type_)


class ColumnName(AlterColumn):
    """``RENAME c TO d``."""

    def __init__(self, table_name: str, column_name: str, newname: str, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.newname = newname


class ColumnDefault(AlterColumn):
    """``SET DEFAULT x`` / ``DROP DEFAULT`` (``default=None``)."""

    def __init__(self, table_name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class ComputedColumnDefault(AlterColumn):
    """Add, drop or change ``GENERATED ALWAYS AS (...)``; few databases can."""

    def __init__(self, table_name: str, column_name: str, default: Computed | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class IdentityColumnDefault(AlterColumn):
    """Add, drop or change ``GENERATED ... AS IDENTITY``.

    ``impl`` is the DefaultImpl, whose ``identity_attrs_ignore`` and
    comparison decide which identity options changed.
    """

    def __init__(
        self, table_name: str, column_name: str, default: Identity | None, impl: Any = None, **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default
        self.impl = impl


class ColumnComment(AlterColumn):
    """Set or clear (``comment=None``) a column's comment."""

    def __init__(self, table_name: str, column_name: str, comment: str | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.comment = comment


class DropConstraintIfExists(ExecutableDDLElement):
    """``ALTER TABLE t DROP CONSTRAINT IF EXISTS name`` for SQLAlchemy versions without it."""

    inherit_cache = False

    def __init__(self, const: Any) -> None:
        self.const = const


# ---------------------------------------------------------------------------
# formatting helpers shared by every dialect module


def format_table_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """Quote ``schema.name`` as the dialect needs."""
    quoted = compiler.preparer.quote(name)
    if schema:
        return compiler.preparer.quote_schema(schema) + "." + quoted
    return quoted


def format_column_name(compiler: DDLCompiler, name: str) -> str:
    """Quote a column name as the dialect needs."""
    return compiler.preparer.quote(name)


def format_type(compiler: DDLCompiler, type_: TypeEngine[Any] | Any) -> str:
    """Render a type as the dialect spells it."""
    return compiler.dialect.type_compiler_instance.process(to_instance(type_))


def server_default_arg(default: Any) -> Any:
    """Unwrap a DefaultClause to its argument (str, text() or expression)."""
    if isinstance(default, DefaultClause):
        return default.arg
    return default


def format_server_default(compiler: DDLCompiler, default: Any) -> str:
    """Render a server default: strings as escaped literals, expressions as SQL."""
    arg = server_default_arg(default)
    # a throw-away column lets the dialect apply its own default rendering
    # (literal quoting, MySQL's parentheses around expressions, ...)
    col = Column("_retort_tmp", Integer, server_default=arg)
    rendered = compiler.get_column_default_string(col)
    if rendered is None:
        raise sa_exc.CompileError(f"cannot render server default {default!r}")
    return rendered


def alter_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    return "ALTER TABLE " + format_table_name(compiler, name, schema)


def alter_column(compiler: DDLCompiler, name: str) -> str:
    return "ALTER COLUMN " + format_column_name(compiler, name)


# ---------------------------------------------------------------------------
# ANSI compilation; dialect modules override what their database spells differently


@compiles(DropConstraintIfExists)
def _drop_constraint_if_exists(element: DropConstraintIfExists, compiler: DDLCompiler, **kw: Any) -> str:
    const = element.const
    return "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s" % (
        compiler.preparer.format_table(const.table),
        compiler.preparer.format_constraint(const),
    )


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s RENAME TO %s" % (
        alter_table(compiler, element.table_name, element.schema),
        format_table_name(compiler, element.new_table_name, None),
    )


def column_definition(compiler: DDLCompiler, element: AddColumn, fk_names: bool = True) -> str:
    """The column spec of ADD COLUMN, with PRIMARY KEY / REFERENCES inline when asked."""
    spec = compiler.get_column_specification(element.column)
    if element.inline_primary_key and element.column.primary_key:
        spec += " PRIMARY KEY"
    if element.inline_references:
        for fk in sorted(element.column.foreign_keys, key=lambda f: f._get_colspec()):
            spec += " " + inline_reference(compiler, fk, with_name=fk_names)
    return spec


def inline_reference(compiler: DDLCompiler, fk: Any, with_name: bool = True) -> str:
    """``[CONSTRAINT name] REFERENCES t (c) [ON DELETE ..]`` for one ForeignKey of a column."""
    # the target is named by the ForeignKey's own tokens: the referenced table
    # need not exist in this MetaData (ops build throw-away tables)
    schema, table, col = fk._column_tokens
    text = ""
    const = fk.constraint
    name = getattr(const, "name", None)
    if name is not None and with_name:
        text += "CONSTRAINT %s " % compiler.preparer.format_constraint(const)
    text += "REFERENCES %s (%s)" % (
        format_table_name(compiler, table, schema),
        format_column_name(compiler, col),
    )
    if fk.ondelete is not None:
        text += " ON DELETE %s" % compiler.preparer.validate_sql_phrase(fk.ondelete, _FK_PHRASE)
    if fk.onupdate is not None:
        text += " ON UPDATE %s" % compiler.preparer.validate_sql_phrase(fk.onupdate, _FK_PHRASE)
    if fk.deferrable is not None:
        text += " DEFERRABLE" if fk.deferrable else " NOT DEFERRABLE"
    if fk.initially is not None:
        text += " INITIALLY %s" % compiler.preparer.validate_sql_phrase(fk.initially, _INITIALLY)
    return text


import re as _re  # noqa: E402

_FK_PHRASE = _re.compile(r"^(?:RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT)$", _re.I)
_INITIALLY = _re.compile(r"^(?:DEFERRED|IMMEDIATE)$", _re.I)


@compiles(AddColumn)
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s ADD COLUMN %s%s" % (
        alter_table(compiler, element.table_name, element.schema),
        "IF NOT EXISTS " if element.if_not_exists else "",
        column_definition(compiler, element),
    )


@compiles(DropColumn)
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s DROP COLUMN %s%s" % (
        alter_table(compiler, element.table_name, element.schema),
        "IF EXISTS " if element.if_exists else "",
        format_column_name(compiler, element.column.name),
    )


@compiles(ColumnNullable)
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "DROP NOT NULL" if element.nullable else "SET NOT NULL",
    )


@compiles(ColumnType)
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s %s TYPE %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        format_type(compiler, element.type_),
    )


@compiles(ColumnName)
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s RENAME %s TO %s" % (
        alter_table(compiler, element.table_name, element.schema),
        format_column_name(compiler, element.column_name),
        format_column_name(compiler, element.newname),
    )


@compiles(ColumnDefault)
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    return "%s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "SET DEFAULT %s" % format_server_default(compiler, element.default)
        if element.default is not None
        else "DROP DEFAULT",
    )


@compiles(ColumnComment)
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    comment = (
        compiler.sql_compiler.render_literal_value(element.comment, _string_type())
        if element.comment is not None
        else "NULL"
    )
    return "COMMENT ON COLUMN %s.%s IS %s" % (
        format_table_name(compiler, element.table_name, element.schema),
        format_column_name(compiler, element.column_name),
        comment,
    )


@compiles(ComputedColumnDefault)
def _computed_default(element: ComputedColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    raise sa_exc.CompileError(
        'Adding or removing a "computed" construct, e.g. GENERATED ALWAYS AS, '
        "to or from an existing column is not supported by %s; drop and re-add "
        "the column instead (column %r of table %r)"
        % (compiler.dialect.name, element.column_name, element.table_name)
    )


@compiles(IdentityColumnDefault)
def _identity_default(element: IdentityColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    raise sa_exc.CompileError(
        'Adding, removing or modifying an "identity" construct, e.g. GENERATED '
        "AS IDENTITY, to or from an existing column is not supported by %s "
        "(column %r of table %r)" % (compiler.dialect.name, element.column_name, element.table_name)
    )


def _string_type() -> Any:
    from sqlalchemy import String

    return String()
