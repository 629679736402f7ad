"""SQLite's move-and-copy, done the way SQLite's documentation lays it out.

SQLite's "making other kinds of table schema changes" procedure: foreign key
enforcement off (it cannot be switched inside a transaction), everything in
one transaction, triggers re-created after the rename, then
``PRAGMA foreign_key_check`` before committing.  The sqlite3 driver does not
BEGIN before DDL, so the sequence runs inside a SAVEPOINT, which does open a
transaction.  ``legacy_alter_table`` is on for the rename so views that name
the table do not make SQLite reject it while the old table is gone.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

import sqlalchemy as sa

from retort.operations.batch_build import default_should_cast
from retort.operations.batch_run import rules
from retort.util.exc import BatchError

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl
    from retort.operations.batch_plan import TablePlan

__all__: list[str] = []


@rules.dispatch_for("should_cast", qualifier="sqlite")
def _sqlite_should_cast(old_type: Any, new_type: Any) -> bool:
    # CAST(x AS JSON) has NUMERIC affinity on SQLite and turns documents into 0
    if isinstance(new_type, sa.JSON):
        return False
    return default_should_cast(old_type, new_type)


def _referencing(conn: sa.Connection, plan: TablePlan, prefix: str) -> list[str]:
    """``table(column)`` for every foreign key pointing at the table (itself included).

    Foreign keys of other tables name the table and its columns; refuse,
    before any DDL, a batch that drops or renames a column they refer to,
    as SQLite would leave them pointing at nothing.
    """
    source = plan.source
    found = []
    names = conn.exec_driver_sql(f"SELECT name FROM {prefix}sqlite_master WHERE type = 'table'").scalars().all()
    quote = conn.dialect.identifier_preparer.quote_identifier
    for name in names:
        keys: dict[int, list[Any]] = {}
        for row in conn.exec_driver_sql(f"PRAGMA {prefix}foreign_key_list({quote(name)})").mappings():
            if row["table"].lower() == source.name.lower():
                found.append(f"{name}({row['from']})")
                keys.setdefault(row["id"], []).append(row["to"])
        if name.lower() == source.name.lower():
            continue
        for cols in keys.values():
            # SQLite does not compare types across a foreign key: a new type is fine
            if all(c is not None for c in cols) and not plan.keeps_key(cols, retype_ok=True):
                raise BatchError(
                    f"table {name!r} has a foreign key to {source.name}({', '.join(cols)}), which "
                    "this batch drops, renames or un-keys; SQLite would leave it "
                    "pointing at nothing. Drop that foreign key first (in a batch on "
                    f"{name!r}) and create it again after",
                    table_name=source.name,
                )
    return found


_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)


@rules.dispatch_for("prepare", qualifier="sqlite")
def _keep_autoincrement(batch_impl: BatchOperationsImpl, plan: TablePlan, state: dict[str, Any]) -> None:
    # reflection does not report AUTOINCREMENT, nor where its counter stands
    impl = batch_impl.impl
    if impl.as_sql:
        return
    conn = impl.connection
    source = plan.source
    prefix = _prefix(conn, source.schema)
    sql = conn.exec_driver_sql(
        f"SELECT sql FROM {prefix}sqlite_master WHERE type = 'table' AND name = ?", (source.name,)
    ).scalar()
    if not sql or not _AUTOINCREMENT.search(sql):
        return
    plan.table_kwargs.setdefault("sqlite_autoincrement", True)
    state["sqlite_sequence"] = conn.exec_driver_sql(
        f"SELECT seq FROM {prefix}sqlite_sequence WHERE name = ?", (source.name,)
    ).scalar()


@rules.dispatch_for("after_rename", qualifier="sqlite")
def _restore_sequence(batch_impl: BatchOperationsImpl, plan: TablePlan, built: Any, state: dict[str, Any]) -> None:
    seq = state.get("sqlite_sequence")
    if seq is None:
        return
    conn = batch_impl.impl.connection
    prefix = _prefix(conn, plan.schema)
    # never hand out an id again that was used before (what AUTOINCREMENT promises)
    done = conn.exec_driver_sql(
        f"UPDATE {prefix}sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (seq, plan.name)
    ).rowcount
    if not done:
        conn.exec_driver_sql(f"INSERT INTO {prefix}sqlite_sequence (name, seq) VALUES (?, ?)", (plan.name, seq))


def _prefix(conn: sa.Connection, schema: str | None) -> str:
    return f"{conn.dialect.identifier_preparer.quote_identifier(schema)}." if schema else ""


# SQLite binds foreign keys by name and cannot ALTER them in: all stay inline
rules.register("late_kinds", frozenset(), qualifier="sqlite")


@rules.dispatch_for("guard", qualifier="sqlite")
@contextmanager
def sqlite_guard(batch_impl: BatchOperationsImpl, plan: TablePlan) -> Iterator[bool]:
    impl = batch_impl.impl
    source = plan.source
    if impl.as_sql:
        yield True
        return
    conn: sa.Connection = impl.connection
    prefix = _prefix(conn, source.schema)
    turned_off = False
    referencing = _referencing(conn, plan, prefix)
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        if referencing:
            dbapi = conn.connection.dbapi_connection
            if getattr(dbapi, "in_transaction", True):
                raise BatchError(
                    f"batch mode must drop and re-create table {source.name!r}, which "
                    f"{', '.join(referencing)} refer to, and PRAGMA foreign_keys is ON: dropping "
                    "the table would delete or reject their rows. SQLite ignores PRAGMA "
                    "foreign_keys inside a transaction and one is already open on this "
                    "connection; run 'PRAGMA foreign_keys=OFF' before the migration's "
                    "transaction begins (in env.py, before context.begin_transaction())",
                    table_name=source.name,
                )
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            turned_off = True
    legacy = conn.exec_driver_sql("PRAGMA legacy_alter_table").scalar()
    triggers = conn.exec_driver_sql(
        f"SELECT name, sql FROM {prefix}sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (source.name,),
    ).all()
    try:
        if not legacy:
            conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        # a raw SAVEPOINT rather than begin_nested(): on failure it must also be
        # RELEASEd, which ends a transaction it opened, so that the pragma can
        # be switched back on
        conn.exec_driver_sql("SAVEPOINT retort_batch")
        try:
            yield True
            for name, sql in triggers:
                try:
                    conn.exec_driver_sql(sql)
                except sa.exc.DBAPIError as exc:
                    raise BatchError(
                        f"trigger {name!r} on table {source.name!r} cannot be re-created on the "
                        f"new table ({exc.orig}); drop it before the batch and create it again after",
                        table_name=source.name,
                    ) from exc
            if turned_off:
                # only the tables involved: older violations elsewhere are not this batch's
                quote = conn.dialect.identifier_preparer.quote_identifier
                involved = {plan.name} | {ref.split("(")[0] for ref in referencing}
                problems = [
                    p
                    for t in sorted(involved)
                    for p in conn.exec_driver_sql(f"PRAGMA {prefix}foreign_key_check({quote(t)})").all()
                ]
                if problems:
                    raise BatchError(
                        f"batch changes to table {source.name!r} leave rows that break foreign keys "
                        f"(table, rowid, parent): {[tuple(p[:3]) for p in problems[:5]]}",
                        table_name=source.name,
                    )
        except BaseException:
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT retort_batch")
            conn.exec_driver_sql("RELEASE SAVEPOINT retort_batch")
            raise
        conn.exec_driver_sql("RELEASE SAVEPOINT retort_batch")
    finally:
        if not legacy:
            conn.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        if turned_off:
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
