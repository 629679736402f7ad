"""MySQL / MariaDB move-and-copy: foreign keys and CHECKs are added after the rename.

InnoDB foreign key names (and MySQL 8's CHECK names) are unique per database,
so the temporary table cannot carry them while the old table still exists;
they are added to the renamed table, after its indexes so that MySQL uses
those instead of making its own.

Foreign keys of *other* tables that point at this one would stop the old
table from being dropped; as SQLite's procedure does with its pragma,
``foreign_key_checks`` is off for the session while the table is swapped,
and those foreign keys (which refer to the table by name) point at the new
table once it has the name.  MySQL's DDL is not transactional: a failure
before the old table is dropped removes the temporary table (``batch_run``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import sqlalchemy as sa

from retort.operations.batch_run import rules
from retort.util.exc import BatchError

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl
    from retort.operations.batch_plan import TablePlan

__all__: list[str] = []


def _check_referencing(conn: sa.Connection, plan: TablePlan) -> None:
    """Refuse, before any DDL, a change the referring foreign keys could not follow.

    They refer to the table and its columns by name, and need a unique key on
    those columns: without them MySQL refuses the final rename, after the old
    table is gone.
    """
    source = plan.source
    insp = sa.inspect(conn)
    for (schema, table), fks in insp.get_multi_foreign_keys(schema=source.schema).items():
        if table == source.name:
            continue
        for fk in fks:
            if fk["referred_table"] != source.name or fk["referred_schema"] not in (None, source.schema):
                continue
            cols = fk["referred_columns"]
            if not plan.keeps_key(cols):
                raise BatchError(
                    f"foreign key {fk['name']!r} of table {table!r} refers to "
                    f"{source.name}({', '.join(cols)}), which this batch drops, renames, retypes or "
                    "un-keys; drop that foreign key first and create it again after the batch",
                    table_name=source.name,
                )


@contextmanager
def _mysql_guard(batch_impl: BatchOperationsImpl, plan: TablePlan) -> Iterator[bool]:
    impl = batch_impl.impl
    if impl.as_sql:
        yield True
        return
    conn = impl.connection
    _check_referencing(conn, plan)
    checks = conn.exec_driver_sql("SELECT @@SESSION.foreign_key_checks").scalar()
    if checks:
        conn.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    try:
        yield False
    finally:
        if checks:
            conn.exec_driver_sql("SET SESSION foreign_key_checks = 1")


for _name in ("mysql", "mariadb"):
    rules.register("late_kinds", frozenset({"fk", "self_fk", "check"}), qualifier=_name)
    rules.register("guard", _mysql_guard, qualifier=_name)
