"""Operations: the migration directives and the operation objects behind them.

``from retort.operations import Operations, MigrateOperation`` as in Alembic.
"""

from __future__ import annotations

from retort.operations import ops
from retort.operations.base import AbstractOperations, BatchOperations, Operations
from retort.operations.ops import MigrateOperation, MigrationScript
from retort.operations import builtin as _builtin  # noqa: F401  (registers the directives)
from retort.operations import toimpl as _toimpl  # noqa: F401  (registers the implementations)

__all__ = ["AbstractOperations", "BatchOperations", "MigrateOperation", "MigrationScript", "Operations", "ops"]
