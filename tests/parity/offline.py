"""Run the same directive calls through retort and Alembic 1.20 in --sql mode (no tests here)."""

from __future__ import annotations

import io
import warnings
from typing import Any, Callable

DIALECTS = ("sqlite", "postgresql", "mysql", "mariadb", "mssql", "oracle")


def run_offline(kind: str, dialect: str, fn: Callable[[Any], Any], opts: dict[str, Any] | None = None) -> str:
    """The SQL text ``fn(op)`` writes in --sql mode under ``kind`` ("retort" or "alembic")."""
    buf = io.StringIO()
    options = {"as_sql": True, "output_buffer": buf, **(opts or {})}
    if kind == "alembic":
        from alembic.migration import MigrationContext
        from alembic.operations import Operations
    else:
        from retort.operations import Operations
        from retort.runtime.migration import MigrationContext
    ctx = MigrationContext.configure(dialect_name=dialect, opts=options)
    fn(Operations(ctx))
    return buf.getvalue()


def outcome(kind: str, dialect: str, fn: Callable[[Any], Any], opts: dict[str, Any] | None = None) -> str:
    """The SQL written, or the name of the error raised: both sides must agree."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return run_offline(kind, dialect, fn, opts)
        except Exception as err:  # noqa: BLE001 - the error type is the outcome
            return f"raises {type(err).__name__}"


def normalise_batch(sql: str) -> str:
    """Alembic's temp-table name, and a CREATE TABLE's constraint lines in sorted order.

    Alembic lists a table's constraints in set order (differs run to run), and
    names the copy ``_alembic_tmp_<t>`` where retort says ``_retort_tmp_<t>``.
    """
    sql = sql.replace("_alembic_tmp_", "_TMP_").replace("_retort_tmp_", "_TMP_")
    out: list[str] = []
    block: list[str] = []
    for line in sql.splitlines():
        if line.startswith("    CONSTRAINT ") or line.startswith("    PRIMARY KEY") or line.startswith("    FOREIGN KEY"):
            block.append(line.rstrip(", "))
            continue
        if block:
            out.extend(sorted(block))
            block = []
        out.append(line)
    out.extend(sorted(block))
    return "\n".join(out)
