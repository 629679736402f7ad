"""Constraint operations: primary key, unique, foreign key, check, drop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema

from retort.operations.ops.base import MigrateOperation, qualified
from retort.operations.ops.checks import check_name, check_names
from retort.util.registry import Dispatcher

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = [
    "AddConstraintOp",
    "CreatePrimaryKeyOp",
    "CreateUniqueConstraintOp",
    "CreateCheckConstraintOp",
    "DropConstraintOp",
]

_AC = TypeVar("_AC", bound="type[AddConstraintOp]")


def _schema_obj(migration_context: Any) -> Any:
    from retort.operations.schemaobj import SchemaObjects

    return SchemaObjects(migration_context)


def constraint_table(constraint: Any) -> sa.Table:
    """The table a constraint belongs to; a clear error when it has none."""
    from retort.operations.schemaobj import table_of

    table = table_of(constraint)
    if table is None:
        raise ValueError(f"constraint {constraint.name!r} is not attached to a table")
    return table


def constraint_column_names(constraint: Any) -> list[str]:
    """Names of the columns of a (possibly unattached) column-collection constraint."""
    if table_of_or_none(constraint) is not None:
        return [c.name for c in constraint.columns]
    return [c if isinstance(c, str) else c.name for c in constraint._pending_colargs]


def table_of_or_none(constraint: Any) -> sa.Table | None:
    from retort.operations.schemaobj import table_of

    return table_of(constraint)


# constraint_type / type_ values as words for describe()
_KIND_WORDS = {"primarykey": "primary key", "primary": "primary key", "foreignkey": "foreign key"}


class AddConstraintOp(MigrateOperation):
    """Base of the operations that add a constraint to an existing table."""

    add_constraint_ops = Dispatcher(what="AddConstraintOp for constraint kind")

    @property
    def constraint_type(self) -> str:
        raise NotImplementedError()

    @classmethod
    def register_add_constraint(cls, type_: str) -> Callable[[_AC], _AC]:
        """Register a subclass's ``from_constraint`` for constraints whose
        ``__visit_name__`` is ``type_``."""

        def go(klass: _AC) -> _AC:
            cls.add_constraint_ops.register(type_, klass.from_constraint)
            return klass

        return go

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> AddConstraintOp:
        """The op that adds ``constraint`` (dispatched on its kind)."""
        return cls.add_constraint_ops.dispatch(constraint.__visit_name__)(constraint)

    def to_constraint(self, migration_context: Any = None) -> sa_schema.Constraint:
        raise NotImplementedError()

    def reverse(self) -> DropConstraintOp:
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, sa_schema.Constraint]:
        return ("add_constraint", self.to_constraint())

    def describe(self) -> str:
        name = getattr(self, "constraint_name", None)
        table = qualified(getattr(self, "table_name", None), getattr(self, "schema", None))
        label = f" {name}" if name else ""
        kind = _KIND_WORDS.get(self.constraint_type, self.constraint_type)
        return f"add {kind} constraint{label} on table {table}"


@AddConstraintOp.register_add_constraint("primary_key_constraint")
class CreatePrimaryKeyOp(AddConstraintOp):
    """Add a primary key constraint."""

    constraint_type = "primarykey"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreatePrimaryKeyOp:
        table = constraint_table(constraint)
        return cls(
            constraint.name,
            table.name,
            constraint_column_names(constraint),
            schema=table.schema,
            **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context: Any = None) -> sa.PrimaryKeyConstraint:
        return _schema_obj(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_primary_key(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        columns: list[str],
        *,
        schema: str | None = None,
    ) -> None:
        """Issue ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY.

        :param constraint_name: name of the constraint (None: naming convention / unnamed).
        :param table_name: the table.
        :param columns: names of the key's columns.
        :param schema: optional schema name.
        """
        check_name("create_primary_key", "constraint_name", constraint_name, optional=True)
        check_name("create_primary_key", "table_name", table_name)
        columns = check_names("create_primary_key", "columns", columns)
        operations.invoke(cls(constraint_name, table_name, columns, schema=schema))

    @classmethod
    def batch_create_primary_key(
        cls, operations: BatchOperations, constraint_name: str | None, columns: list[str]
    ) -> None:
        """Add a primary key to the batch's table."""
        columns = check_names("create_primary_key", "columns", columns)
        operations.invoke(
            cls(constraint_name, operations.impl.table_name, columns, schema=operations.impl.schema)
        )


@AddConstraintOp.register_add_constraint("unique_constraint")
class CreateUniqueConstraintOp(AddConstraintOp):
    """Add a unique constraint.

    :param kw: ``deferrable``, ``initially`` and dialect options.
    """

    constraint_type = "unique"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateUniqueConstraintOp:
        table = constraint_table(constraint)
        kw: dict[str, Any] = {}
        if constraint.deferrable:
            kw["deferrable"] = constraint.deferrable
        if constraint.initially:
            kw["initially"] = constraint.initially
        kw.update(constraint.dialect_kwargs)
        return cls(constraint.name, table.name, constraint_column_names(constraint), schema=table.schema, **kw)

    def to_constraint(self, migration_context: Any = None) -> sa.UniqueConstraint:
        return _schema_obj(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_unique_constraint(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> Any:
        """Issue ALTER TABLE ... ADD CONSTRAINT ... UNIQUE.

        :param constraint_name: name of the constraint (None: naming convention / unnamed).
        :param table_name: the table.
        :param columns: names of the columns.
        :param schema: optional schema name.
        :param deferrable: emit DEFERRABLE / NOT DEFERRABLE.
        :param initially: emit INITIALLY <value>.
        """
        check_name("create_unique_constraint", "constraint_name", constraint_name, optional=True)
        check_name("create_unique_constraint", "table_name", table_name)
        columns = check_names("create_unique_constraint", "columns", columns)
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema, **kw))

    @classmethod
    def batch_create_unique_constraint(
        cls, operations: BatchOperations, constraint_name: str, columns: Sequence[str], **kw: Any
    ) -> Any:
        """Add a unique constraint to the batch's table."""
        columns = check_names("create_unique_constraint", "columns", columns)
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, columns, **kw))


@AddConstraintOp.register_add_constraint("check_constraint")
@AddConstraintOp.register_add_constraint("column_check_constraint")
@AddConstraintOp.register_add_constraint("table_or_column_check_constraint")
class CreateCheckConstraintOp(AddConstraintOp):
    """Add a CHECK constraint.

    :param condition: a SQL expression string, ``text()`` or column expression.
    """

    constraint_type = "check"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateCheckConstraintOp:
        assert isinstance(constraint, sa.CheckConstraint)
        table = constraint_table(constraint)
        return cls(constraint.name, table.name, constraint.sqltext, schema=table.schema, **constraint.dialect_kwargs)

    def to_constraint(self, migration_context: Any = None) -> sa.CheckConstraint:
        return _schema_obj(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )

    @classmethod
    def create_check_constraint(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Issue ALTER TABLE ... ADD CONSTRAINT ... CHECK.

        :param constraint_name: name of the constraint (None: naming convention / unnamed).
        :param table_name: the table.
        :param condition: SQL string, ``text()`` or SQLAlchemy boolean expression.
        :param schema: optional schema name.
        :param deferrable: emit DEFERRABLE / NOT DEFERRABLE.
        :param initially: emit INITIALLY <value>.
        """
        check_name("create_check_constraint", "constraint_name", constraint_name, optional=True)
        check_name("create_check_constraint", "table_name", table_name)
        _check_condition(condition)
        operations.invoke(cls(constraint_name, table_name, condition, schema=schema, **kw))

    @classmethod
    def batch_create_check_constraint(
        cls, operations: BatchOperations, constraint_name: str, condition: Any, **kw: Any
    ) -> None:
        """Add a CHECK constraint to the batch's table."""
        _check_condition(condition)
        operations.invoke(
            cls(constraint_name, operations.impl.table_name, condition, schema=operations.impl.schema, **kw)
        )


def _check_condition(condition: Any) -> None:
    from sqlalchemy.sql.elements import ClauseElement

    if isinstance(condition, str):
        if not condition.strip():
            raise ValueError("create_check_constraint(): argument 'condition' must not be empty")
    elif not isinstance(condition, ClauseElement):
        raise TypeError(
            "create_check_constraint(): argument 'condition' must be a SQL string or expression, "
            f"got {type(condition).__name__}"
        )


_DROP_KINDS = {
    "unique_constraint": "unique",
    "foreign_key_constraint": "foreignkey",
    "primary_key_constraint": "primary",
    "check_constraint": "check",
    "column_check_constraint": "check",
    "table_or_column_check_constraint": "check",
}


class DropConstraintOp(MigrateOperation):
    """Drop a constraint.

    :param type_: ``"foreignkey"``, ``"primary"``, ``"unique"`` or ``"check"``;
        required on MySQL / MariaDB and in batch mode.
    """

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddConstraintOp | None = None,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    def reverse(self) -> AddConstraintOp:
        return AddConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, sa_schema.Constraint]:
        if self.constraint_type == "foreignkey":
            return ("remove_fk", self.to_constraint())
        return ("remove_constraint", self.to_constraint())

    def describe(self) -> str:
        kind = f" {_KIND_WORDS.get(self.constraint_type, self.constraint_type)}" if self.constraint_type else ""
        return (
            f"drop{kind} constraint {self.constraint_name} on table "
            f"{qualified(self.table_name, self.schema)}"
        )

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> DropConstraintOp:
        table = constraint_table(constraint)
        return cls(
            constraint.name,
            table.name,
            schema=table.schema,
            type_=_DROP_KINDS.get(constraint.__visit_name__),
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def to_constraint(self) -> sa_schema.Constraint:
        """The constraint dropped, rebuilt from the op it reverses."""
        if self._reverse is None:
            raise ValueError("constraint cannot be produced; original constraint is not present")
        constraint = self._reverse.to_constraint()
        constraint.name = self.constraint_name
        table = constraint_table(constraint)
        table.name = self.table_name
        table.schema = self.schema
        return constraint

    @classmethod
    def drop_constraint(
        cls,
        operations: Operations,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        """Issue ALTER TABLE ... DROP CONSTRAINT.

        :param constraint_name: name of the constraint.
        :param table_name: the table.
        :param type_: ``"foreignkey"``, ``"primary"``, ``"unique"`` or ``"check"``
            (MySQL needs it).
        :param schema: optional schema name.
        :param if_exists: emit ``IF EXISTS``.
        """
        check_name("drop_constraint", "constraint_name", constraint_name)
        check_name("drop_constraint", "table_name", table_name)
        _check_drop_type(type_)
        operations.invoke(cls(constraint_name, table_name, type_=type_, schema=schema, if_exists=if_exists))

    @classmethod
    def batch_drop_constraint(
        cls, operations: BatchOperations, constraint_name: str, type_: str | None = None
    ) -> None:
        """Drop a constraint of the batch's table."""
        check_name("drop_constraint", "constraint_name", constraint_name)
        _check_drop_type(type_)
        operations.invoke(
            cls(constraint_name, operations.impl.table_name, type_=type_, schema=operations.impl.schema)
        )


def _check_drop_type(type_: Any) -> None:
    allowed = ("foreignkey", "primary", "unique", "check")
    if type_ is not None and type_ not in allowed:
        raise ValueError(
            f"drop_constraint(): argument 'type_' must be one of {', '.join(map(repr, allowed))} "
            f"or None, got {type_!r}"
        )
