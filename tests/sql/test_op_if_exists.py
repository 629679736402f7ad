"""if_exists / if_not_exists in --sql mode: the clause where the database has it, a named refusal where not.

The SQL is what Alembic 1.20 writes wherever the database accepts it;
tests/backend/test_operations_if_exists.py runs such scripts on real databases.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Column, Integer

from retort.operations import Operations
from retort.runtime.migration import MigrationContext


def offline_sql(dialect: str, fn) -> str:
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf})
    fn(Operations(ctx))
    return buf.getvalue()


def statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split("\n\n") if s.strip() and s.strip() not in ("GO", "/")]


ACTS = {
    "create_table": lambda op: op.create_table("t", Column("id", Integer, primary_key=True), if_not_exists=True),
    "drop_table": lambda op: op.drop_table("t", if_exists=True),
    "add_column": lambda op: op.add_column("t", Column("c", Integer), if_not_exists=True),
    "drop_column": lambda op: op.drop_column("t", "c", if_exists=True),
    "create_index": lambda op: op.create_index("ix_a", "t", ["a"], if_not_exists=True),
    "drop_index": lambda op: op.drop_index("ix_a", table_name="t", if_exists=True),
    "drop_unique": lambda op: op.drop_constraint("uq_a", "t", type_="unique", if_exists=True),
    "drop_fk": lambda op: op.drop_constraint("fk_a", "t", type_="foreignkey", if_exists=True),
    "drop_check": lambda op: op.drop_constraint("ck_a", "t", type_="check", if_exists=True),
    "drop_pk": lambda op: op.drop_constraint("pk_t", "t", type_="primary", if_exists=True),
}

_CT = "CREATE TABLE IF NOT EXISTS t (\n    id INTEGER NOT NULL{}, \n    PRIMARY KEY (id)\n){}"

SQL = {
    # SQLite
    ("sqlite", "create_table"): _CT.format("", ";"),
    ("sqlite", "drop_table"): "DROP TABLE IF EXISTS t;",
    ("sqlite", "create_index"): "CREATE INDEX IF NOT EXISTS ix_a ON t (a);",
    ("sqlite", "drop_index"): "DROP INDEX IF EXISTS ix_a;",
    # PostgreSQL has every form
    ("postgresql", "create_table"): _CT.replace("INTEGER", "SERIAL").format("", ";"),
    ("postgresql", "drop_table"): "DROP TABLE IF EXISTS t;",
    ("postgresql", "add_column"): "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INTEGER;",
    ("postgresql", "drop_column"): "ALTER TABLE t DROP COLUMN IF EXISTS c;",
    ("postgresql", "create_index"): "CREATE INDEX IF NOT EXISTS ix_a ON t (a);",
    ("postgresql", "drop_index"): "DROP INDEX IF EXISTS ix_a;",
    ("postgresql", "drop_unique"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS uq_a;",
    ("postgresql", "drop_fk"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk_a;",
    ("postgresql", "drop_check"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS ck_a;",
    ("postgresql", "drop_pk"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS pk_t;",
    # MySQL 8: only the table forms
    ("mysql", "create_table"): _CT.format(" AUTO_INCREMENT", ";"),
    ("mysql", "drop_table"): "DROP TABLE IF EXISTS t;",
    # MariaDB has every form (Alembic drops the clause on constraints; MariaDB accepts it)
    ("mariadb", "create_table"): _CT.format(" AUTO_INCREMENT", ";"),
    ("mariadb", "drop_table"): "DROP TABLE IF EXISTS t;",
    ("mariadb", "add_column"): "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INTEGER;",
    ("mariadb", "drop_column"): "ALTER TABLE t DROP COLUMN IF EXISTS c;",
    ("mariadb", "create_index"): "CREATE INDEX IF NOT EXISTS ix_a ON t (a);",
    ("mariadb", "drop_index"): "DROP INDEX IF EXISTS ix_a ON t;",
    ("mariadb", "drop_unique"): "ALTER TABLE t DROP INDEX IF EXISTS uq_a;",
    ("mariadb", "drop_fk"): "ALTER TABLE t DROP FOREIGN KEY IF EXISTS fk_a;",
    ("mariadb", "drop_check"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS ck_a;",
    ("mariadb", "drop_pk"): "ALTER TABLE t DROP INDEX IF EXISTS `PRIMARY`;",
    # SQL Server 2016+: DROP ... IF EXISTS everywhere
    ("mssql", "drop_table"): "DROP TABLE IF EXISTS t;",
    ("mssql", "drop_column"): "ALTER TABLE t DROP COLUMN IF EXISTS c;",
    ("mssql", "drop_index"): "DROP INDEX IF EXISTS ix_a ON t;",
    ("mssql", "drop_unique"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS uq_a;",
    ("mssql", "drop_fk"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk_a;",
    ("mssql", "drop_check"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS ck_a;",
    ("mssql", "drop_pk"): "ALTER TABLE t DROP CONSTRAINT IF EXISTS pk_t;",
    # Oracle 23ai: the table and index forms
    ("oracle", "create_table"): _CT.format("", ""),
    ("oracle", "drop_table"): "DROP TABLE IF EXISTS t",
    ("oracle", "drop_index"): "DROP INDEX IF EXISTS ix_a",
    # no IF NOT EXISTS form known to the dialect: the clause is left out, as Alembic does
    ("mssql", "create_index"): "CREATE INDEX ix_a ON t (a);",
    ("oracle", "create_index"): "CREATE INDEX ix_a ON t (a)",
    ("oracle", "add_column"): "ALTER TABLE t ADD c INTEGER",
}

# the database rejects the clause: refused, naming the option and the dialect
REFUSED = {
    ("sqlite", "add_column"): ("if_not_exists", "SQLite"),
    ("sqlite", "drop_column"): ("if_exists", "SQLite"),
    ("mysql", "add_column"): ("if_not_exists", "MySQL"),
    ("mysql", "drop_column"): ("if_exists", "MySQL"),
    ("mysql", "create_index"): ("if_not_exists", "MySQL"),
    ("mysql", "drop_index"): ("if_exists", "MySQL"),
    ("mysql", "drop_unique"): ("if_exists", "MySQL"),
    ("mysql", "drop_fk"): ("if_exists", "MySQL"),
    ("mysql", "drop_check"): ("if_exists", "MySQL"),
    ("mysql", "drop_pk"): ("if_exists", "MySQL"),
    ("mssql", "create_table"): ("if_not_exists", "SQL Server"),
    ("mssql", "add_column"): ("if_not_exists", "SQL Server"),
}


@pytest.mark.parametrize("dialect, act", sorted(SQL), ids=[f"{d}-{a}" for d, a in sorted(SQL)])
def test_offline_sql(dialect, act):
    assert statements(offline_sql(dialect, ACTS[act])) == [SQL[dialect, act]]


@pytest.mark.parametrize("dialect, act", sorted(REFUSED), ids=[f"{d}-{a}" for d, a in sorted(REFUSED)])
def test_refused_where_the_database_has_no_such_clause(dialect, act):
    option, name = REFUSED[dialect, act]
    with pytest.raises(NotImplementedError, match=rf"(?s)(?=.*{option}=True)(?=.*{name})"):
        offline_sql(dialect, ACTS[act])
