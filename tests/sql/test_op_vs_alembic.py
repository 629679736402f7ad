"""Every directive's offline SQL per dialect equals what Alembic 1.20 emits for the same call.

Where retort deliberately differs (it refuses SQL the database would reject,
or Alembic itself fails), the case leaves that dialect out here and
test_op_directives.py pins retort's behaviour instead.
"""

from __future__ import annotations

import warnings

import pytest

import test_op_cases as c

pytest.importorskip("alembic")

CASES = [
    (c.create_table, ("sqlite", "postgresql", "mysql", "oracle")),  # Alembic fails on MSSQL table comments
    (c.create_table_types, c.ALL),
    (c.add_column_fk, ("postgresql", "mysql", "oracle")),
    (c.add_column_unique_index, ("postgresql", "mysql", "mssql", "oracle")),
    (c.add_column_default, c.SERVERS),
    (c.add_column_inline, ("postgresql", "mysql")),
    (c.add_column_if_not_exists, ("postgresql",)),
    (c.drop_column, c.ALL),
    (c.drop_column_if_exists, ("postgresql", "mssql", "oracle")),
    (c.alter_column_type, ("postgresql", "mssql", "oracle")),
    (c.alter_column_misc, c.SERVERS),
    (c.alter_column_comment, ("postgresql", "mysql", "oracle")),
    (c.alter_column_schema_type, c.SERVERS),
    (c.alter_column_identity, ("postgresql", "oracle")),
    (c.indexes, c.ALL),
    (c.indexes_if_exists, ("sqlite", "postgresql", "mssql", "oracle")),
    (c.indexes_postgresql, ("postgresql",)),
    (c.indexes_mysql, ("mysql",)),
    (c.constraints, c.SERVERS),
    (c.drop_constraint_untyped, ("postgresql", "mssql", "oracle")),
    (c.self_referential_fk, c.SERVERS),
    (c.tables, c.ALL),
    (c.table_comments, ("postgresql", "mysql", "oracle")),
    (c.data, ("sqlite", "postgresql", "mysql", "oracle")),
    (c.exclude_constraint, ("postgresql",)),
    (c.batch_passthrough, ("postgresql", "mysql")),
    (c.from_table_indexes, ("sqlite", "postgresql", "mysql")),
    (c.add_column_from_table, ("postgresql", "mysql")),
    (c.batch_exclude, ("postgresql",)),
]

PARAMS = [
    pytest.param(fn, dialect, id=f"{fn.__name__}-{dialect}") for fn, dialects in CASES for dialect in dialects
]


@pytest.mark.parametrize("fn, dialect", PARAMS)
def test_same_sql_as_alembic(fn, dialect):
    assert _outcome("retort", dialect, fn) == _outcome("alembic", dialect, fn)


def _outcome(kind, dialect, fn, opts=None):
    """The SQL emitted, or the type of the error raised (both must agree)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return c.run_offline(kind, dialect, fn, opts)
        except Exception as err:  # noqa: BLE001 - the error type is the outcome
            return f"raises {type(err).__name__}"


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_naming_convention_same_as_alembic(dialect):
    opts = {"target_metadata": c.NAMING}
    expected = c.run_offline("alembic", dialect, c.naming_convention, opts)
    got = c.run_offline("retort", dialect, c.naming_convention, opts)
    assert got == expected
    assert "uq_literal" in got and "uq_t_a" in got and "ck_t_positive" in got
