"""PostgreSQL's EXCLUDE constraint as an operation (``op.create_exclude_constraint``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import sqlalchemy as sa
from sqlalchemy.types import NULLTYPE

from retort.operations.ops.base import qualified
from retort.operations.ops.checks import check_name
from retort.operations.ops.constraints import AddConstraintOp, constraint_table

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = ["CreateExcludeConstraintOp"]


@AddConstraintOp.register_add_constraint("exclude_constraint")
class CreateExcludeConstraintOp(AddConstraintOp):
    """Add a PostgreSQL EXCLUDE constraint.

    :param elements: ``(column name or expression, operator)`` pairs.
    :param where: optional predicate (string or expression).
    :param kw: ``using``, ``deferrable``, ``initially`` and dialect options.
    """

    constraint_type = "exclude"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        elements: Sequence[tuple[Any, str]],
        *,
        where: Any = None,
        schema: str | None = None,
        _orig_constraint: Any = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = list(elements)
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Any) -> CreateExcludeConstraintOp:
        table = constraint_table(constraint)
        elements = [(expr, op) for expr, _name, op in constraint._render_exprs]
        kw: dict[str, Any] = {}
        for attr in ("using", "deferrable", "initially"):
            value = getattr(constraint, attr, None)
            if value:
                kw[attr] = value
        return cls(
            constraint.name,
            table.name,
            elements,
            where=constraint.where,
            schema=table.schema,
            _orig_constraint=constraint,
            **kw,
        )

    def to_constraint(self, migration_context: Any = None) -> Any:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        from retort.operations.schemaobj import SchemaObjects

        metadata = SchemaObjects(migration_context).metadata()
        table = sa.Table(self.table_name, metadata, schema=self.schema)
        exprs = []
        for expr, operator in self.elements:
            if isinstance(expr, str):
                if expr not in table.c:
                    table.append_column(sa.Column(expr, NULLTYPE))
                exprs.append((table.c[expr], operator))
            elif isinstance(expr, sa.Column):
                if expr.name not in table.c:
                    table.append_column(sa.Column(expr.name, NULLTYPE))
                exprs.append((table.c[expr.name], operator))
            else:
                exprs.append((expr, operator))
        where = sa.text(self.where) if isinstance(self.where, str) else self.where
        constraint = ExcludeConstraint(*exprs, name=self.constraint_name, where=where, **self.kw)
        table.append_constraint(constraint)
        return constraint

    def describe(self) -> str:
        label = f" {self.constraint_name}" if self.constraint_name else ""
        return f"add exclude constraint{label} on table {qualified(self.table_name, self.schema)}"

    @classmethod
    def create_exclude_constraint(
        cls, operations: Operations, constraint_name: str, table_name: str, *elements: Any, **kw: Any
    ) -> sa.Table | None:
        """Issue ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE (PostgreSQL).

        :param constraint_name: name of the constraint.
        :param table_name: the table.
        :param elements: ``(column, operator)`` pairs, e.g. ``("period", "&&")``.
        :param where: optional WHERE predicate.
        :param schema: optional schema name.
        :param using: index method, e.g. ``"gist"``.
        :param deferrable: emit DEFERRABLE / NOT DEFERRABLE.
        :param initially: emit INITIALLY <value>.
        """
        check_name("create_exclude_constraint", "constraint_name", constraint_name, optional=True)
        check_name("create_exclude_constraint", "table_name", table_name)
        _check_elements(elements)
        return operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(
        cls, operations: BatchOperations, constraint_name: str, *elements: Any, **kw: Any
    ) -> sa.Table | None:
        """Add an EXCLUDE constraint to the batch's table (PostgreSQL)."""
        _check_elements(elements)
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, elements, **kw))


def _check_elements(elements: Sequence[Any]) -> None:
    if not elements:
        raise ValueError("create_exclude_constraint(): at least one (column, operator) element is required")
    for element in elements:
        if not (isinstance(element, tuple) and len(element) == 2):
            raise TypeError(
                "create_exclude_constraint(): each element must be a (column, operator) pair, "
                f"got {element!r}"
            )
