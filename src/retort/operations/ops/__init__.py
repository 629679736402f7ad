"""Operation objects: what a migration says, as plain data.

``retort.operations.ops`` mirrors ``alembic.operations.ops``.
"""

from __future__ import annotations

from retort.operations.ops.base import (
    AlterTableOp,
    DowngradeOps,
    MigrateOperation,
    MigrationScript,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from retort.operations.ops.columns import AddColumnOp, AlterColumnOp, DropColumnOp
from retort.operations.ops.constraints import (
    AddConstraintOp,
    CreateCheckConstraintOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
)
from retort.operations.ops.foreign_keys import CreateForeignKeyOp
from retort.operations.ops.data import BulkInsertOp, ExecuteSQLOp
from retort.operations.ops.exclude import CreateExcludeConstraintOp
from retort.operations.ops.indexes import CreateIndexOp, DropIndexOp
from retort.operations.ops.tables import (
    CreateTableCommentOp,
    CreateTableOp,
    DropTableCommentOp,
    DropTableOp,
    RenameTableOp,
)

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "AlterTableOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateExcludeConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "ExecuteSQLOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "OpContainer",
    "RenameTableOp",
    "UpgradeOps",
]
