"""The one list of built-in directives: ``op.<name>`` → operation class.

Registered through the same public ``Operations.register_operation`` that
plugins use.  A class's ``batch_<name>`` classmethod, when present, also
becomes ``<name>`` inside ``batch_alter_table``.
"""

from __future__ import annotations

from retort.operations import ops
from retort.operations.base import Operations

DIRECTIVES: dict[str, type[ops.MigrateOperation]] = {
    # tables
    "create_table": ops.CreateTableOp,
    "drop_table": ops.DropTableOp,
    "rename_table": ops.RenameTableOp,
    "create_table_comment": ops.CreateTableCommentOp,
    "drop_table_comment": ops.DropTableCommentOp,
    # columns
    "add_column": ops.AddColumnOp,
    "drop_column": ops.DropColumnOp,
    "alter_column": ops.AlterColumnOp,
    # indexes
    "create_index": ops.CreateIndexOp,
    "drop_index": ops.DropIndexOp,
    # constraints
    "create_primary_key": ops.CreatePrimaryKeyOp,
    "create_unique_constraint": ops.CreateUniqueConstraintOp,
    "create_foreign_key": ops.CreateForeignKeyOp,
    "create_check_constraint": ops.CreateCheckConstraintOp,
    "create_exclude_constraint": ops.CreateExcludeConstraintOp,
    "drop_constraint": ops.DropConstraintOp,
    # data
    "bulk_insert": ops.BulkInsertOp,
    "execute": ops.ExecuteSQLOp,
}

for _name, _op_cls in DIRECTIVES.items():
    Operations.register_operation(_name)(_op_cls)
