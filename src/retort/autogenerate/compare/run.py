"""State of one comparison: snapshots of both sides, lazily built reflected objects, hook calls.

One :class:`ComparisonRun` lives on the ``AutogenContext`` while the
comparators run.  Built-in comparators read the snapshots from it; reflected
``Table`` objects are built on first request only (a drop needs one, a user
hook's signature takes one).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from sqlalchemy import MetaData, Table
from sqlalchemy.exc import SQLAlchemyError

from retort.snapshot.from_database import reflect_tables
from retort.snapshot.from_metadata import table_snapshot
from retort.snapshot.model import CheckSnapshot, ColumnSnapshot, TableSnapshot
from retort.snapshot.to_objects import table_from_snapshot
from retort.util.exc import AutogenerateError

from . import comparators

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["ComparisonRun", "builtin", "run_for", "NOT_BUILT"]

# Schemas that hold the database's own catalogue, never compared.
SYSTEM_SCHEMAS = frozenset({"information_schema", "performance_schema", "mysql", "sys", "pg_catalog", "pg_toast"})


class _NotBuilt:
    """Stands for a reflected object no hook asked for (only built-ins receive it)."""

    def __repr__(self) -> str:
        return "<reflected object not built>"

    def __bool__(self) -> bool:
        return True


NOT_BUILT: Any = _NotBuilt()


def builtin(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a comparator as built-in: it reads snapshots and needs no reflected objects."""
    fn._retort_builtin = True  # type: ignore[attr-defined]
    return fn


#: DefaultImpl's autogenerate hooks, consulted where Alembic consults them when an impl overrides them
IMPL_HOOKS = (
    "compare_type",
    "compare_server_default",
    "compare_indexes",
    "compare_unique_constraint",
    "autogen_column_reflect",
    "correct_for_autogen_constraints",
)


def overridden_impl_hooks(impl: Any) -> frozenset[str]:
    """The names in :data:`IMPL_HOOKS` that ``impl``'s class defines itself (not retort's base)."""
    if impl is None:
        return frozenset()
    from retort.ddl.compare import ComparisonHooks

    cls = type(impl)
    return frozenset(
        name for name in IMPL_HOOKS
        if getattr(cls, name, None) is not getattr(ComparisonHooks, name) and _defined_outside_retort(cls, name)
    )


def _defined_outside_retort(cls: type, name: str) -> bool:
    for klass in cls.__mro__:
        if name in vars(klass):
            return not klass.__module__.startswith("retort.")
    return False


def run_for(autogen_context: AutogenContext) -> ComparisonRun:
    run = getattr(autogen_context, "_comparison_run", None)
    if run is None:
        raise AutogenerateError("built-in comparators can only run inside produce_migrations / compare_metadata")
    return run


def _where(schema: str | None) -> str:
    return f"schema {schema!r}" if schema else "the default schema"


def _hook_name(fn: Callable[..., Any]) -> str:
    mod = getattr(fn, "__module__", None) or "?"
    return f"{mod}.{getattr(fn, '__qualname__', repr(fn))}"


class ComparisonRun:
    """The two sides being compared and the objects built from them so far."""

    def __init__(self, autogen_context: AutogenContext) -> None:
        self.ctx = autogen_context
        self.dialect = autogen_context.dialect
        self.qualifier = self.dialect.name if self.dialect is not None else "default"
        self._hooks: dict[str, list[Callable[..., Any]]] = {}
        self._conn_snapshots: dict[tuple[str | None, str], TableSnapshot] = {}
        self._meta_snapshots: dict[tuple[str | None, str], TableSnapshot] = {}
        self._conn_tables: dict[tuple[str | None, str], Table] = {}
        self._conn_metadata = MetaData()
        self._unchecked: dict[str | None, list[str]] = {}
        self.default_schema: str | None = None
        #: (conn, metadata) snapshots of the column whose column-level hooks are running
        self.current_column: tuple[ColumnSnapshot, ColumnSnapshot] | None = None
        #: (schema, table name) whose table-level hooks are running
        self.current_table: tuple[str | None, str] | None = None
        #: schemas the database has (known with ``include_schemas``); a target
        #: schema missing from it has no tables to reflect
        self.existing_schemas: set[str | None] | None = None
        opts = autogen_context.opts
        self.compare_type = opts.get("compare_type", True)
        self.compare_server_default = opts.get("compare_server_default", False)
        #: the dialect impl, and which of its comparison hooks a (third-party)
        #: impl class overrides: only those are consulted, so the built-in
        #: impls keep the snapshot comparison's speed
        self.impl = getattr(autogen_context.migration_context, "impl", None)
        self.impl_hooks = overridden_impl_hooks(self.impl)

    # -- hooks -----------------------------------------------------------

    def hooks(self, level: str) -> list[Callable[..., Any]]:
        if level not in self._hooks:
            self._hooks[level] = list(comparators.find(level, self.qualifier))
        return self._hooks[level]

    def needs_objects(self, level: str) -> bool:
        """True when a hook at ``level`` must receive real reflected SQLAlchemy objects."""
        key = "needs:" + level
        if key not in self._hooks:
            user = [fn for fn in self.hooks(level) if not getattr(fn, "_retort_builtin", False)]
            self._hooks[key] = user  # type: ignore[assignment]
        if self._hooks[key]:
            return True
        if self.ctx.has_object_filters:
            return True
        if level == "column" and (
            callable(self.compare_type)
            or callable(self.compare_server_default)
            or self.impl_hooks & {"compare_type", "compare_server_default"}
        ):
            return True
        return False

    def call(self, fn: Callable[..., Any], *args: Any, schema: str | None = None, table: str | None = None) -> Any:
        """Call a comparator; any error becomes an AutogenerateError naming it and the table."""
        try:
            return fn(*args)
        except AutogenerateError:
            raise
        except Exception as exc:
            raise self.failure(fn, exc, schema, table) from exc

    def call_all(
        self,
        fns: list[Callable[..., Any]],
        *args: Any,
        schema: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        """Call each comparator in turn, errors wrapped as in :meth:`call` (one try for all)."""
        fn: Callable[..., Any] | None = None
        try:
            for fn in fns:
                fn(*args)
        except AutogenerateError:
            raise
        except Exception as exc:
            raise self.failure(fn, exc, schema, table, column) from exc

    @staticmethod
    def failure(
        fn: Any, exc: Exception, schema: str | None, table: str | None, column: str | None = None
    ) -> AutogenerateError:
        name = _hook_name(fn)
        where = ""
        if column is not None:
            where = f" on column {column}"
        if table is not None:
            where += f"{' of' if column else ' on'} table {schema + '.' if schema else ''}{table}"
        return AutogenerateError(
            f"comparator {name} failed{where}: {type(exc).__name__}: {exc}",
            comparator=name,
            schema=schema,
            table_name=table,
        )

    # -- schemas ---------------------------------------------------------

    def schemas(self) -> list[str | None]:
        """The schemas to compare: the default one, or every one with ``include_schemas``."""
        ctx = self.ctx
        try:
            insp = ctx.inspector
            self.default_schema = insp.default_schema_name
        except SQLAlchemyError as exc:
            raise AutogenerateError(f"could not inspect the database: {exc}") from exc
        if not ctx.opts.get("include_schemas"):
            return [None]
        try:
            names = insp.get_schema_names()
        except SQLAlchemyError as exc:
            raise AutogenerateError(f"could not list the database's schemas: {exc}") from exc
        self.existing_schemas = {None, *names}
        result: list[str | None] = []
        for name in names:
            if name in SYSTEM_SCHEMAS:
                continue
            key = None if name == self.default_schema else name
            if key is not None and not ctx.run_name_filters(name, "schema", {}):
                continue
            if key not in result:
                result.append(key)
        if None not in result:
            result.insert(0, None)
        # schemas named only by the target (not yet created) are compared too
        for table in (t for md in ctx.metadatas for t in md.tables.values()):
            key = self.schema_key(table.schema)
            if key not in result and key not in SYSTEM_SCHEMAS:
                if key is None or ctx.run_name_filters(key, "schema", {}):
                    result.append(key)
        return result

    def schema_key(self, schema: str | None) -> str | None:
        """``schema`` with the default schema's name written as None."""
        if schema is not None and schema == self.default_schema:
            return None
        return schema

    # -- snapshots -------------------------------------------------------

    def reflect(self, schema: str | None, names: Iterable[str]) -> dict[str, TableSnapshot]:
        """Reflect the tables of one schema (CHECK constraints deferred, see :meth:`conn_table`)."""
        names = list(names)
        try:
            hook = self.impl.autogen_column_reflect if "autogen_column_reflect" in self.impl_hooks else None
            found = reflect_tables(self.ctx.inspector, schema, names, with_checks=False, column_hook=hook)
        except SQLAlchemyError as exc:
            raise AutogenerateError(
                f"could not reflect the tables of {_where(schema)}: {exc}", schema=schema
            ) from exc
        for name, snap in found.items():
            self._conn_snapshots[(schema, name)] = snap
        self._unchecked[schema] = list(found)
        return found

    def _load_checks(self, schema: str | None) -> None:
        # CHECK constraints and table options (mysql_engine ...) matter only to
        # a reflected Table (a drop's reverse re-creates the table): one query
        # each for the whole schema, on first need
        names = self._unchecked.pop(schema, None)
        if not names:
            return
        insp = self.ctx.inspector
        try:
            checks = insp.get_multi_check_constraints(schema=schema, filter_names=names)
            options = insp.get_multi_table_options(schema=schema, filter_names=names)
        except SQLAlchemyError as exc:
            raise AutogenerateError(
                f"could not reflect the CHECK constraints / options of {_where(schema)}: {exc}", schema=schema
            ) from exc
        for name in names:
            key = (schema, name)
            found = checks.get(key) or checks.get((None, name)) or ()
            opts = options.get(key) or options.get((None, name)) or {}
            if (found or opts) and key in self._conn_snapshots:
                self._conn_snapshots[key] = replace(
                    self._conn_snapshots[key],
                    checks=tuple(CheckSnapshot(c.get("name"), str(c.get("sqltext"))) for c in found),
                    # "mysql_default charset" as the keyword Table() and rendered code accept
                    dialect_options={k.replace(" ", "_"): v for k, v in opts.items()},
                )

    def conn_snapshot(self, schema: str | None, name: str) -> TableSnapshot | None:
        return self._conn_snapshots.get((self.schema_key(schema), name))

    def meta_snapshot(self, table: Table) -> TableSnapshot:
        key = (self.schema_key(table.schema), table.name)
        snap = self._meta_snapshots.get(key)
        if snap is None:
            snap = self._meta_snapshots[key] = table_snapshot(
                table, self.dialect, with_defaults=bool(self.compare_server_default)
            )
        return snap

    def conn_table(self, schema: str | None, name: str) -> Table | None:
        """The reflected table as a SQLAlchemy ``Table``, built on first request."""
        key = (self.schema_key(schema), name)
        table = self._conn_tables.get(key)
        if table is None:
            self._load_checks(key[0])
            snap = self._conn_snapshots.get(key)
            if snap is None:
                return None
            table = self._conn_tables[key] = table_from_snapshot(snap, self._conn_metadata)
        return table
