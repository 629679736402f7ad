"""Public autogenerate API: compare a MetaData with a database, get diffs or operations.

``compare_metadata`` returns the documented diff tuples, ``produce_migrations``
a ``MigrationScript`` whose downgrade is the reverse of its upgrade.  Both run
every comparator registered in :data:`retort.autogenerate.compare.comparators`
through an :class:`AutogenContext`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import MetaData, Table

from retort.autogenerate.render import render_python_code
from retort.util.exc import AutogenerateError, CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect, Inspector

    from retort.operations.ops import MigrationScript, UpgradeOps

__all__ = [
    "AutogenContext",
    "compare_metadata",
    "produce_migrations",
    "render_python_code",
    "populate_upgrade_ops",
]


class AutogenContext:
    """Maintain configuration and state that's specific to an autogenerate operation.

    :param migration_context: the ``MigrationContext`` (connection, dialect, opts).
    :param metadata: the target ``MetaData`` (or a sequence of them); defaults
        to ``opts["target_metadata"]``.
    :param opts: configuration; defaults to ``migration_context.opts``.
    :param autogenerate: False for a context used only to render code (no
        database needed).
    """

    #: The ``Connection`` being compared (``MigrationContext.bind``).
    connection: Connection | None = None
    #: The ``Dialect`` in use.
    dialect: Dialect | None = None
    #: Python import lines to render into the revision's ``${imports}``.
    imports: set[str]
    #: The target ``MetaData`` (or sequence of them).
    metadata: MetaData | Sequence[MetaData] | None = None
    #: The ``MigrationContext`` established by env.py.
    migration_context: Any = None

    def __init__(
        self,
        migration_context: Any,
        metadata: MetaData | Sequence[MetaData] | None = None,
        opts: Mapping[str, Any] | None = None,
        autogenerate: bool = True,
    ) -> None:
        if autogenerate and migration_context is not None and getattr(migration_context, "as_sql", False):
            raise CommandError(
                "autogenerate can't use as_sql=True as it prevents querying "
                "the database for schema information"
            )
        if opts is None:
            opts = getattr(migration_context, "opts", None) or {}
        self.opts: dict[str, Any] = dict(opts)
        if metadata is None:
            metadata = self.opts.get("target_metadata")
        self.metadata = metadata
        self.migration_context = migration_context
        if migration_context is not None:
            self.connection = getattr(migration_context, "bind", None) or getattr(
                migration_context, "connection", None
            )
            self.dialect = migration_context.dialect
        self.imports = set()
        self._has_batch = False
        self._object_filters = _as_filters(self.opts.get("include_object"))
        self._name_filters = _as_filters(self.opts.get("include_name"))
        include_symbol = self.opts.get("include_symbol")
        if include_symbol is not None:
            # the legacy (table name, schema) filter, applied to tables only
            def _symbol_filter(obj: Any, name: str, type_: str, reflected: bool, compare_to: Any) -> bool:
                if type_ == "table":
                    return bool(include_symbol(name, obj.schema))
                return True

            self._object_filters.append(_symbol_filter)
        self._inspector: Inspector | None = None

    # -- target metadata -------------------------------------------------

    @property
    def metadatas(self) -> list[MetaData]:
        """The target MetaData objects as a list (one or several)."""
        md = self.metadata
        if md is None:
            return []
        if isinstance(md, MetaData):
            return [md]
        if isinstance(md, (list, tuple)) and all(isinstance(m, MetaData) for m in md):
            return list(md)
        raise AutogenerateError(
            "target_metadata must be a MetaData or a sequence of MetaData objects, "
            f"not {type(md).__name__} ({md!r:.80})"
        )

    @property
    def sorted_tables(self) -> list[Table]:
        """Every target table, dependency-sorted within each MetaData."""
        tables: list[Table] = []
        for md in self.metadatas:
            tables.extend(md.sorted_tables)
        return tables

    @property
    def table_key_to_table(self) -> dict[str, Table]:
        """``MetaData.tables`` of every target MetaData merged; a key defined twice is an error."""
        result: dict[str, Table] = {}
        for md in self.metadatas:
            for key, table in md.tables.items():
                if key in result:
                    raise AutogenerateError(
                        f"Table {key!r} is present in more than one target MetaData"
                    )
                result[key] = table
        return result

    @property
    def inspector(self) -> Inspector:
        """An ``Inspector`` on :attr:`connection`, made once per comparison."""
        if self._inspector is None:
            if self.connection is None:
                raise CommandError("autogenerate needs a database connection to compare against")
            from sqlalchemy import inspect

            self._inspector = inspect(self.connection)
        return self._inspector

    # -- filters ---------------------------------------------------------

    def run_name_filters(self, name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
        """Run the ``include_name`` hooks; True when the reflected name is to be compared.

        :param type_: "schema", "table", "column", "index", "unique_constraint"
            or "foreign_key_constraint".
        :param parent_names: ``schema_name``, ``table_name`` and
            ``schema_qualified_table_name`` as they apply.
        """
        if not self._name_filters:
            return True
        if "schema_name" in parent_names and "table_name" in parent_names:
            parent_names = dict(parent_names)
            schema = parent_names["schema_name"]
            parent_names["schema_qualified_table_name"] = (
                f"{schema}.{parent_names['table_name']}" if schema else parent_names["table_name"]
            )
        return all(fn(name, type_, parent_names) for fn in self._name_filters)

    def run_object_filters(
        self, object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """Run the ``include_object`` hooks; True when the object is part of the comparison."""
        return all(fn(object_, name, type_, reflected, compare_to) for fn in self._object_filters)

    run_filters = run_object_filters

    @property
    def has_object_filters(self) -> bool:
        """True when an ``include_object`` hook needs SQLAlchemy objects for both sides."""
        return bool(self._object_filters)


def _as_filters(value: Any) -> list[Callable[..., Any]]:
    if value is None:
        return []
    if callable(value):
        return [value]
    return list(value)


def _check_target(metadata: Any) -> None:
    if metadata is None:
        raise AutogenerateError(
            "can't compare: no target MetaData was given (target_metadata is None)"
        )
    if isinstance(metadata, MetaData):
        return
    if isinstance(metadata, (list, tuple)) and metadata and all(isinstance(m, MetaData) for m in metadata):
        return
    raise AutogenerateError(
        "target_metadata must be a MetaData or a sequence of MetaData objects, "
        f"not {type(metadata).__name__}"
    )


def populate_upgrade_ops(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Run every registered comparator, appending the operations found to ``upgrade_ops``.

    This is the step ``command.revision --autogenerate`` and ``command.check``
    share with :func:`produce_migrations`.
    """
    _check_target(autogen_context.metadata)
    from retort.autogenerate.compare import produce_net_changes

    produce_net_changes(autogen_context, upgrade_ops)


def compare_metadata(context: Any, metadata: MetaData | Sequence[MetaData]) -> list[Any]:
    """Compare a database schema to that given in a ``MetaData`` instance.

    :param context: a ``MigrationContext`` (connection, dialect and the
        ``compare_type`` / ``compare_server_default`` / ``include_*`` options).
    :param metadata: a ``MetaData`` (or a sequence of them).
    :return: a list of diff tuples; changes to one column are grouped in a
        list of ``modify_*`` tuples.
    """
    script = produce_migrations(context, metadata)
    assert script.upgrade_ops is not None
    return _as_diffs(script.upgrade_ops)


def produce_migrations(context: Any, metadata: MetaData | Sequence[MetaData]) -> MigrationScript:
    """Produce a ``MigrationScript`` structure based on schema comparison.

    :param context: a ``MigrationContext``.
    :param metadata: a ``MetaData`` (or a sequence of them).
    """
    from retort.operations import ops

    _check_target(metadata)
    autogen_context = AutogenContext(context, metadata=metadata)
    upgrade_ops = ops.UpgradeOps(ops=[])
    populate_upgrade_ops(autogen_context, upgrade_ops)
    return ops.MigrationScript(
        rev_id=None,
        upgrade_ops=upgrade_ops,
        downgrade_ops=upgrade_ops.reverse(),
        imports=autogen_context.imports,
    )


# -- diffs -----------------------------------------------------------------


def _as_diffs(container: Any) -> list[Any]:
    return list(_iter_diffs(container))


def _iter_diffs(container: Any) -> Iterator[Any]:
    from retort.operations import ops

    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            yield from _iter_diffs(op)
        elif isinstance(op, ops.AlterColumnOp):
            diffs = _alter_column_diffs(op)
            if diffs:
                yield diffs
        elif isinstance(op, ops.CreateIndexOp) and "retort.autogenerate.index" in op.info:
            yield ("add_index", op.info["retort.autogenerate.index"])
        else:
            yield op.to_diff_tuple()


def _alter_column_diffs(op: Any) -> list[tuple[Any, ...]]:
    """The grouped ``modify_*`` tuples of one column, in the documented layout.

    Each tuple is ``(kind, schema, table, column, existing, old, new)`` where
    ``existing`` holds the column's other, unchanged attributes.
    """
    schema, tname, cname = op.schema, op.table_name, op.column_name
    # as Alembic 1.20 reports them: no reflected default is False, unless the
    # default itself changes (then None, the "old" value); the comment is
    # always there, None when there is none
    existing_default = op.existing_server_default
    if existing_default is None or existing_default is False:
        existing_default = None if op.modify_server_default is not False else False
    result: list[tuple[Any, ...]] = []

    def existing(*keys: str) -> dict[str, Any]:
        values = {
            "existing_type": op.existing_type,
            "existing_nullable": op.existing_nullable,
            "existing_server_default": existing_default,
        }
        found = {k: values[k] for k in keys}
        found["existing_comment"] = op.existing_comment
        return found

    if op.modify_type is not None:
        result.append(
            ("modify_type", schema, tname, cname,
             existing("existing_nullable", "existing_server_default"),
             op.existing_type, op.modify_type)
        )
    if op.modify_nullable is not None:
        result.append(
            ("modify_nullable", schema, tname, cname,
             existing("existing_type", "existing_server_default"),
             op.existing_nullable, op.modify_nullable)
        )
    if op.modify_server_default is not False:
        result.append(
            ("modify_default", schema, tname, cname,
             existing("existing_nullable", "existing_type"),
             None if existing_default is False else existing_default, op.modify_server_default)
        )
    if op.modify_comment is not False:
        result.append(
            ("modify_comment", schema, tname, cname,
             {"existing_nullable": op.existing_nullable, "existing_type": op.existing_type,
              "existing_server_default": existing_default},
             op.existing_comment, op.modify_comment)
        )
    return result
