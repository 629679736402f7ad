"""Offline if_exists / if_not_exists scripts run twice on real SQLite, MariaDB and PostgreSQL.

The databases accept the clauses retort writes, and a second run changes
nothing (the point of the options); online runs behave the same.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer

from retort.operations import Operations
from retort.runtime.migration import MigrationContext


def offline_sql(dialect: str, fn) -> str:
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf})
    fn(Operations(ctx))
    return buf.getvalue()


def statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split("\n\n") if s.strip()]


def _run_script(conn: sa.Connection, sql: str) -> None:
    for stmt in statements(sql):
        conn.exec_driver_sql(stmt.rstrip(";"))


def _sqlite_script(op: Operations) -> None:
    op.create_table("t", Column("id", Integer, primary_key=True), Column("a", Integer, index=True), if_not_exists=True)
    op.create_index("ix_a", "t", ["a"], if_not_exists=True)
    op.drop_index("ix_a", table_name="t", if_exists=True)
    op.create_table("gone", Column("id", Integer), if_not_exists=True)
    op.drop_table("gone", if_exists=True)


def test_sqlite_runs_the_script_twice(sqlite_engine):
    sql = offline_sql("sqlite", _sqlite_script)
    for _ in range(2):
        with sqlite_engine.begin() as conn:
            _run_script(conn, sql)
    insp = sa.inspect(sqlite_engine)
    assert insp.get_table_names() == ["t"]
    assert [i["name"] for i in insp.get_indexes("t")] == ["ix_t_a"]


def _setup_server(op: Operations) -> None:
    op.create_table("p", Column("id", Integer, primary_key=True), if_not_exists=True)
    op.create_table(
        "t",
        Column("id", Integer, nullable=False, autoincrement=False),
        Column("a", Integer),
        Column("p_id", Integer, ForeignKey("p.id", name="fk_a")),
        sa.PrimaryKeyConstraint("id", name="pk_t"),
        sa.UniqueConstraint("a", name="uq_a"),
        sa.CheckConstraint("a > 0", name="ck_a"),
        if_not_exists=True,
    )


def _server_script(op: Operations) -> None:
    _setup_server(op)
    op.add_column("t", Column("c", Integer), if_not_exists=True)
    op.create_index("ix_a", "t", ["a"], if_not_exists=True)
    op.drop_index("ix_a", table_name="t", if_exists=True)
    op.drop_constraint("fk_a", "t", type_="foreignkey", if_exists=True)
    op.drop_constraint("uq_a", "t", type_="unique", if_exists=True)
    op.drop_constraint("ck_a", "t", type_="check", if_exists=True)
    op.drop_constraint("pk_t", "t", type_="primary", if_exists=True)
    op.drop_column("t", "c", if_exists=True)


@pytest.mark.parametrize("backend, dialect", [("mysql", "mariadb"), ("postgresql", "postgresql")])
def test_server_runs_the_script_twice(backend, dialect, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    sql = offline_sql(dialect, _server_script)
    for _ in range(2):
        with engine.begin() as conn:
            _run_script(conn, sql)
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("t")] == ["id", "a", "p_id"]
    assert insp.get_pk_constraint("t")["constrained_columns"] == []
    assert insp.get_foreign_keys("t") == []
    assert insp.get_unique_constraints("t") == []
    assert {i["name"] for i in insp.get_indexes("t")} <= {"fk_a"}  # MariaDB keeps the FK's own index
    assert insp.get_check_constraints("t") == []


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_server_online_twice(backend, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    for _ in range(2):
        with engine.begin() as conn:
            _server_script(Operations(MigrationContext.configure(connection=conn)))
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("t")] == ["id", "a", "p_id"]
    assert insp.get_pk_constraint("t")["constrained_columns"] == []
