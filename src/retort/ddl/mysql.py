"""MySQL and MariaDB: CHANGE / MODIFY COLUMN that re-state the column, GET_LOCK.

MySQL cannot alter one attribute of a column: ``MODIFY`` (and ``CHANGE``
for a rename) re-state its whole definition, so the ``existing_*`` hints
fill in what the call does not change.  Without a type there is nothing to
re-state, hence the error naming ``existing_type``.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import (
    CheckConstraint,
    Computed,
    ForeignKeyConstraint,
    Identity,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.ddl import ExecutableDDLElement

from retort.ddl import elements as el
from retort.ddl.impl import DefaultImpl
from retort.util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy import Column, Index
    from sqlalchemy.schema import Constraint

__all__ = ["MySQLImpl", "MariaDBImpl", "MySQLChangeColumn", "MySQLModifyColumn", "MySQLDropConstraint"]


class MySQLChangeColumn(el.AlterColumn):
    """``ALTER TABLE t CHANGE old new <full column definition>``."""

    keyword = "CHANGE"

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        newname: str | None = None,
        type_: Any,
        nullable: bool | None,
        default: Any = None,
        autoincrement: bool | None = None,
        comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        super().__init__(table_name, column_name, schema=schema)
        self.newname = newname if newname is not None else column_name
        self.type_ = type_
        self.nullable = nullable
        self.default = default
        self.autoincrement = autoincrement
        self.comment = comment


class MySQLModifyColumn(MySQLChangeColumn):
    """``ALTER TABLE t MODIFY c <full column definition>``."""

    keyword = "MODIFY"


class MySQLDropConstraint(ExecutableDDLElement):
    """``DROP FOREIGN KEY`` / ``DROP INDEX`` / ``DROP CHECK`` / ``DROP PRIMARY KEY``, with MariaDB's IF EXISTS."""

    inherit_cache = False

    def __init__(self, const: "Constraint", if_exists: bool = False) -> None:
        self.const = const
        self.if_exists = if_exists


class MySQLImpl(DefaultImpl):
    __dialect__ = "mysql"

    transactional_ddl = False
    type_synonyms = DefaultImpl.type_synonyms + ({"BOOL", "TINYINT"}, {"JSON", "LONGTEXT"})
    type_arg_extract = (r"character set ([\w\-_]+)", r"collate ([\w\-_]+)")

    @property
    def _is_mariadb(self) -> bool:
        return bool(getattr(self.dialect, "is_mariadb", False))

    @property
    def supports_index_if_not_exists(self) -> bool:  # type: ignore[override]
        return self._is_mariadb

    def _needs_mariadb(self, what: str, option: str) -> None:
        if not self._is_mariadb:
            raise NotImplementedError(
                f"MySQL has no {what}, so {option}=True cannot be honoured on the 'mysql' "
                f"dialect: drop {option}=True (MariaDB has it: use the 'mariadb' dialect there)"
            )

    # ------------------------------------------------------------------ columns

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
            self._needs_mariadb("ADD COLUMN IF NOT EXISTS", "if_not_exists")
        super().add_column(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
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
        if if_exists:
            self._needs_mariadb("DROP COLUMN IF EXISTS", "if_exists")
        super().drop_column(table_name, column, schema=schema, if_exists=if_exists)

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
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """CHANGE (rename) or MODIFY re-stating the column; a lone default change uses ALTER COLUMN."""
        restate = (
            name is not None
            or nullable is not None
            or type_ is not None
            or autoincrement is not None
            or comment is not False
        )
        if not restate:
            if server_default is not False:
                self._alter_server_default(
                    table_name,
                    column_name,
                    server_default,
                    dict(
                        schema=schema,
                        existing_type=existing_type,
                        existing_nullable=existing_nullable,
                        existing_server_default=existing_server_default,
                        existing_comment=existing_comment,
                    ),
                )
            return
        if type_ is None and existing_type is None:
            what = "rename the column" if name is not None else "change the column"
            raise CommandError(
                f"alter_column({table_name!r}, {column_name!r}): MySQL re-states the whole column "
                f"definition to {what} (CHANGE / MODIFY COLUMN), so it needs the column's type: "
                "pass existing_type= (and existing_nullable=, existing_server_default=, "
                "existing_comment= to keep them)"
            )
        default = server_default if server_default is not False else existing_server_default
        if isinstance(default, (Computed, Identity)):
            raise CommandError(
                f"alter_column({table_name!r}, {column_name!r}): MySQL cannot add or change a "
                "computed / identity default through CHANGE / MODIFY COLUMN"
            )
        cls = MySQLChangeColumn if name is not None else MySQLModifyColumn
        self._exec(
            cls(
                table_name,
                column_name,
                newname=name,
                type_=type_ if type_ is not None else existing_type,
                nullable=nullable if nullable is not None else existing_nullable,
                default=default,
                autoincrement=autoincrement if autoincrement is not None else existing_autoincrement,
                comment=comment if comment is not False else existing_comment,  # type: ignore[arg-type]
                schema=schema,
            )
        )

    # ------------------------------------------------------------------ constraints, indexes

    def drop_constraint(self, const: "Constraint", if_exists: bool | None = None, **kw: Any) -> None:
        if not isinstance(
            const, (ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint, CheckConstraint)
        ):
            raise NotImplementedError(
                f"MySQL has no generic DROP CONSTRAINT: pass type_= ('foreignkey', 'unique', "
                f"'check' or 'primary') to drop constraint {const.name!r}"
            )
        if if_exists:
            self._needs_mariadb("DROP FOREIGN KEY / INDEX / CHECK ... IF EXISTS", "if_exists")
        self._exec(MySQLDropConstraint(const, if_exists=bool(if_exists)))

    def create_index(self, index: "Index", **kw: Any) -> None:
        if kw.get("if_not_exists"):
            self._needs_mariadb("CREATE INDEX IF NOT EXISTS", "if_not_exists")
        super().create_index(index, **kw)

    def drop_index(self, index: "Index", **kw: Any) -> None:
        if kw.get("if_exists"):
            self._needs_mariadb("DROP INDEX IF EXISTS", "if_exists")
        super().drop_index(index, **kw)

    def create_column_comment(self, column: "Column[Any]") -> None:
        # MySQL comments are part of the column definition: re-state it
        table = column.table
        self.alter_column(
            table.name,
            column.name,
            schema=table.schema,
            existing_type=column.type,
            existing_nullable=column.nullable,
            existing_server_default=column.server_default,
            comment=column.comment,
        )

    # ------------------------------------------------------------------ lock

    def _acquire_lock(self, name: str, timeout: float | None) -> None:
        """``GET_LOCK``: held by the session, released by RELEASE_LOCK or disconnect."""
        if name in self._held_locks:
            return
        lock_name = mysql_lock_name(name)
        # GET_LOCK waits server-side; a negative timeout means forever
        wait = -1 if timeout is None else max(0, math.ceil(timeout))
        got = self._run_outside_txn(
            lambda conn: conn.execute(
                text("SELECT GET_LOCK(:name, :timeout)"), {"name": lock_name, "timeout": wait}
            ).scalar()
        )
        if got != 1:
            raise self._lock_timeout(name, timeout)
        self._held_locks[name] = lock_name

    def _release_lock(self, name: str) -> None:
        lock_name = self._held_locks.pop(name, None)
        if lock_name is None:
            return
        self._run_outside_txn(
            lambda conn: conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name})
        )


class MariaDBImpl(MySQLImpl):
    __dialect__ = "mariadb"


def mysql_lock_name(name: str) -> str:
    """MySQL lock names are at most 64 characters: long names keep a hashed suffix."""
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return name[:47] + "_" + digest


# ---------------------------------------------------------------------------
# compilation


@compiles(MySQLChangeColumn, "mysql")
@compiles(MySQLChangeColumn, "mariadb")
def _mysql_change_column(element: MySQLChangeColumn, compiler: Any, **kw: Any) -> str:
    if element.keyword == "CHANGE":
        target = "%s %s" % (
            el.format_column_name(compiler, element.column_name),
            el.format_column_name(compiler, element.newname),
        )
    else:
        target = el.format_column_name(compiler, element.column_name)
    spec = [el.format_type(compiler, element.type_), "NULL" if element.nullable in (None, True) else "NOT NULL"]
    if element.default is not None:
        spec.append("DEFAULT " + el.format_server_default(compiler, element.default))
    if element.autoincrement:
        spec.append("AUTO_INCREMENT")
    if element.comment is not None:
        spec.append("COMMENT " + compiler.sql_compiler.render_literal_value(element.comment, el._string_type()))
    return "%s %s %s %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        element.keyword,
        target,
        " ".join(spec),
    )


@compiles(MySQLDropConstraint, "mysql")
@compiles(MySQLDropConstraint, "mariadb")
def _mysql_drop_constraint(element: MySQLDropConstraint, compiler: Any, **kw: Any) -> str:
    const = element.const
    exists = "IF EXISTS " if element.if_exists else ""
    name = compiler.preparer.format_constraint(const) if const.name is not None else None
    if isinstance(const, PrimaryKeyConstraint):
        # DROP PRIMARY KEY takes no IF EXISTS; MariaDB's key is the index named PRIMARY
        action = f"DROP INDEX {exists}{compiler.preparer.quote('PRIMARY')}" if exists else "DROP PRIMARY KEY"
    else:
        if name is None:
            raise CommandError(f"cannot drop an unnamed constraint from table {const.table.name!r}")
        if isinstance(const, ForeignKeyConstraint):
            action = f"DROP FOREIGN KEY {exists}{name}"
        elif isinstance(const, UniqueConstraint):
            action = f"DROP INDEX {exists}{name}"
        elif getattr(compiler.dialect, "is_mariadb", False):
            action = f"DROP CONSTRAINT {exists}{name}"
        else:
            action = f"DROP CHECK {name}"
    return "ALTER TABLE %s %s" % (compiler.preparer.format_table(const.table), action)


@compiles(el.AddColumn, "mysql")
@compiles(el.AddColumn, "mariadb")
def _mysql_add_column(element: el.AddColumn, compiler: Any, **kw: Any) -> str:
    # a column definition's REFERENCES clause takes no CONSTRAINT name in MySQL
    return "%s ADD COLUMN %s%s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        "IF NOT EXISTS " if element.if_not_exists else "",
        el.column_definition(compiler, element, fk_names=False),
    )


@compiles(el.RenameTable, "mysql")
@compiles(el.RenameTable, "mariadb")
def _mysql_rename_table(element: el.RenameTable, compiler: Any, **kw: Any) -> str:
    # MySQL resolves an unqualified new name in the current database, so keep the schema
    return "%s RENAME TO %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.format_table_name(compiler, element.new_table_name, element.schema),
    )
