"""Offline batch_alter_table (copy_from) SQL equals Alembic 1.20's, per dialect.

Compared after ``normalise_batch`` (temp-table name, constraint-line order);
the temp-table name itself is a tracked difference below.
"""

from __future__ import annotations

import pytest

from .cases_batch import BATCH_CASES
from .offline import DIALECTS, normalise_batch, outcome

pytest.importorskip("alembic")

SERVERS_RECREATE = ("postgresql", "mysql", "mariadb", "mssql")
_RECREATING = ("add_column_recreate_always", "rename_table_in_batch", "table_kwargs", "partial_reordering",
               "naming_convention", "add_column_positioned")

# (case, dialect) -> (who is right, what differs)
DIFFERS: dict[tuple[str, str], tuple[str, str]] = {
    **{
        (name, d): (
            "retort",
            "recreate on a server: PostgreSQL — Alembic drops every named constraint first and leaves the SERIAL "
            "sequence behind (ids restart at 1), retort drops only unique ones, setval()s and renames the sequence; "
            "MySQL/MariaDB — retort adds FK/CHECK after the rename (their names are schema-wide); MSSQL — retort "
            "wraps the copy in SET IDENTITY_INSERT ON/OFF",
        )
        for name in _RECREATING
        for d in SERVERS_RECREATE
    },
    **{
        ("table_comment", d): ("retort", "recreate with a table comment: Alembic's copy loses the comment")
        for d in ("postgresql", "mysql", "mariadb", "mssql", "oracle")
    },
    ("drop_column", "sqlite"): (
        "retort", "dropped column: Alembic keeps its CHECK and index (CREATE INDEX ix_t_x ON t (x) then fails)"
    ),
    ("several", "sqlite"): ("retort", "same as drop_column"),
    ("alter_rename", "sqlite"): ("retort", "renamed column: Alembic keeps CHECK (x > 0) with the old name"),
    ("naming_convention", "sqlite"): (
        "retort", "batch naming_convention + create_unique_constraint(None): Alembic raises ValueError"
    ),
    ("passthrough_never", "sqlite"): ("retort", "recreate='never' ALTER COLUMN on SQLite: Alembic writes SQL SQLite rejects"),
    ("naming_convention", "oracle"): ("retort", "as on sqlite"),
}


def _params():
    for name in BATCH_CASES:
        for d in DIALECTS:
            verdict = DIFFERS.get((name, d))
            if verdict is None:
                yield pytest.param(name, d, id=f"{name}-{d}")
            elif verdict[0] == "alembic" and d == "sqlite":
                yield pytest.param(name, d, id=f"{name}-{d}", marks=pytest.mark.xfail(strict=True, reason=verdict[1]))


@pytest.mark.parametrize("name, dialect", list(_params()))
def test_batch_sql_same_as_alembic(name, dialect):
    fn = BATCH_CASES[name]
    assert normalise_batch(outcome("retort", dialect, fn)) == normalise_batch(outcome("alembic", dialect, fn))


def test_temp_table_name_same_as_alembic():
    fn = BATCH_CASES["add_column_recreate_always"]
    assert "_alembic_tmp_t" in outcome("alembic", "sqlite", fn)
    assert "_alembic_tmp_t" in outcome("retort", "sqlite", fn)
