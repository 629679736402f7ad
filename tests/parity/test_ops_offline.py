"""Offline SQL of every directive, argument mix and dialect equals Alembic 1.20's.

``DIFFERS`` lists the (case, dialect) pairs where the two disagree, with who is
right.  Where retort is right (Alembic writes SQL the database rejects, or
crashes) the pair is left out; where Alembic is right the pair is a strict
xfail, so fixing retort turns it into a failure to be moved back in.
"""

from __future__ import annotations

import pytest

from .cases_ops import CASES, LITERAL_BINDS_CASES, NAMING_CASES, NAMING_METADATA
from .offline import DIALECTS, outcome

pytest.importorskip("alembic")

RETORT_RIGHT = "retort right"
ALEMBIC_RIGHT = "alembic right"

_SQLITE_NO_ALTER = "SQLite has no ALTER COLUMN: Alembic writes SQL SQLite rejects, retort raises NotImplementedError"
_NO_IF = "the dialect has no IF [NOT] EXISTS here: Alembic writes SQL it rejects (or drops the clause), retort raises"
_MSSQL_COMMENT = "Alembic crashes (AttributeError/AssertionError) on MSSQL comments, retort writes sp_*extendedproperty"

DIFFERS: dict[tuple[str, str], tuple[str, str]] = {
    **{
        (name, "sqlite"): (RETORT_RIGHT, _SQLITE_NO_ALTER)
        for name in (
            "alter_nullable", "alter_nullable_no_type", "alter_type", "alter_type_with_nullable",
            "alter_type_with_default_comment", "alter_type_using", "alter_type_schema",
            "alter_server_default_set", "alter_server_default_drop", "alter_server_default_no_type",
            "alter_type_boolean_constraint", "alter_type_enum", "alter_mysql_existing_autoinc",
            "alter_mssql_existing_default",
            # both refuse, with different error types (UnsupportedCompilationError / CompileError)
            "alter_comment", "alter_comment_drop", "alter_comment_quote", "alter_everything",
            "alter_identity_add", "alter_identity_change", "alter_identity_drop", "alter_computed",
        )
    },
    ("table_comments", "sqlite"): (RETORT_RIGHT, "Alembic writes COMMENT ON TABLE, which SQLite rejects"),
    ("add_column_boolean_enum", "sqlite"): (
        RETORT_RIGHT,
        "Boolean(create_constraint=True): Alembic silently drops the CHECK, retort raises NotImplementedError",
    ),
    ("create_table_if_not_exists", "mssql"): (RETORT_RIGHT, _NO_IF),
    ("add_column_if_not_exists", "sqlite"): (RETORT_RIGHT, _NO_IF),
    ("add_column_if_not_exists", "mysql"): (RETORT_RIGHT, _NO_IF),
    ("add_column_if_not_exists", "mssql"): (RETORT_RIGHT, _NO_IF),
    ("drop_column_if_exists", "sqlite"): (RETORT_RIGHT, _NO_IF),
    ("drop_column_if_exists", "mysql"): (RETORT_RIGHT, _NO_IF),
    ("create_index_if_not_exists", "mysql"): (RETORT_RIGHT, _NO_IF),
    ("drop_index_if_exists", "mysql"): (RETORT_RIGHT, _NO_IF),
    ("drop_constraint_if_exists", "mysql"): (RETORT_RIGHT, _NO_IF),
    ("drop_constraint_if_exists", "mariadb"): (
        RETORT_RIGHT,
        "Alembic drops if_exists silently (DROP INDEX uq); retort writes DROP INDEX IF EXISTS, valid on MariaDB",
    ),
    **{
        ("drop_index_plain", d): (
            RETORT_RIGHT, "drop_index without table_name: Alembic writes 'ON no_table', retort raises ValueError"
        )
        for d in ("mysql", "mariadb", "mssql")
    },
    ("create_table_comments", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("table_comments", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("add_column_comment", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("alter_comment", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("alter_comment_drop", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("alter_comment_quote", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    ("alter_everything", "mssql"): (RETORT_RIGHT, _MSSQL_COMMENT),
    **{
        ("bulk_insert_json", d): (RETORT_RIGHT, "Alembic raises CompileError on a JSON literal, retort writes it")
        for d in DIALECTS
    },
    **{
        ("execute_strings", d): (
            RETORT_RIGHT, "op.execute('... a % 2'): Alembic writes 'a %% 2' (invalid SQL), retort writes 'a % 2'"
        )
        for d in ("postgresql", "mysql", "mariadb")
    },
}

DIFFERS.update({
    ("alter_type_to_enum", "sqlite"): (RETORT_RIGHT, _SQLITE_NO_ALTER),
    ("alter_nullable_and_default_together", "sqlite"): (RETORT_RIGHT, _SQLITE_NO_ALTER),
    ("alter_rename_and_type", "sqlite"): (RETORT_RIGHT, _SQLITE_NO_ALTER),
    ("bulk_insert_more_types", "postgresql"): (
        RETORT_RIGHT, "bytes in offline bulk_insert: Alembic writes the raw bytes as a string (' ab' with a NUL), "
                      "retort '\\x00016162'::bytea / HEXTORAW('00016162')"
    ),
    ("bulk_insert_more_types", "oracle"): (RETORT_RIGHT, "as on postgresql"),
})
XFAILS: set[tuple[str, str]] = set()

# Alembic creates a table's indexes in set order (differs from run to run)
SET_ORDERED = {"create_table_constraints"}


def _params():
    for name in CASES:
        for d in DIALECTS:
            verdict = DIFFERS.get((name, d))
            if verdict is None:
                yield pytest.param(name, d, id=f"{name}-{d}")
            elif verdict[0] == ALEMBIC_RIGHT and (name, d) in XFAILS:
                yield pytest.param(
                    name, d, id=f"{name}-{d}", marks=pytest.mark.xfail(strict=True, reason=verdict[1])
                )


def _statements(sql: str) -> list[str]:
    """Statements as a multiset (split on the blank lines between them)."""
    return sorted(s.strip() for s in sql.split("\n\n") if s.strip())


@pytest.mark.parametrize("name, dialect", list(_params()))
def test_same_sql_as_alembic(name, dialect):
    fn = CASES[name]
    got, expected = outcome("retort", dialect, fn), outcome("alembic", dialect, fn)
    if name in SET_ORDERED:
        got, expected = _statements(got), _statements(expected)
    assert got == expected


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", list(NAMING_CASES))
def test_naming_convention_same_as_alembic(name, dialect):
    fn = NAMING_CASES[name]
    opts = {"target_metadata": NAMING_METADATA}
    assert outcome("retort", dialect, fn, opts) == outcome("alembic", dialect, fn, opts)


def test_differs_table_names_real_cases():
    assert {name for name, _ in DIFFERS} <= set(CASES)


def _literal_params():
    for name in LITERAL_BINDS_CASES:
        for d in DIALECTS:
            verdict = DIFFERS.get((name, d))
            if verdict is not None:
                continue
            yield pytest.param(name, d, id=f"{name}-{d}")


@pytest.mark.parametrize("name, dialect", list(_literal_params()))
def test_literal_binds_same_sql_as_alembic(name, dialect):
    fn, opts = CASES[name], {"literal_binds": True}
    assert outcome("retort", dialect, fn, opts) == outcome("alembic", dialect, fn, opts)
