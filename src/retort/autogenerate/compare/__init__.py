"""The ``comparators`` registry and the walk that runs it.

Comparators are registered at three levels with
``comparators.dispatch_for(level, qualifier=dialect_name)``:

* ``"schema"``: ``fn(autogen_context, upgrade_ops, schemas)``
* ``"table"``: ``fn(autogen_context, modify_table_ops, schema, table_name, conn_table, metadata_table)``
* ``"column"``: ``fn(autogen_context, alter_column_op, schema, table_name, column_name, conn_col, metadata_col)``

A comparator registered with a dialect qualifier runs, for that dialect, after
the default ones.  The built-in comparators (one module per subject) use this
same registry; they read the snapshots of :mod:`retort.snapshot` instead of
SQLAlchemy objects, so reflected ``Table`` objects are built only for tables
that differ or that a user hook receives.

Not detected (as in Alembic): renamed tables or columns (seen as a drop and
an add), primary key and CHECK constraint changes, unnamed constraints the
database named itself, changes to the values of a PostgreSQL ENUM, sequences
and views (a schema-level hook can add them, see the spec's sequence
example).  Expression indexes are not compared on SQLite, whose reflection
skips them; a changed computed column's expression is reported as a warning.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from retort.util.registry import Dispatcher

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext
    from retort.operations.ops import UpgradeOps

__all__ = ["comparators", "produce_net_changes"]

#: The registry of comparison functions (``dispatch_for("schema" | "table" | "column")``).
comparators = Dispatcher(uselist=True, what="comparator")


def produce_net_changes(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Work out the schemas to compare and run every schema-level comparator."""
    from .run import ComparisonRun

    run = ComparisonRun(autogen_context)
    autogen_context._comparison_run = run  # type: ignore[attr-defined]
    # The comparison allocates many small, short-lived objects next to a
    # large, long-lived MetaData; the cyclic collector would rescan that
    # MetaData over and over (about 40% of the time on 1,000 tables).
    # Reference counting still frees everything; cycles are collected once
    # the collector is back on.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        schemas = run.schemas()
        for fn in run.hooks("schema"):
            run.call(fn, autogen_context, upgrade_ops, schemas)
        from .detected import log_detected

        mc = autogen_context.migration_context
        log_detected(
            upgrade_ops, getattr(mc, "impl", None), flavor=getattr(getattr(mc, "config", None), "flavor", None)
        )
    finally:
        autogen_context._comparison_run = None  # type: ignore[attr-defined]
        if gc_was_enabled:
            gc.enable()


# The built-in comparators, registered in the order they run; user hooks
# registered later run after them.
from . import tables as _tables  # noqa: E402,F401
from . import columns as _columns  # noqa: E402,F401
from . import types as _types  # noqa: E402,F401
from . import defaults as _defaults  # noqa: E402,F401
from . import comments as _comments  # noqa: E402,F401
from . import indexes as _indexes  # noqa: E402,F401
from . import foreign_keys as _foreign_keys  # noqa: E402,F401
