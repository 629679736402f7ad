"""DefaultImpl: turn DDL acts into SQL on a connection or into ``--sql`` text.

One method per DDL act (Alembic-compatible names and signatures); dialects
subclass it in ``retort/ddl/<dialect>.py`` and register by ``__dialect__``.
:func:`impl_for` finds the class for a dialect name, importing the built-in
dialect modules on first use so that ``import retort`` stays cheap.

What callers rely on:

- offline (``as_sql``) with ``connection=None``, the impl supplies a mock
  connection whose statements land in the output (DDL events such as
  PostgreSQL's CREATE TYPE for an Enum need one);
- ``requires_recreate_in_batch(batch_op)`` reads ``batch_op.batch``, the
  recorded ``(opname, args, kw)`` tuples;
- ``acquire_migration_lock`` / ``release_migration_lock`` are session-level,
  commit only a transaction their own query began, and are no-ops offline.
"""

from __future__ import annotations

import importlib
import json
import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping, Sequence, TextIO

from sqlalchemy import JSON, Column, MetaData, PrimaryKeyConstraint, String, Table, literal_column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import (
    AddConstraint,
    Computed,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    DropTableComment,
    Identity,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.elements import BindParameter, ClauseElement

from retort.ddl import elements as el
from retort.ddl.compare import ComparisonHooks, ComparisonResult
from retort.util.exc import CommandError, MigrationLockTimeout, UnknownDialectError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.schema import Constraint, Index

__all__ = ["ComparisonResult", "DefaultImpl", "impl_for", "known_dialects", "literal_bindparam"]

_impls: dict[str, type["DefaultImpl"]] = {}

# module per built-in dialect; imported on the first lookup, not at import time
_BUILTIN_DIALECT_MODULES = ("sqlite", "postgresql", "mysql", "mssql", "oracle")
_builtins_loaded = False


def _load_builtin_dialects() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    # the flag is set only once every module is in: a second thread meanwhile
    # simply imports again (Python's import lock makes that safe and cheap)
    for mod in _BUILTIN_DIALECT_MODULES:
        importlib.import_module(f"retort.ddl.{mod}")
    _builtins_loaded = True


def impl_for(dialect_name: str) -> type["DefaultImpl"]:
    """Return the DefaultImpl subclass registered for ``dialect_name``.

    :raises UnknownDialectError: listing every dialect retort knows.
    """
    _load_builtin_dialects()
    try:
        return _impls[dialect_name]
    except KeyError:
        raise UnknownDialectError(dialect_name, known_dialects()) from None


def known_dialects() -> list[str]:
    """Every dialect name with a registered implementation."""
    _load_builtin_dialects()
    return sorted(name for name in _impls if name != "default")


class literal_bindparam(BindParameter[Any]):
    """A bound value that always renders inline as an escaped literal in ``--sql`` output."""

    inherit_cache = True


def _render_literal_bindparam(element: literal_bindparam, compiler: Any, **kw: Any) -> str:
    return compiler.render_literal_bindparam(element, **kw)


# registered here rather than in elements.py: it is a data construct, not DDL
compiles(literal_bindparam)(_render_literal_bindparam)


class DefaultImpl(ComparisonHooks):
    """Emit DDL for one dialect, to a live connection or to an offline buffer.

    :param dialect: the SQLAlchemy Dialect SQL is compiled for.
    :param connection: a Connection (online) or None / a mock connection (offline).
    :param as_sql: write SQL text to ``output_buffer`` instead of executing.
    :param transactional_ddl: override the dialect's default; None keeps it.
    :param output_buffer: where offline SQL goes (a text stream).
    :param context_opts: the MigrationContext options (``literal_binds``, ...).
    """

    __dialect__: ClassVar[str] = "default"

    #: DDL runs inside a transaction and rolls back with it
    transactional_ddl: bool = False
    #: appended to every offline statement
    command_terminator: str = ";"
    #: written on its own line after every offline statement (MSSQL ``GO``, Oracle ``/``)
    batch_separator: str | None = None
    #: what ``emit_begin()`` writes offline
    begin_statement: str = "BEGIN"
    commit_statement: str = "COMMIT"
    #: the database understands CREATE INDEX IF NOT EXISTS
    supports_index_if_not_exists: bool = True

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" in cls.__dict__:
            _impls[cls.__dialect__] = cls

    def __init__(
        self,
        dialect: "Dialect",
        connection: "Connection | None",
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: TextIO | None,
        context_opts: Mapping[str, Any] | None,
    ) -> None:
        self.dialect = dialect
        self.as_sql = bool(as_sql)
        self.context_opts = dict(context_opts or {})
        self.literal_binds = bool(self.context_opts.get("literal_binds", False))
        self.output_buffer = output_buffer
        # per-run scratch space SQLAlchemy's DDL events use (e.g. PG ENUM "already created")
        self.memo: dict[Any, Any] = {}
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        if self.literal_binds and not self.as_sql:
            raise CommandError("literal_binds can only be used in offline (as_sql) mode")
        if self.as_sql and connection is None:
            # DDL events (CREATE TYPE for an Enum, ...) need something to execute on;
            # a mock connection routes them into the offline output
            from sqlalchemy.engine.mock import MockConnection

            connection = MockConnection(dialect, self._mock_execute)  # type: ignore[arg-type]
        self.connection = connection
        self._held_locks: dict[str, Any] = {}

    @classmethod
    def get_by_dialect(cls, dialect: "Dialect") -> type["DefaultImpl"]:
        """Return the implementation class for a SQLAlchemy dialect."""
        return impl_for(dialect.name)

    @property
    def bind(self) -> "Connection | None":
        return self.connection

    @property
    def supports_comments(self) -> bool:
        return bool(getattr(self.dialect, "supports_comments", False))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} dialect={self.dialect.name!r} as_sql={self.as_sql}>"

    # ------------------------------------------------------------------ output

    def static_output(self, text: str) -> None:
        """Write ``text`` and a blank line to the offline output."""
        if self.output_buffer is None:
            raise CommandError("no output buffer: static_output() needs as_sql mode")
        self.output_buffer.write(text + "\n\n")
        flush = getattr(self.output_buffer, "flush", None)
        if flush is not None:
            flush()

    def _emit_statement(self, sql: str) -> None:
        self.static_output(sql.replace("\t", "    ").strip() + self.command_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def emit_begin(self) -> None:
        """Write the dialect's BEGIN statement to the offline output."""
        self.static_output(self.begin_statement + self.command_terminator)

    def emit_commit(self) -> None:
        """Write the dialect's COMMIT statement to the offline output."""
        self._emit_statement(self.commit_statement)

    def start_migrations(self) -> None:
        """Hook run once before the first migration step; nothing by default."""

    def _mock_execute(self, construct: Any, *multiparams: Any, **params: Any) -> None:
        self._exec(construct)

    def _compile(self, construct: ClauseElement, literal_binds: bool = False) -> str:
        compile_kw: dict[str, Any] = {}
        if (literal_binds or self.literal_binds) and not isinstance(construct, ExecutableDDLElement):
            # columns keep their table qualifier: "WHERE a.id = b.a_id" must not
            # become the ambiguous "WHERE id = a_id" (only DDL drops qualifiers)
            compile_kw = {"compile_kwargs": {"literal_binds": True}}
        sql = str(construct.compile(dialect=self.dialect, **compile_kw))
        preparer = self.dialect.identifier_preparer
        if getattr(preparer, "_double_percents", False):
            # pyformat drivers need %% on the wire; a SQL script for psql / mysql
            # must say what it means, so every doubled percent is undone
            sql = sql.replace("%%", "%")
        return sql

    def _exec(
        self,
        construct: Any,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        literal_binds: bool = False,
    ) -> Any:
        """Execute ``construct`` (a string becomes ``text()``) or write it offline."""
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise TypeError("Execution arguments are not allowed in as_sql (offline) mode")
            self._emit_statement(self._compile(construct, literal_binds=literal_binds))
            return None
        if self.connection is None:
            raise CommandError("no database connection: online execution needs a connection")
        if multiparams and params:
            raise TypeError("pass either multiparams or params, not both")
        # per-statement options: Connection.execution_options() would change the
        # connection itself in SQLAlchemy 2.x and leak into later statements
        options = dict(execution_options or {})
        if multiparams:
            return self.connection.execute(construct, list(multiparams), execution_options=options)
        return self.connection.execute(construct, dict(params) if params else None, execution_options=options)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> Any:
        """Execute a SQL string or SQLAlchemy construct (offline: write it)."""
        return self._exec(sql, execution_options)

    # ------------------------------------------------------------------ tables

    def create_table(self, table: Table, if_not_exists: bool | None = None, **kw: Any) -> None:
        """CREATE TABLE, its indexes, and its comments where they are separate statements."""
        table.dispatch.before_create(table, self.connection, checkfirst=False, _ddl_runner=self)
        opts = {"if_not_exists": True} if if_not_exists else {}
        self._exec(CreateTable(table, **opts))
        table.dispatch.after_create(table, self.connection, checkfirst=False, _ddl_runner=self)
        # IF NOT EXISTS on the indexes too, so that re-running the op is harmless
        ix_kw = opts if self.supports_index_if_not_exists else {}
        for index in _sorted_indexes(table.indexes):
            self._exec(CreateIndex(index, **ix_kw))
        if self.supports_comments and not getattr(self.dialect, "inline_comments", False):
            if table.comment:
                self.create_table_comment(table)
            for column in table.columns:
                if column.comment:
                    self.create_column_comment(column)

    def drop_table(self, table: Table, if_exists: bool | None = None, **kw: Any) -> None:
        """DROP TABLE, with SQLAlchemy's before/after drop events (e.g. PG ENUM types)."""
        table.dispatch.before_drop(table, self.connection, checkfirst=False, _ddl_runner=self)
        opts = {"if_exists": True} if if_exists else {}
        self._exec(DropTable(table, **opts))
        table.dispatch.after_drop(table, self.connection, checkfirst=False, _ddl_runner=self)

    def rename_table(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        """ALTER TABLE old RENAME TO new."""
        self._exec(el.RenameTable(old_table_name, new_table_name, schema=schema))

    def create_table_comment(self, table: Table) -> None:
        self._exec(SetTableComment(table))

    def drop_table_comment(self, table: Table) -> None:
        self._exec(DropTableComment(table))

    def create_column_comment(self, column: Column[Any]) -> None:
        self._exec(SetColumnComment(column))

    # ------------------------------------------------------------------ columns

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        """ALTER TABLE .. ADD COLUMN.

        The column's constraints are the caller's job, except that
        ``inline_references`` renders its ForeignKeys as ``REFERENCES`` and
        ``inline_primary_key`` renders ``PRIMARY KEY`` inside the statement.
        """
        self._exec(
            el.AddColumn(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    def drop_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """ALTER TABLE .. DROP COLUMN."""
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
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """Alter one column: one ANSI statement per changed attribute, rename last."""
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn("autoincrement and existing_autoincrement only make sense for MySQL", stacklevel=3)
        hints = dict(
            schema=schema,
            existing_type=existing_type,
            existing_nullable=existing_nullable,
            existing_server_default=existing_server_default,
            existing_comment=existing_comment,
        )
        if nullable is not None:
            self._exec(el.ColumnNullable(table_name, column_name, nullable, **hints))
        if server_default is not False:
            self._alter_server_default(table_name, column_name, server_default, hints)
        if type_ is not None:
            self._exec(el.ColumnType(table_name, column_name, type_, **hints))
        if comment is not False:
            self._exec(el.ColumnComment(table_name, column_name, comment, **hints))  # type: ignore[arg-type]
        # renamed last: every statement above names the column by its old name
        if name is not None:
            self._exec(el.ColumnName(table_name, column_name, name, **hints))

    def _alter_server_default(
        self, table_name: str, column_name: str, server_default: Any, hints: dict[str, Any]
    ) -> None:
        existing = hints["existing_server_default"]
        if isinstance(server_default, Computed) or isinstance(existing, Computed):
            self._exec(el.ComputedColumnDefault(table_name, column_name, server_default, **hints))
        elif isinstance(server_default, Identity) or isinstance(existing, Identity):
            self._exec(
                el.IdentityColumnDefault(table_name, column_name, server_default, impl=self, **hints)
            )
        else:
            self._exec(el.ColumnDefault(table_name, column_name, server_default, **hints))

    # ------------------------------------------------------------------ constraints, indexes

    def add_constraint(self, const: "Constraint", **kw: Any) -> None:
        """ALTER TABLE .. ADD CONSTRAINT, unless the constraint's create rule says no."""
        if _should_create(const, self):
            self._exec(AddConstraint(const, **_ADD_CONSTRAINT_KW))

    def drop_constraint(self, const: "Constraint", if_exists: bool | None = None, **kw: Any) -> None:
        """ALTER TABLE .. DROP CONSTRAINT [IF EXISTS]."""
        if if_exists and not _DROP_CONSTRAINT_HAS_IF_EXISTS:
            self._exec(el.DropConstraintIfExists(const))
            return
        opts = {"if_exists": True} if if_exists else {}
        self._exec(DropConstraint(const, **opts))

    def create_index(self, index: "Index", **kw: Any) -> None:
        """CREATE INDEX (``if_not_exists`` honoured; dialect options live on the Index)."""
        opts = {"if_not_exists": True} if kw.get("if_not_exists") else {}
        self._exec(CreateIndex(index, **opts))

    def drop_index(self, index: "Index", **kw: Any) -> None:
        """DROP INDEX (``if_exists`` honoured)."""
        opts = {"if_exists": True} if kw.get("if_exists") else {}
        self._exec(DropIndex(index, **opts))

    # ------------------------------------------------------------------ data

    def bulk_insert(
        self, table: Any, rows: list[dict[str, Any]], multiinsert: bool = True
    ) -> None:
        """INSERT rows; offline, one INSERT per row with the values inline."""
        if not isinstance(rows, list):
            raise TypeError("bulk_insert: 'rows' must be a list of dictionaries")
        if rows and not isinstance(rows[0], dict):
            raise TypeError("bulk_insert: 'rows' must be a list of dictionaries")
        if not rows:
            return
        if self.as_sql:
            for row in rows:
                # an offline script has nowhere to send parameters: every value inline
                self._exec(
                    table.insert().inline().values(**self._literal_row(table, row)), literal_binds=True
                )
        elif multiinsert:
            self._exec(table.insert().inline(), multiparams=rows)
        else:
            for row in rows:
                self._exec(table.insert().inline().values(**row))

    #: how a bytes value is written inline; ``{hex}`` is its hexadecimal digits
    binary_literal_format: str = "X'{hex}'"

    def _literal_row(self, table: Any, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row's values as SQL that renders inline, escaped for this dialect."""
        out: dict[str, Any] = {}
        for key, value in row.items():
            col = table.c[key] if key in table.c else None
            type_ = col.type if col is not None else None
            if type_ is not None and type_._isnull:
                # an untyped sa.column(): let the Python value pick the literal's type
                type_ = None
            if isinstance(value, ClauseElement):
                out[key] = value
            elif isinstance(value, (bytes, bytearray, memoryview)):
                # bytes never go into a quoted string: a NUL or quote would corrupt the script
                out[key] = literal_column(self.binary_literal_format.format(hex=bytes(value).hex()))
            elif value is not None and isinstance(type_, JSON):
                # SQLAlchemy has no inline form for JSON; the document as a string is what
                # every JSON column accepts on INSERT
                out[key] = literal_bindparam(key, json.dumps(value), type_=String())
            else:
                out[key] = literal_bindparam(key, value, type_=type_)
        return out

    # ------------------------------------------------------------------ batch

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """Whether batch mode must move-and-copy; only SQLite ever needs to."""
        return False

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Hook run on the existing table before batch move-and-copy; nothing by default."""

    # ------------------------------------------------------------------ version table

    def version_table_impl(
        self,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> Table:
        """Return the Table object for the version table."""
        vt = Table(
            version_table,
            MetaData(),
            Column("version_num", String(32), nullable=False),
            schema=version_table_schema,
        )
        if version_table_pk:
            vt.append_constraint(PrimaryKeyConstraint("version_num", name=f"{version_table}_pkc"))
        return vt

    # ------------------------------------------------------------------ migration lock

    def acquire_migration_lock(self, name: str, timeout: float | None) -> None:
        """Take the cross-process migration lock ``name``, waiting up to ``timeout`` seconds.

        A no-op offline and on dialects without a lock primitive.

        :raises MigrationLockTimeout: when another process holds it for longer.
        """
        if self.as_sql or self.connection is None:
            return
        self._acquire_lock(name, timeout)

    def release_migration_lock(self, name: str) -> None:
        """Release a lock taken by :meth:`acquire_migration_lock`; no-op if not held."""
        if self.as_sql or self.connection is None:
            return
        self._release_lock(name)

    def _acquire_lock(self, name: str, timeout: float | None) -> None:
        """Dialects with a lock primitive override this; default: no lock."""

    def _release_lock(self, name: str) -> None:
        """Dialects with a lock primitive override this."""

    def _poll_lock(self, name: str, timeout: float | None, try_once: Callable[[], bool]) -> None:
        """Call ``try_once`` until it returns True or ``timeout`` seconds pass."""
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        delay = 0.05
        while not try_once():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise self._lock_timeout(name, timeout)
            wait = delay if deadline is None else min(delay, max(deadline - now, 0.0))
            time.sleep(wait)
            delay = min(delay * 2, 0.5)

    @staticmethod
    def _lock_timeout(name: str, timeout: float | None) -> MigrationLockTimeout:
        return MigrationLockTimeout(
            f"could not acquire the migration lock {name!r} within {timeout} seconds: "
            "another process is running migrations on this database; "
            "retry later or raise the lock timeout",
            lock_name=name,
            timeout=timeout,
        )

    def _run_outside_txn(self, fn: Callable[["Connection"], Any]) -> Any:
        """Run ``fn(connection)``; commit the implicit transaction it began, if any.

        Session-level locks survive the commit, and leaving an autobegun
        transaction open would make the caller's ``begin()`` fail.
        """
        conn = self.connection
        assert conn is not None
        was_in_txn = conn.in_transaction()
        result = fn(conn)
        if not was_in_txn and conn.in_transaction():
            conn.commit()
        return result


def _accepts_if_exists(cls: type) -> bool:
    import inspect

    return "if_exists" in inspect.signature(cls.__init__).parameters


# SQLAlchemy versions differ on whether DropConstraint takes if_exists
_DROP_CONSTRAINT_HAS_IF_EXISTS = _accepts_if_exists(DropConstraint)

# AddConstraint(isolate_from_table=False) (SQLAlchemy 2.1) leaves the constraint
# object untouched, so the same object can be added again (an op invoked twice)
_ADD_CONSTRAINT_KW: dict[str, Any] = (
    {"isolate_from_table": False}
    if "isolate_from_table" in __import__("inspect").signature(AddConstraint.__init__).parameters
    else {}
)


def _should_create(const: Any, impl: Any) -> bool:
    """Apply a constraint's create rule (Boolean / Enum CHECKs are dialect-dependent).

    The rule SQLAlchemy's own AddConstraint installs ("already added, don't
    render inline") is not a reason to skip an explicit add.
    """
    rule = getattr(const, "_create_rule", None)
    if rule is None or getattr(rule, "__name__", "") == "_create_rule_disable":
        return True
    return bool(rule(impl))


def _sorted_indexes(indexes: Iterable["Index"]) -> list["Index"]:
    # Table.indexes is a set; offline output must not depend on hash order
    return sorted(indexes, key=lambda ix: (str(ix.name or ""), [str(getattr(c, "name", c)) for c in ix.expressions]))


# the base implementation is what an unnamed dialect gets via get_by_dialect fallbacks
_impls["default"] = DefaultImpl
