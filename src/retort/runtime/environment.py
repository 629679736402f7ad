"""EnvironmentContext: what an ``env.py`` sees as ``retort.context``.

A command builds one with the options of its run (``fn``, ``as_sql``,
``starting_rev``, ``destination_rev``, ``tag``, ...), enters it (which puts
it behind the ``retort.context`` proxy and aliases ``alembic`` imports to
retort), then runs ``env.py``; ``env.py`` calls :meth:`configure` and
:meth:`run_migrations`.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Mapping, Sequence, TextIO

from retort.runtime.migration import MigrationContext
from retort.util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

__all__ = ["EnvironmentContext", "current_environment"]

#: the EnvironmentContext of the run in progress (per thread / task), behind retort.context
_current: contextvars.ContextVar[EnvironmentContext | None] = contextvars.ContextVar(
    "retort_environment_context", default=None
)


#: every entered context, newest last: the fallback for code running where the
#: ContextVar was not carried over (a new thread or greenlet started by env.py)
_entered: list[EnvironmentContext] = []


def current_environment() -> EnvironmentContext | None:
    """Return the EnvironmentContext installed by the innermost ``with`` block, if any."""
    env = _current.get()
    if env is None and _entered:
        return _entered[-1]
    return env


def _to_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return (value,)


class EnvironmentContext:
    """A configurational facade made available in an ``env.py`` script.

    :param config: the :class:`retort.config.Config`.
    :param script: the :class:`retort.script.ScriptDirectory`.
    :param kw: options of the command's run, merged into the MigrationContext
        options (``fn``, ``as_sql``, ``starting_rev``, ``destination_rev``,
        ``tag``, ``purge``, ``dont_mutate``, ``template_args``, ...).
    """

    _migration_context: MigrationContext | None = None

    def __init__(self, config: Any, script: Any, **kw: Any) -> None:
        self.config = config
        self.script = script
        self.context_opts: dict[str, Any] = kw
        self._tokens: list[contextvars.Token[Any]] = []
        self._aliases: list[Any] = []

    def __enter__(self) -> EnvironmentContext:
        """Install this context behind ``retort.context`` (and ``alembic`` imports)."""
        from retort.runtime.alembic_alias import alembic_alias

        self._tokens.append(_current.set(self))
        _entered.append(self)
        alias = alembic_alias()
        alias.__enter__()
        self._aliases.append(alias)
        return self

    def __exit__(self, *exc: Any) -> None:
        alias = self._aliases.pop()
        try:
            alias.__exit__(*exc)
        finally:
            _current.reset(self._tokens.pop())
            for i in range(len(_entered) - 1, -1, -1):
                if _entered[i] is self:
                    del _entered[i]
                    break

    # -- what the command asked for ----------------------------------------

    def is_offline_mode(self) -> bool:
        """Return True if the current migrations environment is running in "offline" (--sql) mode."""
        return bool(self.context_opts.get("as_sql", False))

    def is_transactional_ddl(self) -> bool:
        """Return True if the context is configured to expect a transactional DDL capable backend."""
        return bool(self.get_context().impl.transactional_ddl)

    def requires_connection(self) -> bool:
        return not self.is_offline_mode()

    def get_head_revision(self) -> str | tuple[str, ...] | None:
        """Return the hex identifier of the 'head' script revision."""
        return self.script.as_revision_number("head")

    def get_head_revisions(self) -> str | tuple[str, ...] | None:
        """Return the hex identifier of the 'heads' script revision(s)."""
        return self.script.as_revision_number("heads")

    def get_starting_revision_argument(self) -> str | tuple[str, ...] | None:
        """Return the 'starting revision' argument, if the revision was passed using ``start:end``."""
        if self._migration_context is not None:
            return self.script.as_revision_number(self.get_context()._start_from_rev)
        if "starting_rev" in self.context_opts:
            return self.script.as_revision_number(self.context_opts["starting_rev"])
        raise CommandError("No starting revision argument is available.")

    def get_revision_argument(self) -> str | tuple[str, ...] | None:
        """Get the 'destination' revision argument (``head``, an id, ...)."""
        return self.script.as_revision_number(self.context_opts["destination_rev"])

    def get_tag_argument(self) -> str | None:
        """Return the value passed for the ``--tag`` argument, if any."""
        return self.context_opts.get("tag", None)

    def get_x_argument(self, as_dictionary: bool = False) -> Any:
        """Return the value(s) passed for the ``-x`` argument, if any.

        :param as_dictionary: return ``{key: value}`` from ``-x key=value``
            arguments instead of the list of strings.
        """
        cmd_opts = getattr(self.config, "cmd_opts", None)
        values = list(getattr(cmd_opts, "x", None) or []) if cmd_opts is not None else []
        if as_dictionary:
            result: dict[str, str] = {}
            for arg in values:
                key, _, value = arg.partition("=")
                result[key] = value
            return result
        return values

    # -- configure -------------------------------------------------------------

    def configure(
        self,
        connection: Connection | None = None,
        url: Any = None,
        dialect_name: str | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        transactional_ddl: bool | None = None,
        transaction_per_migration: bool = False,
        output_buffer: TextIO | None = None,
        starting_rev: str | None = None,
        tag: str | None = None,
        template_args: Mapping[str, Any] | None = None,
        render_as_batch: bool = False,
        target_metadata: Any = None,
        include_name: Callable[..., bool] | None = None,
        include_object: Callable[..., bool] | None = None,
        include_schemas: bool = False,
        process_revision_directives: Callable[..., None] | None = None,
        compare_type: bool | Callable[..., Any] = True,
        compare_server_default: bool | Callable[..., Any] = False,
        render_item: Callable[..., Any] | None = None,
        literal_binds: bool = False,
        upgrade_token: str = "upgrades",
        downgrade_token: str = "downgrades",
        alembic_module_prefix: str = "op.",
        sqlalchemy_module_prefix: str = "sa.",
        user_module_prefix: str | None = None,
        on_version_apply: Callable[..., None] | tuple[Callable[..., None], ...] | None = None,
        autogenerate_plugins: Sequence[str] | None = None,
        version_table: str | None = None,
        version_table_schema: str | None = None,
        version_table_pk: bool = True,
        migration_lock: bool = True,
        migration_lock_timeout: float | None = None,
        dialect: Dialect | None = None,
        **kw: Any,
    ) -> None:
        """Configure a :class:`.MigrationContext` within this EnvironmentContext.

        Accepts every option of Alembic's ``configure()`` (connection / url /
        dialect_name, transactions, the version table, autogenerate hooks,
        rendering options, ``on_version_apply``, ...) plus retort's
        ``migration_lock`` (default on) and ``migration_lock_timeout`` in
        seconds (default: the ``migration_lock_timeout`` ini option, else 60).
        Unknown keyword arguments are kept in the options, where comparison
        and rendering hooks read them.
        """
        opts = self.context_opts
        if kw:
            opts.update(kw)
        if transactional_ddl is not None:
            opts["transactional_ddl"] = transactional_ddl
        if output_buffer is not None:
            opts["output_buffer"] = output_buffer
        elif getattr(self.config, "output_buffer", None) is not None:
            opts["output_buffer"] = self.config.output_buffer
        if starting_rev:
            opts["starting_rev"] = starting_rev
        if tag:
            opts["tag"] = tag
        if template_args and "template_args" in opts:
            opts["template_args"].update(template_args)
        elif template_args:
            opts["template_args"] = dict(template_args)
        opts["transaction_per_migration"] = transaction_per_migration
        opts["target_metadata"] = target_metadata
        opts["include_name"] = include_name
        opts["include_object"] = include_object
        opts["include_schemas"] = include_schemas
        opts["render_as_batch"] = render_as_batch
        opts["upgrade_token"] = upgrade_token
        opts["downgrade_token"] = downgrade_token
        opts["sqlalchemy_module_prefix"] = sqlalchemy_module_prefix
        opts["alembic_module_prefix"] = alembic_module_prefix
        opts["user_module_prefix"] = user_module_prefix
        opts["literal_binds"] = literal_binds
        opts["process_revision_directives"] = process_revision_directives
        opts["on_version_apply"] = _to_tuple(on_version_apply)
        if autogenerate_plugins is not None:
            opts["autogenerate_plugins"] = list(autogenerate_plugins)
        if render_item is not None:
            opts["render_item"] = render_item
        opts["compare_type"] = compare_type
        opts["compare_server_default"] = compare_server_default
        opts["script"] = self.script
        if version_table is not None:
            opts["version_table"] = version_table
        opts["version_table_schema"] = version_table_schema
        opts["version_table_pk"] = version_table_pk
        opts["migration_lock"] = migration_lock
        opts["migration_lock_timeout"] = (
            migration_lock_timeout if migration_lock_timeout is not None else self._ini_lock_timeout()
        )
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect=dialect,
            environment_context=self,
            dialect_opts=dialect_opts,
            opts=opts,
        )

    def _ini_lock_timeout(self) -> float | None:
        getter = getattr(self.config, "get_main_option", None)
        value = getter("migration_lock_timeout") if getter is not None else None
        if value in (None, ""):
            return None
        try:
            return float(value)
        except ValueError:
            raise CommandError(
                f"migration_lock_timeout must be a number of seconds, got {value!r}"
            ) from None

    # -- running ------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        """Run migrations as determined by the current command line configuration.

        Keyword arguments are passed to each revision's ``upgrade()`` /
        ``downgrade()``; call it once per database in a multidb ``env.py``.
        """
        self.get_context().run_migrations(**kw)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Execute the given SQL using the current change context."""
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text: str) -> None:
        """Emit text directly to the "offline" SQL stream."""
        self.get_context().impl.static_output(text)

    def begin_transaction(self) -> ContextManager[Any]:
        """Return a context manager that will enclose an operation within a "transaction"."""
        return self.get_context().begin_transaction()

    def get_context(self) -> MigrationContext:
        """Return the current :class:`.MigrationContext` object."""
        if self._migration_context is None:
            raise CommandError("No context has been configured yet.")
        return self._migration_context

    def get_bind(self) -> Any:
        """Return the current 'bind' (the Connection; a mock connection offline)."""
        return self.get_context().bind

    def get_impl(self) -> Any:
        return self.get_context().impl
