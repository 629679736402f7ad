"""MigrationContext: one database (or one ``--sql`` output stream) being migrated.

It owns the connection, the dialect impl, the transactions around migrations,
``autocommit_block()``, the version table and the migration lock.  Running a
plan of steps lives in :mod:`retort.runtime.runner`; the head bookkeeping of
each step in :mod:`retort.runtime.steps`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from sqlalchemy.engine import Connection, Dialect, Engine, make_url

from retort.runtime.steps import MigrationInfo, MigrationStep, RevisionStep, StampStep
from retort.runtime.version_table import ALEMBIC_VERSION_TABLE, DEFAULT_VERSION_TABLE, VersionTable
from retort.util.exc import CommandError

if TYPE_CHECKING:
    from retort.runtime.environment import EnvironmentContext

__all__ = [
    "MigrationContext",
    "MigrationInfo",
    "MigrationStep",
    "RevisionStep",
    "StampStep",
    "DEFAULT_LOCK_TIMEOUT",
]

#: seconds an online upgrade / downgrade / stamp waits for another run's lock
DEFAULT_LOCK_TIMEOUT = 60.0


class MigrationContext:
    """Represent the database state made available to a migration script.

    Build one with :meth:`configure`; inside an ``env.py`` it is built by
    ``EnvironmentContext.configure()`` and reached with ``context.get_context()``
    or ``op.get_context()``.
    """

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        opts: dict[str, Any],
        environment_context: EnvironmentContext | None = None,
    ) -> None:
        self.environment_context = environment_context
        self.opts = opts
        self.dialect = dialect
        self.script = opts.get("script")
        self.as_sql: bool = bool(opts.get("as_sql", False))
        self.literal_binds: bool = bool(opts.get("literal_binds", False))
        if self.literal_binds and not self.as_sql:
            raise CommandError("Can't use literal_binds setting without as_sql mode")
        self.purge: bool = bool(opts.get("purge", False))
        self._transaction_per_migration: bool = bool(opts.get("transaction_per_migration", False))
        self.on_version_apply_callbacks = tuple(opts.get("on_version_apply") or ())
        self._migrations_fn: Callable[..., Any] | None = opts.get("fn")
        self._start_from_rev = opts.get("starting_rev")
        self.output_buffer = opts.get("output_buffer") or sys.stdout
        self._user_compare_type = opts.get("compare_type", True)
        self._user_compare_server_default = opts.get("compare_server_default", False)

        flavor = getattr(self.config, "flavor", None)
        default_table = ALEMBIC_VERSION_TABLE if flavor == "alembic" else DEFAULT_VERSION_TABLE
        self.version_table: str = opts.get("version_table") or default_table
        self.version_table_schema: str | None = opts.get("version_table_schema")
        self.log = logging.getLogger(
            "alembic.runtime.migration" if flavor == "alembic" else "retort.runtime.migration"
        )

        from retort.ddl.impl import impl_for

        # offline, the impl supplies a mock connection that writes every
        # statement to the output, so metadata.create_all(op.get_bind()) works
        self.impl = impl_for(dialect.name)(
            dialect,
            None if self.as_sql else connection,
            self.as_sql,
            opts.get("transactional_ddl"),
            self.output_buffer,
            opts,
        )
        if self.as_sql:
            connection = self.impl.connection
        self.connection = connection
        # a transaction the caller began before handing us the connection is
        # theirs to end: we neither begin nor commit around it
        self._in_external_transaction = bool(
            connection is not None and not self.as_sql and connection.in_transaction()
        )
        self._transaction: Any = None  # the SQLAlchemy transaction we own, if any
        self._savepoint: Any = None  # per-step savepoint inside our outer transaction
        self._step_log: Any = None  # statements of the running step (runner.StepLog)
        self._adopted: Any = None  # begun by autocommit_block() after committing the caller's
        self._lock_depth = 0
        self._lock_name: str | None = None
        self._version = VersionTable(
            self.impl,
            self.version_table,
            self.version_table_schema,
            primary_key=opts.get("version_table_pk", True),
        )

        self.log.info("Context impl %s.", type(self.impl).__name__)
        if self.as_sql:
            self.log.info("Generating static SQL")
        self.log.info(
            "Will assume %s DDL.",
            "transactional" if self.impl.transactional_ddl else "non-transactional",
        )

    @classmethod
    def configure(
        cls,
        connection: Connection | None = None,
        url: Any = None,
        dialect_name: str | None = None,
        dialect: Dialect | None = None,
        environment_context: EnvironmentContext | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        opts: Mapping[str, Any] | None = None,
    ) -> MigrationContext:
        """Create a new MigrationContext.

        :param connection: a :class:`~sqlalchemy.engine.Connection` for online use.
        :param url: a URL (string or ``URL``) whose dialect is used for ``--sql`` output.
        :param dialect_name: a dialect name such as ``"postgresql"`` for ``--sql`` output.
        :param dialect: a ready :class:`~sqlalchemy.engine.Dialect`.
        :param environment_context: the :class:`.EnvironmentContext` owning this context.
        :param dialect_opts: keyword arguments for the dialect built from ``url`` / ``dialect_name``.
        :param opts: context options (``as_sql``, ``output_buffer``, ``literal_binds``,
            ``transactional_ddl``, ``version_table``, ``version_table_schema``,
            ``version_table_pk``, ``transaction_per_migration``, ``starting_rev``, ...).
        """
        opts = dict(opts or {})
        dialect_opts = dict(dialect_opts or {})
        if connection is not None:
            if isinstance(connection, Engine):
                raise CommandError(
                    "'connection' argument to configure() is expected to be a "
                    "sqlalchemy.engine.Connection instance, got an Engine; "
                    "use engine.connect() / engine.begin()"
                )
            dialect = connection.dialect
        elif url is not None:
            dialect = _dialect_for(make_url(url), dialect_opts)
        elif dialect_name is not None:
            dialect = _dialect_for(make_url(f"{dialect_name}://"), dialect_opts)
        elif dialect is None:
            raise CommandError("Connection, url, or dialect_name is required.")
        return cls(dialect, connection, opts, environment_context)

    # -- simple accessors ---------------------------------------------

    @property
    def bind(self) -> Connection | None:
        """Return the current "bind" (the Connection; a mock connection offline)."""
        return self.connection

    @property
    def config(self) -> Any:
        """Return the :class:`.Config` of the environment, if any."""
        env = self.environment_context
        return env.config if env is not None else None

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Execute a SQL construct or string statement through the impl."""
        self.impl._exec(sql, execution_options)

    # -- the version table --------------------------------------------

    def get_current_revision(self) -> str | None:
        """Return the current revision, or None; raise if there are several heads."""
        heads = self.get_current_heads()
        if not heads:
            return None
        if len(heads) > 1:
            raise CommandError(
                f"Version table '{self.version_table}' has more than one head present; "
                "please use get_current_heads()"
            )
        return heads[0]

    def get_current_heads(self) -> tuple[str, ...]:
        """Return the revisions in the version table (offline: from ``starting_rev``)."""
        if self.as_sql:
            start = self._start_from_rev
            if start is None or start == "base":
                return ()
            ids = [start] if isinstance(start, str) else list(start)
            if self.script is not None:
                ids = [self.script.get_revision(i).revision for i in ids if i not in (None, "base")]
            return tuple(ids)
        if self._start_from_rev:
            raise CommandError("Can't specify current_rev to context when using a database connection")
        assert self.connection is not None
        return self._version.read_heads(self.connection)

    def _has_version_table(self) -> bool:
        assert self.connection is not None
        return self._version.exists(self.connection)

    def _ensure_version_table(self) -> None:
        self._version.create(self.connection)

    def stamp(self, script_directory: Any, revision: Any) -> None:
        """Stamp the version table with ``revision`` without running migrations."""
        from retort.runtime.steps import stamp_steps

        saved = self._migrations_fn
        self._migrations_fn = lambda heads, ctx: stamp_steps(script_directory, revision, heads, purge=self.purge)
        try:
            self.run_migrations()
        finally:
            self._migrations_fn = saved

    def run_migrations(self, **kw: Any) -> None:
        """Run the migration steps the command asked for (``fn`` in the options).

        Keyword arguments are passed to each revision's ``upgrade()`` /
        ``downgrade()`` (``engine_name`` in a multidb ``env.py``).
        """
        from retort.runtime.runner import run_steps

        with self._locked():
            run_steps(self, kw)
            if not self._outer_open:
                self._commit_adopted()

    def _commit_adopted(self) -> None:
        adopted, self._adopted = self._adopted, None
        if adopted is not None and adopted is self._transaction:
            self._transaction = None
            if adopted.is_active:
                adopted.commit()

    # -- transactions --------------------------------------------------

    def _in_connection_transaction(self) -> bool:
        return self.connection is not None and not self.as_sql and self.connection.in_transaction()

    def begin_transaction(self, _per_migration: bool = False) -> contextlib.AbstractContextManager[Any]:
        """Begin a logical transaction for migration operations.

        Used as ``with context.begin_transaction(): context.run_migrations()``.
        Online with transactional DDL (and no ``transaction_per_migration``) it
        is a real transaction; in ``--sql`` mode it emits BEGIN / COMMIT;
        otherwise transactions are opened per migration.  An online outer
        block also holds the migration lock, taken before the transaction
        starts so waiting never holds a snapshot open.
        """
        if self.as_sql:
            if self.impl.transactional_ddl and _per_migration == self._transaction_per_migration:
                return self._offline_transaction()
            return contextlib.nullcontext()
        if _per_migration:
            if self._transaction is not None or self._in_external_transaction:
                return contextlib.nullcontext()
            if self.impl.transactional_ddl and not self._transaction_per_migration and self._outer_open:
                return contextlib.nullcontext()
            return self._real_transaction()
        return self._outer_block()

    _outer_open = False

    @contextlib.contextmanager
    def _outer_block(self) -> Iterator[Any]:
        with self._locked():
            real = (
                self.impl.transactional_ddl
                and not self._transaction_per_migration
                and not self._in_external_transaction
                and self._transaction is None
            )
            self._outer_open = True
            if self._in_external_transaction and self.impl.transactional_ddl:
                # the caller's transaction: still make the driver really be in it
                self._driver_begin()
            try:
                if real:
                    with self._real_transaction() as trans:
                        yield trans
                else:
                    yield None
                    self._commit_adopted()
            finally:
                self._outer_open = False

    @contextlib.contextmanager
    def _offline_transaction(self) -> Iterator[None]:
        self.impl.emit_begin()
        yield
        self.impl.emit_commit()

    @contextlib.contextmanager
    def _real_transaction(self) -> Iterator[Any]:
        assert self.connection is not None
        conn = self.connection
        # our own version-table reads may have autobegun a transaction; adopt it
        trans = conn.get_transaction() if conn.in_transaction() else conn.begin()
        self._transaction = trans
        self._driver_begin()
        try:
            yield trans
        except BaseException:
            current = self._transaction
            self._transaction = None
            if current is not None and current.is_active:
                current.rollback()
            raise
        else:
            # autocommit_block() may have swapped the transaction; end the current one
            current = self._transaction
            self._transaction = None
            if current is not None and current.is_active:
                current.commit()

    def _driver_begin(self) -> None:
        """Make the DBAPI connection really be inside a transaction.

        Python's sqlite3 driver (legacy transaction control) only opens a
        transaction before INSERT / UPDATE / DELETE, so DDL would autocommit;
        a driver that reports ``in_transaction`` false while not in autocommit
        gets an explicit BEGIN so that a failed revision's DDL rolls back.
        """
        hook = getattr(self.impl, "begin_transactional_ddl", None)
        if hook is not None:
            hook()
            return
        assert self.connection is not None
        dbapi_conn = self.connection.connection.dbapi_connection
        in_txn = getattr(dbapi_conn, "in_transaction", None)
        if in_txn is False and getattr(dbapi_conn, "isolation_level", None) is not None:
            self.connection.exec_driver_sql("BEGIN")

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run the enclosed operations outside of any transaction (AUTOCOMMIT).

        The transaction in progress is committed first (so everything migrated
        so far is committed), and a new one is begun afterwards.  In ``--sql``
        mode a COMMIT / BEGIN pair is emitted around the block instead.
        """
        if self.as_sql:
            if self.impl.transactional_ddl:
                self.impl.emit_commit()
            yield
            if self.impl.transactional_ddl:
                self.impl.emit_begin()
            return
        assert self.connection is not None
        conn = self.connection
        ours = self._transaction
        if ours is None and self._in_external_transaction:
            raise CommandError(
                "autocommit_block() can't commit the transaction env.py began itself "
                "(engine.begin() / connection.begin() before context.configure()); "
                "use 'with engine.connect() as connection:' and context.begin_transaction()"
            )
        had_transaction = conn.in_transaction()
        if ours is not None and ours.is_active:
            ours.commit()
        elif had_transaction:
            conn.get_transaction().commit()  # type: ignore[union-attr]
        self._savepoint = None  # gone with the commit
        self._mark_committed()
        # get_isolation_level() would query (and autobegin) on some drivers
        current_level = conn.get_execution_options().get("isolation_level") or conn.default_isolation_level
        conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield
        finally:
            if conn.in_transaction():
                # statements in AUTOCOMMIT still autobegin a (no-op) transaction
                # object, which must end before the isolation level can change
                conn.get_transaction().commit()  # type: ignore[union-attr]
            conn.execution_options(isolation_level=current_level)
            self._mark_committed()
            if ours is not None or had_transaction:
                self._transaction = conn.begin()
                self._driver_begin()
                if ours is None:
                    # the caller's transaction was committed above; the one
                    # replacing it is ours to commit when the run ends
                    self._adopted = self._transaction

    def _mark_committed(self) -> None:
        if self._step_log is not None:
            self._step_log.mark_committed()

    # -- the migration lock ---------------------------------------------

    def _lock_wanted(self) -> bool:
        return (
            not self.as_sql
            and self.connection is not None
            and not self.opts.get("dont_mutate")
            and bool(self.opts.get("migration_lock", True))
        )

    @property
    def migration_lock_name(self) -> str:
        """Name of the lock serialising runs against this version table."""
        name = self.opts.get("migration_lock_name")
        if name:
            return str(name)
        table = self._version.qualified_name
        return f"retort:{table}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if not self._lock_wanted() or self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        assert self.connection is not None
        acquire = getattr(self.impl, "acquire_migration_lock", None)
        if acquire is None:  # a third-party impl without locking support
            yield
            return
        timeout = float(self.opts.get("migration_lock_timeout") or DEFAULT_LOCK_TIMEOUT)
        name = self.migration_lock_name
        was_in_transaction = self.connection.in_transaction()
        acquire(name, timeout)
        if not was_in_transaction and self.connection.in_transaction():
            # the lock is session-level; end the transaction its query autobegan
            # so that heads read next are read in a fresh snapshot
            self.connection.commit()
        self._lock_name = name
        self._lock_depth = 1
        try:
            yield
        except BaseException:
            self._release_lock(name, quiet=True)
            raise
        else:
            self._release_lock(name, quiet=False)

    def _release_lock(self, name: str, *, quiet: bool) -> None:
        self._lock_depth = 0
        self._lock_name = None
        assert self.connection is not None
        conn = self.connection
        outside = not conn.in_transaction()
        try:
            self.impl.release_migration_lock(name)
            if outside and conn.in_transaction():
                conn.commit()
        except Exception:
            # while another error propagates, don't mask it: a session-level
            # lock is released anyway when the connection closes
            if not quiet:
                raise
            self.log.warning("could not release migration lock %s", name, exc_info=True)


def _dialect_for(url: Any, dialect_opts: dict[str, Any]) -> Dialect:
    """The dialect a URL names; an unknown name gets retort's error listing the known ones."""
    from sqlalchemy.exc import NoSuchModuleError

    try:
        return url.get_dialect()(**dialect_opts)
    except NoSuchModuleError:
        from retort.ddl.impl import known_dialects
        from retort.util.exc import UnknownDialectError

        known = known_dialects()
        if url.get_backend_name() in known:
            raise  # a known database with a missing driver: SQLAlchemy's message names it
        raise UnknownDialectError(url.get_backend_name(), known) from None
