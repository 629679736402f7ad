"""SQLite: what its small ALTER TABLE can do, when batch must recreate, a lock file.

SQLite's ALTER TABLE knows RENAME TO, RENAME COLUMN, ADD COLUMN and (3.35+)
DROP COLUMN.  Everything else raises NotImplementedError pointing at batch
mode (``op.batch_alter_table``), which rebuilds the table by move-and-copy.
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Computed, DefaultClause
from sqlalchemy.sql.elements import ClauseElement

from retort.ddl import elements as el
from retort.ddl.impl import DefaultImpl, _should_create
from retort.util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.schema import Constraint

__all__ = ["SQLiteImpl"]


def _batch_hint(table_name: str) -> str:
    return (
        f"use batch mode instead: `with op.batch_alter_table({table_name!r}) as batch_op: ...` "
        "rebuilds the table by move-and-copy"
    )


class SQLiteImpl(DefaultImpl):
    __dialect__ = "sqlite"

    transactional_ddl = True

    def __init__(
        self,
        dialect: Any,
        connection: Any,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: Any,
        context_opts: Any,
    ) -> None:
        super().__init__(dialect, connection, as_sql, transactional_ddl, output_buffer, context_opts)
        if as_sql and transactional_ddl is None:
            # online, retort begins a real transaction so a failed revision's DDL
            # rolls back; a --sql script is Alembic's: no BEGIN / COMMIT around it
            self.transactional_ddl = False

    # batch ops SQLite can run as plain ALTERs without rebuilding the table
    _no_recreate_ops = frozenset({"add_column", "create_index", "drop_index", "rename_table"})

    def _sqlite_version(self) -> tuple[int, ...]:
        info = getattr(self.dialect, "dbapi_server_version_info", None) or getattr(
            self.dialect, "server_version_info", None
        )
        return tuple(info) if info else sqlite3.sqlite_version_info

    # ------------------------------------------------------------------ batch

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """True unless every recorded batch op is one SQLite's ALTER TABLE can do.

        ``batch_op`` is the BatchOperationsImpl; ``batch_op.batch`` its recorded ``(opname, args, kw)``.
        """
        recorded = getattr(batch_op, "batch", None)
        if recorded is None:
            return True
        for opname, args, kw in recorded:
            if opname not in self._no_recreate_ops:
                return True
            if opname == "add_column":
                column = args[1] if len(args) > 1 else kw.get("column")
                if kw.get("insert_before") or kw.get("insert_after"):
                    return True
                if column is None or not _addable_column(column, bool(kw.get("inline_references"))):
                    return True
        return False

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
        if inline_primary_key and column.primary_key:
            raise NotImplementedError(
                f"SQLite cannot ALTER TABLE {table_name!r} ADD a PRIMARY KEY column "
                f"({column.name!r}); {_batch_hint(table_name)}"
            )
        if isinstance(column.server_default, Computed) and column.server_default.persisted:
            raise NotImplementedError(
                f"SQLite cannot ADD a STORED generated column ({column.name!r}) to "
                f"{table_name!r}; {_batch_hint(table_name)}"
            )
        if if_not_exists:
            # SQLite has no ADD COLUMN IF NOT EXISTS; online we can look first
            if self.as_sql:
                raise NotImplementedError(
                    "SQLite has no ADD COLUMN IF NOT EXISTS, and offline (--sql) output "
                    "cannot look at the table first; drop if_not_exists=True"
                )
            if self._has_column(table_name, column.name, schema):
                return
        self._exec(el.AddColumn(table_name, column, schema=schema, inline_references=inline_references))

    def drop_column(
        self,
        table_name: str,
        column: "Column[Any]",
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        if self._sqlite_version() < (3, 35):
            raise NotImplementedError(
                f"SQLite {'.'.join(map(str, self._sqlite_version()))} cannot DROP COLUMN "
                f"(needs 3.35+); {_batch_hint(table_name)}"
            )
        if if_exists:
            if self.as_sql:
                raise NotImplementedError(
                    "SQLite has no DROP COLUMN IF EXISTS, and offline (--sql) output "
                    "cannot look at the table first; drop if_exists=True"
                )
            if not self._has_column(table_name, column.name, schema):
                return
        try:
            self._exec(el.DropColumn(table_name, column, schema=schema))
        except sa_exc.OperationalError as err:
            # SQLite refuses to drop a key / unique / indexed / referenced column
            message = str(err.orig)
            if "cannot drop" in message or "after drop column" in message:
                raise NotImplementedError(
                    f"SQLite cannot DROP COLUMN {column.name!r} of table {table_name!r} "
                    f"({message}); {_batch_hint(table_name)}"
                ) from err
            raise

    def _has_column(self, table_name: str, column_name: str, schema: str | None) -> bool:
        prefix = f"{self.dialect.identifier_preparer.quote_schema(schema)}." if schema else ""
        table = self.dialect.identifier_preparer.quote(table_name)

        def look(conn: Any) -> bool:
            rows = conn.execute(text(f"PRAGMA {prefix}table_info({table})")).fetchall()
            return any(row[1] == column_name for row in rows)

        return bool(self._run_outside_txn(look))

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
        """Only a rename is possible in place; anything else needs batch mode.

        ``autoincrement`` is not a change SQLite can make or needs (a rowid
        alias increments by itself): like every non-MySQL dialect it only warns.
        """
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn("autoincrement and existing_autoincrement only make sense for MySQL", stacklevel=3)
        changes = [
            label
            for label, changed in (
                ("nullable", nullable is not None),
                ("server_default", server_default is not False),
                ("type_", type_ is not None),
                ("comment", comment is not False),
            )
            if changed
        ]
        if changes:
            raise NotImplementedError(
                f"SQLite cannot ALTER COLUMN {column_name!r} of table {table_name!r} to change "
                f"{', '.join(changes)}; {_batch_hint(table_name)}"
            )
        if name is not None:
            if self._sqlite_version() < (3, 25):
                raise NotImplementedError(
                    f"SQLite {'.'.join(map(str, self._sqlite_version()))} cannot RENAME COLUMN "
                    f"(needs 3.25+); {_batch_hint(table_name)}"
                )
            self._exec(el.ColumnName(table_name, column_name, name, schema=schema))

    # ------------------------------------------------------------------ constraints, comments

    def add_constraint(self, const: "Constraint", **kw: Any) -> None:
        if _should_create(const, self):
            raise NotImplementedError(
                "SQLite has no ALTER TABLE ADD CONSTRAINT (constraint "
                f"{const.name!r} on table {_table_name(const)!r}); {_batch_hint(_table_name(const))}"
            )

    def drop_constraint(self, const: "Constraint", if_exists: bool | None = None, **kw: Any) -> None:
        raise NotImplementedError(
            "SQLite has no ALTER TABLE DROP CONSTRAINT (constraint "
            f"{const.name!r} on table {_table_name(const)!r}); {_batch_hint(_table_name(const))}"
        )

    def create_table_comment(self, table: "Table") -> None:
        raise NotImplementedError(f"SQLite does not store table comments (table {table.name!r})")

    def drop_table_comment(self, table: "Table") -> None:
        raise NotImplementedError(f"SQLite does not store table comments (table {table.name!r})")

    def create_column_comment(self, column: "Column[Any]") -> None:
        raise NotImplementedError(f"SQLite does not store column comments (column {column.name!r})")

    # ------------------------------------------------------------------ lock

    def _lock_path(self, name: str) -> str | None:
        conn = self.connection
        url = getattr(getattr(conn, "engine", None), "url", None)
        database = url.database if url is not None else None
        if not database or database == ":memory:" or "mode=memory" in database:
            return None
        if database.startswith("file:"):
            database = database[5:].split("?", 1)[0]
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
        return f"{os.path.abspath(database)}.{safe}.lock"

    def _acquire_lock(self, name: str, timeout: float | None) -> None:
        """Hold an exclusive lock on a file beside the database (no-op for :memory:)."""
        path = self._lock_path(name)
        if path is None or name in self._held_locks:
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise CommandError(
                f"cannot create the migration lock file {path!r} beside the SQLite database: {err}"
            ) from err

        def try_once() -> bool:
            return _try_lock_fd(fd)

        try:
            self._poll_lock(name, timeout, try_once)
        except BaseException:
            os.close(fd)
            raise
        self._held_locks[name] = fd

    def _release_lock(self, name: str) -> None:
        fd = self._held_locks.pop(name, None)
        if fd is None:
            return
        _unlock_fd(fd)
        os.close(fd)


def _try_lock_fd(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        # flock locks belong to the open file description, so a second
        # acquire in the same process (another context) also waits
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _table_name(const: Any) -> str:
    table = getattr(const, "table", None)
    return getattr(table, "name", "?")


def _addable_column(column: Any, inline_references: bool = False) -> bool:
    """Whether SQLite's ADD COLUMN can add this column as it stands."""
    if column.primary_key or column.unique:
        return False
    default = column.server_default
    if isinstance(default, Computed):
        return not default.persisted
    if isinstance(default, DefaultClause) and isinstance(default.arg, ClauseElement):
        # an expression default: SQLite only accepts constants in ADD COLUMN
        return False
    if column.foreign_keys and not inline_references:
        return False
    return not column.constraints


@compiles(el.ColumnName, "sqlite")
def _sqlite_column_name(element: el.ColumnName, compiler: Any, **kw: Any) -> str:
    return "%s RENAME COLUMN %s TO %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.format_column_name(compiler, element.column_name),
        el.format_column_name(compiler, element.newname),
    )
