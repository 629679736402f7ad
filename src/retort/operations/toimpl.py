"""How each built-in op is carried out: one short function per op → impl calls.

The only place an op meets an impl.  ``operations.impl`` is the dialect's
DefaultImpl, or the BatchOperationsImpl inside ``batch_alter_table``.  Every
function hands the impl *new* Column / Constraint / Index objects, so the same
op object can be invoked any number of times, in or out of batch mode.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema

from retort.operations import ops
from retort.operations.base import Operations
from retort.operations.schemaobj import coerce_type, copy_column, ensure_fk_targets


def _set(**kw: Any) -> dict[str, Any]:
    """Only the options actually given, so impls without them still work."""
    return {k: v for k, v in kw.items() if v is not None}


@Operations.implementation_for(ops.CreateTableOp)
def create_table(operations: Any, operation: ops.CreateTableOp) -> sa.Table:
    table = operation.to_table(operations.migration_context)
    operations.impl.create_table(table, **_set(if_not_exists=operation.if_not_exists))
    return table


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations: Any, operation: ops.DropTableOp) -> None:
    table = operation.to_table(operations.migration_context)
    operations.impl.drop_table(table, **_set(if_exists=operation.if_exists))


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations: Any, operation: ops.RenameTableOp) -> None:
    operations.impl.rename_table(operation.table_name, operation.new_table_name, schema=operation.schema)


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(operations: Any, operation: ops.CreateTableCommentOp) -> None:
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations: Any, operation: ops.DropTableCommentOp) -> None:
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations: Any, operation: ops.AddColumnOp) -> None:
    column = copy_column(operation.column)
    # attach the copy to a throw-away table: the impl compiles it in context,
    # and the constraints its type / ForeignKeys produce appear on that table
    table = operations.schema_obj.table(operation.table_name, schema=operation.schema)
    table.append_column(column)
    ensure_fk_targets(table)
    operations.impl.add_column(
        operation.table_name,
        column,
        schema=operation.schema,
        **_set(
            if_not_exists=operation.if_not_exists,
            inline_references=operation.inline_references,
            inline_primary_key=operation.inline_primary_key,
        ),
        **operation.kw,
    )
    for constraint in sorted(table.constraints, key=lambda c: c._creation_order):
        if isinstance(constraint, sa_schema.PrimaryKeyConstraint):
            continue  # rendered inline or left to create_primary_key
        if isinstance(constraint, sa.ForeignKeyConstraint) and operation.inline_references:
            continue
        operations.impl.add_constraint(constraint)
    for index in sorted(table.indexes, key=lambda i: i.name or ""):
        operations.impl.create_index(index)
    dialect = operations.impl.dialect
    if column.comment is not None and getattr(dialect, "supports_comments", False) and not getattr(
        dialect, "inline_comments", False
    ):
        operations.impl.create_column_comment(column)


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations: Any, operation: ops.DropColumnOp) -> None:
    column = copy_column(operation.to_column(operations.migration_context))
    table = operations.schema_obj.table(operation.table_name, schema=operation.schema)
    table.append_column(column)
    operations.impl.drop_column(
        operation.table_name,
        column,
        schema=operation.schema,
        **_set(if_exists=operation.if_exists),
        **operation.kw,
    )


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations: Any, operation: ops.AlterColumnOp) -> None:
    impl = operations.impl
    new_type = coerce_type(operation.modify_type)
    impl.alter_column(
        operation.table_name,
        operation.column_name,
        nullable=operation.modify_nullable,
        server_default=operation.modify_server_default,
        name=operation.modify_name,
        type_=new_type,
        schema=operation.schema,
        existing_type=coerce_type(operation.existing_type),
        existing_server_default=_existing_server_default(impl, operation.existing_server_default),
        existing_nullable=operation.existing_nullable,
        comment=operation.modify_comment,
        existing_comment=operation.existing_comment,
        **operation.kw,
    )
    if new_type is not None:
        # a Boolean / Enum that needs a CHECK on this database gets it now
        for constraint in _type_constraints(operations, operation, new_type):
            impl.add_constraint(constraint)


def _existing_server_default(impl: Any, value: Any) -> Any:
    """False means "not given" in the op; most impls take None as "unknown".

    An impl whose SQL differs between "not given" and "given as None" (SQL
    Server looks up the column's default constraint whenever one was stated)
    sets ``keeps_unstated_existing_server_default`` and receives False as is.
    """
    if value is False and not getattr(impl, "keeps_unstated_existing_server_default", False):
        return None
    return value


class _DialectHolder:
    """What a SchemaType's create rule reads from the compiler it is given."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect


def _type_constraints(operations: Any, operation: ops.AlterColumnOp, type_: Any) -> list[Any]:
    """The constraints ``type_`` creates on this column on this database."""
    if not isinstance(type_, sa.types.SchemaType):
        return []
    name = operation.modify_name or operation.column_name
    table = operations.schema_obj.table(operation.table_name, sa.Column(name, type_), schema=operation.schema)
    holder = _DialectHolder(operations.impl.dialect)
    found = []
    for constraint in sorted(table.constraints, key=lambda c: c._creation_order):
        if isinstance(constraint, sa_schema.PrimaryKeyConstraint):
            continue
        rule = getattr(constraint, "_create_rule", None)
        if rule is None or rule(holder):
            found.append(constraint)
    return found


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations: Any, operation: ops.CreateIndexOp) -> None:
    index = operation.to_index(operations.migration_context)
    operations.impl.create_index(index, **_set(if_not_exists=operation.if_not_exists))


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations: Any, operation: ops.DropIndexOp) -> None:
    if operation.table_name is None:
        _require_table_free_drop_index(operations, operation)
    index = operation.to_index(operations.migration_context)
    operations.impl.drop_index(index, **_set(if_exists=operation.if_exists))


def _require_table_free_drop_index(operations: Any, operation: ops.DropIndexOp) -> None:
    """Refuse, rather than name a made-up table, where DROP INDEX names the table."""
    probe = sa.Index(operation.index_name, sa.column("x"))
    try:
        sa_schema.DropIndex(probe).compile(dialect=operations.impl.dialect)
    except AttributeError as err:  # the compiler reached for index.table
        raise ValueError(
            f"drop_index(): the {operations.impl.dialect.name} dialect needs the index's table; "
            f"pass table_name= to drop index {operation.index_name!r}"
        ) from err


@Operations.implementation_for(ops.AddConstraintOp)
def add_constraint(operations: Any, operation: ops.AddConstraintOp) -> None:
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations: Any, operation: ops.DropConstraintOp) -> None:
    constraint = operations.schema_obj.generic_constraint(
        operation.constraint_name, operation.table_name, operation.constraint_type, schema=operation.schema
    )
    operations.impl.drop_constraint(constraint, **_set(if_exists=operation.if_exists))


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations: Any, operation: ops.BulkInsertOp) -> None:
    operations.impl.bulk_insert(operation.table, operation.rows, multiinsert=operation.multiinsert)


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations: Any, operation: ops.ExecuteSQLOp) -> None:
    # runs at once, also inside a batch block (not deferred to the rebuild)
    operations.migration_context.impl.execute(operation.sqltext, execution_options=operation.execution_options)
