"""``Operations`` and ``BatchOperations``: directives, and the dispatcher that runs ops.

Every directive (``op.create_table`` ...) is installed by
``register_operation`` from a classmethod of its op class; ``invoke`` looks
up the function registered with ``implementation_for`` and runs it.  The
built-in directives are registered in ``builtin.py`` through the same public
calls a plugin uses.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterator, Literal, Mapping, MutableMapping, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import conv
from sqlalchemy.util import immutabledict

from retort.operations.ops.base import MigrateOperation
from retort.operations.schemaobj import SchemaObjects, inline_literal
from retort.util.registry import Dispatcher

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

__all__ = ["AbstractOperations", "Operations", "BatchOperations"]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=Callable[..., Any])
_RECREATE = ("auto", "always", "never")

# modules made by create_module_class_proxy(), per class; filled at import time
# of those modules, read by Operations.context()
_module_proxies: dict[type, list[Any]] = {}


class AbstractOperations:
    """What ``Operations`` and ``BatchOperations`` share: dispatch, SQL helpers."""

    # one registry of implementations for both classes (op class -> function)
    _to_impl = Dispatcher(what="implementation for operation")

    def __init__(self, migration_context: Any, impl: Any = None) -> None:
        self.migration_context = migration_context
        self.impl = impl if impl is not None else getattr(migration_context, "impl", None)
        self.schema_obj = SchemaObjects(migration_context)

    # -- the plugin system --------------------------------------------------

    @classmethod
    def register_operation(cls, name: str, sourcename: str | None = None) -> Callable[[type[_T]], type[_T]]:
        """Class decorator: add directive ``name`` backed by a classmethod of the op class.

        The classmethod ``sourcename`` (default ``name``) receives the
        Operations object first, then the directive's arguments.  Registered
        on ``Operations``, a ``batch_<sourcename>`` classmethod, when the op
        class has one, also becomes directive ``name`` of ``BatchOperations``.
        """

        def register(op_cls: type[_T]) -> type[_T]:
            source = sourcename or name
            if not callable(getattr(op_cls, source, None)):
                raise TypeError(
                    f"register_operation({name!r}): {op_cls.__name__} has no classmethod {source!r}"
                )
            _install_directive(cls, name, op_cls, source)
            batch_source = "batch_" + source
            if cls is Operations and callable(getattr(op_cls, batch_source, None)):
                _install_directive(BatchOperations, name, op_cls, batch_source)
            return op_cls

        return register

    @classmethod
    def implementation_for(cls, op_cls: Any, replace: bool = False) -> Callable[[_C], _C]:
        """Decorator: the function that carries out ``op_cls`` (``fn(operations, operation)``).

        :param replace: allow replacing an implementation already registered
            (including a built-in one); otherwise that is a ValueError.
        """

        def decorate(fn: _C) -> _C:
            if not replace and (op_cls, "default") in cls._to_impl.keys():
                raise ValueError(
                    f"an implementation for {op_cls.__name__} is already registered; "
                    "pass replace=True to replace it"
                )
            cls._to_impl.register(op_cls, fn, replace=True)
            return fn

        return decorate

    def invoke(self, operation: MigrateOperation) -> Any:
        """Carry out ``operation`` with its registered implementation; return its result.

        A database (or other SQLAlchemy) error raised while doing so is
        re-raised unchanged, with a PEP 678 note naming the operation and the
        statement.
        """
        if not isinstance(operation, MigrateOperation):
            raise TypeError(f"invoke(): expected a MigrateOperation, got {type(operation).__name__}")
        fn = self._to_impl.find(operation)
        if fn is None:
            raise NotImplementedError(
                f"no implementation registered for {type(operation).__name__}; "
                "use @Operations.implementation_for(...)"
            )
        try:
            return fn(self, operation)
        except sa_exc.SQLAlchemyError as err:
            annotate_db_error(err, operation.describe())
            raise

    @classmethod
    def create_module_class_proxy(cls, globals_: MutableMapping[str, Any], locals_: MutableMapping[str, Any]) -> None:
        """Make every public method of this class a function of the module owning ``globals_``.

        As ``retort.op`` is for ``Operations``: while ``Operations.context(...)``
        (the runtime, during a migration) has an object installed, the module's
        functions call that object's methods.  ``locals_`` is accepted for
        Alembic compatibility (at module level it is ``globals_``).
        """
        from retort.util.proxy import ModuleProxy

        name = str(globals_.get("__name__", "module"))
        proxy = ModuleProxy(globals_, cls, what=name.rsplit(".", 1)[-1], exclude=("context",))
        _module_proxies.setdefault(cls, []).append(proxy)

    # -- helpers available inside migrations --------------------------------

    def f(self, name: str) -> conv:
        """Mark ``name`` as final: naming conventions will not be applied to it."""
        return conv(name)

    def inline_literal(self, value: str | int, type_: Any = None) -> Any:
        """A value rendered inline in SQL (works in --sql mode, unlike a bound parameter)."""
        return inline_literal(value, type_)

    def get_bind(self) -> Connection:
        """The Connection migrations run on (None in --sql mode)."""
        return self.migration_context.impl.bind

    def get_context(self) -> Any:
        """The MigrationContext."""
        return self.migration_context

    def run_async(self, async_function: Callable[..., Awaitable[_T]], *args: Any, **kw_args: Any) -> _T:
        """Run ``async_function(async_connection, *args, **kw_args)`` and return its result.

        Only with an async driver (the migration runs inside
        ``connection.run_sync()``); the function receives an AsyncConnection
        wrapping the migration's connection.
        """
        conn = self.get_bind()
        if conn is None or getattr(self.migration_context, "as_sql", False):
            raise NotImplementedError("run_async() needs a database connection; it is not available in --sql mode")
        if not conn.dialect.is_async:
            raise NotImplementedError(
                f"run_async() needs an async driver; {conn.dialect.name}+{conn.dialect.driver} is synchronous"
            )
        from sqlalchemy.ext.asyncio import AsyncConnection
        from sqlalchemy.util import await_only

        # the AsyncConnection that run_sync() handed us this connection from
        async_conn = AsyncConnection._retrieve_proxy_for_target(conn)
        return await_only(async_function(async_conn, *args, **kw_args))


def annotate_db_error(err: BaseException, description: str) -> None:
    """Add one PEP 678 note naming the op and the statement (once per error)."""
    if getattr(err, "_retort_annotated", False):
        return
    statement = getattr(err, "statement", None)
    note = f"retort: while running: {description}"
    if statement:
        text = " ".join(str(statement).split())
        if len(text) > 1000:
            text = text[:1000] + " ..."
        note += f"\nretort: statement: {text}"
    err.add_note(note)
    err._retort_annotated = True  # type: ignore[attr-defined]


def _install_directive(target: type, name: str, op_cls: type, sourcename: str) -> None:
    """Add method ``name`` to ``target``, calling ``op_cls.<sourcename>(self, ...)``."""
    source = getattr(op_cls, sourcename)
    sig = inspect.signature(source)  # bound classmethod: starts at ``operations``
    params = list(sig.parameters.values())[1:]
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    call_sig = sig.replace(parameters=params)

    def directive(self: Any, /, *args: Any, **kw: Any) -> Any:
        try:
            return getattr(op_cls, sourcename)(self, *args, **kw)
        except TypeError as err:
            # a bad call reads better as op.<name>(...) than as the classmethod's name
            try:
                call_sig.bind(*args, **kw)
            except TypeError as bind_err:
                raise TypeError(f"{name}(): {bind_err}") from None
            raise err

    directive.__name__ = name
    directive.__qualname__ = f"{target.__name__}.{name}"
    directive.__doc__ = source.__doc__
    directive.__module__ = target.__module__
    directive.__signature__ = sig.replace(parameters=[self_param, *params])  # type: ignore[attr-defined]
    directive._op_class = op_cls  # type: ignore[attr-defined]
    setattr(target, name, directive)
    target._directives = {**getattr(target, "_directives", {}), name: op_cls}  # type: ignore[attr-defined]


class Operations(AbstractOperations):
    """The migration directives (``op.*``) for one MigrationContext.

    :param migration_context: the MigrationContext to run on.
    :param impl: the DDL implementation (default: ``migration_context.impl``).
    """

    _directives: dict[str, type] = {}

    @classmethod
    @contextmanager
    def context(cls, migration_context: Any) -> Iterator[Operations]:
        """Install an Operations for ``migration_context`` behind ``retort.op`` while in the block."""
        from retort import op as op_module

        operations = cls(migration_context)
        # retort.op, plus any module made by create_module_class_proxy()
        proxies = [p for klass in cls.__mro__ for p in _module_proxies.get(klass, ())]
        op_module._install(operations)
        for proxy in proxies:
            proxy.install(operations)
        try:
            yield operations
        finally:
            for proxy in proxies:
                proxy.remove(operations)
            op_module._remove(operations)

    @contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: Literal["auto", "always", "never"] = "auto",
        partial_reordering: list[tuple[str, ...]] | None = None,
        copy_from: Table | None = None,
        table_args: tuple[Any, ...] = (),
        table_kwargs: Mapping[str, Any] = immutabledict(),
        reflect_args: tuple[Any, ...] = (),
        reflect_kwargs: Mapping[str, Any] = immutabledict(),
        naming_convention: dict[str, str] | None = None,
    ) -> Iterator[BatchOperations]:
        """Group changes to one table; on SQLite (or ``recreate="always"``) the table
        is rebuilt ("move and copy") when the block ends.

        :param table_name: the table.
        :param schema: optional schema name.
        :param recreate: ``"auto"`` (rebuild only when the database needs it),
            ``"always"`` or ``"never"``.
        :param partial_reordering: column orderings to apply when rebuilding.
        :param copy_from: a Table to use instead of reflecting (required in --sql mode).
        :param table_args: extra positional arguments for the rebuilt Table.
        :param table_kwargs: extra keyword arguments for the rebuilt Table.
        :param reflect_args: extra Column / constraint objects overriding the reflected ones.
        :param reflect_kwargs: extra keyword arguments for the reflecting Table.
        :param naming_convention: a naming convention for the reflected table's unnamed constraints.
        """
        if recreate not in _RECREATE:
            raise ValueError(
                f"batch_alter_table(): argument 'recreate' must be one of "
                f"{', '.join(map(repr, _RECREATE))}, got {recreate!r}"
            )
        if not isinstance(table_name, str) or not table_name:
            raise TypeError(f"batch_alter_table(): argument 'table_name' must be a table name, got {table_name!r}")
        from retort.operations.batch import BatchOperationsImpl

        where = f"{schema}.{table_name}" if schema else table_name
        try:
            batch_impl = BatchOperationsImpl(
                self,
                table_name,
                schema,
                recreate,
                copy_from,
                table_args,
                table_kwargs,
                reflect_args,
                reflect_kwargs,
                naming_convention,
                partial_reordering,
            )
        except sa_exc.SQLAlchemyError as err:
            annotate_db_error(err, f"batch_alter_table({where!r})")
            raise
        batch_op = BatchOperations(self.migration_context, impl=batch_impl)
        yield batch_op
        try:
            batch_impl.flush()
        except sa_exc.SQLAlchemyError as err:
            annotate_db_error(err, f"batch_alter_table({where!r}) applying its changes")
            raise


class BatchOperations(AbstractOperations):
    """The directives available inside ``batch_alter_table``: the table is implied."""

    _directives: dict[str, type] = {}
