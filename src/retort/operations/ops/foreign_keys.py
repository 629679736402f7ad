"""The foreign key operation (``op.create_foreign_key``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema

from retort.operations.ops.base import qualified
from retort.operations.ops.checks import check_name, check_names
from retort.operations.ops.constraints import AddConstraintOp, _schema_obj, constraint_table

if TYPE_CHECKING:
    from retort.operations.base import BatchOperations, Operations

__all__ = ["CreateForeignKeyOp"]


def _fk_target(fk: sa.ForeignKey) -> tuple[str | None, str, str]:
    """(schema, table, column) an FK element points to, without resolving it."""
    spec = fk._get_colspec()
    parts = spec.split(".")
    if len(parts) >= 3:
        return ".".join(parts[:-2]), parts[-2], parts[-1]
    return None, parts[0], parts[1]


@AddConstraintOp.register_add_constraint("foreign_key_constraint")
class CreateForeignKeyOp(AddConstraintOp):
    """Add a foreign key constraint.

    :param kw: ``onupdate``, ``ondelete``, ``deferrable``, ``initially``,
        ``match``, ``source_schema``, ``referent_schema``, ``use_alter`` and
        dialect options.
    """

    constraint_type = "foreignkey"

    def __init__(
        self,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = list(local_cols)
        self.remote_cols = list(remote_cols)
        self.kw = kw

    # uniform names for code that groups ops by table
    @property
    def table_name(self) -> str:
        return self.source_table

    @property
    def schema(self) -> str | None:
        return self.kw.get("source_schema")

    def to_diff_tuple(self) -> tuple[str, sa.ForeignKeyConstraint]:
        return ("add_fk", self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateForeignKeyOp:
        assert isinstance(constraint, sa.ForeignKeyConstraint)
        table = constraint_table(constraint)
        kw: dict[str, Any] = {}
        for attr in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
            value = getattr(constraint, attr, None)
            if value:
                kw[attr] = value
        targets = [_fk_target(fk) for fk in constraint.elements]
        referent_schema, referent_table, _ = targets[0]
        kw["source_schema"] = table.schema
        kw["referent_schema"] = referent_schema
        kw.update(constraint.dialect_kwargs)
        return cls(
            constraint.name,
            table.name,
            referent_table,
            [fk.parent.name for fk in constraint.elements],
            [t[2] for t in targets],
            **kw,
        )

    def to_constraint(self, migration_context: Any = None) -> sa.ForeignKeyConstraint:
        kw = {k: v for k, v in self.kw.items() if k != "use_alter"}
        return _schema_obj(migration_context).foreign_key_constraint(
            self.constraint_name, self.source_table, self.referent_table, self.local_cols, self.remote_cols, **kw
        )

    def describe(self) -> str:
        label = f" {self.constraint_name}" if self.constraint_name else ""
        source = qualified(self.source_table, self.kw.get("source_schema"))
        target = qualified(self.referent_table, self.kw.get("referent_schema"))
        return f"add foreign key{label} from {source} to {target}"

    @classmethod
    def create_foreign_key(
        cls,
        operations: Operations,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Issue ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY.

        :param constraint_name: name of the constraint (None: naming convention / unnamed).
        :param source_table: the table holding the key.
        :param referent_table: the table referred to.
        :param local_cols: columns of ``source_table``.
        :param remote_cols: columns of ``referent_table``, same length.
        :param onupdate: ON UPDATE action.
        :param ondelete: ON DELETE action.
        :param deferrable: emit DEFERRABLE / NOT DEFERRABLE.
        :param initially: emit INITIALLY <value>.
        :param match: emit MATCH <value>.
        :param source_schema: schema of the source table.
        :param referent_schema: schema of the referent table.
        """
        d = "create_foreign_key"
        check_name(d, "constraint_name", constraint_name, optional=True)
        check_name(d, "source_table", source_table)
        check_name(d, "referent_table", referent_table)
        local_cols = check_names(d, "local_cols", local_cols)
        remote_cols = check_names(d, "remote_cols", remote_cols)
        _check_same_length(d, local_cols, remote_cols)
        operations.invoke(
            cls(
                constraint_name,
                source_table,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                source_schema=source_schema,
                referent_schema=referent_schema,
                initially=initially,
                match=match,
                **dialect_kw,
            )
        )

    @classmethod
    def batch_create_foreign_key(
        cls,
        operations: BatchOperations,
        constraint_name: str | None,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Add a foreign key to the batch's table."""
        d = "create_foreign_key"
        check_name(d, "referent_table", referent_table)
        local_cols = check_names(d, "local_cols", local_cols)
        remote_cols = check_names(d, "remote_cols", remote_cols)
        _check_same_length(d, local_cols, remote_cols)
        operations.invoke(
            cls(
                constraint_name,
                operations.impl.table_name,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                source_schema=operations.impl.schema,
                referent_schema=referent_schema,
                initially=initially,
                match=match,
                **dialect_kw,
            )
        )


def _check_same_length(directive: str, local_cols: list[Any], remote_cols: list[Any]) -> None:
    if len(local_cols) != len(remote_cols):
        raise ValueError(
            f"{directive}(): arguments 'local_cols' and 'remote_cols' must have the same length "
            f"({len(local_cols)} != {len(remote_cols)})"
        )
