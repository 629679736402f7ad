"""Apply the same directives online on PostgreSQL / MariaDB under retort and Alembic (no tests here).

Each case gets the same seeded table; the outcome is the error type (if any) and
the reflected schema of table t.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, Integer, String, text

SEED = {
    "postgresql": [
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (id SERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'anon', x INTEGER, "
        "pid INTEGER CONSTRAINT fk_t_p REFERENCES p (id), flag BOOLEAN DEFAULT false, "
        "CONSTRAINT uq_t_name UNIQUE (name), CONSTRAINT ck_t_x CHECK (x > 0))",
        "CREATE INDEX ix_t_x ON t (x)",
        "COMMENT ON COLUMN t.x IS 'the x'",
        "INSERT INTO p VALUES (1), (2)",
        "INSERT INTO t (name, x, pid) VALUES ('a', 5, 1), ('b', NULL, 2)",
    ],
    "mysql": [
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'anon', "
        "x INTEGER COMMENT 'the x', pid INTEGER, flag BOOL DEFAULT 0, CONSTRAINT uq_t_name UNIQUE (name), "
        "CONSTRAINT ck_t_x CHECK (x > 0), CONSTRAINT fk_t_p FOREIGN KEY (pid) REFERENCES p (id))",
        "CREATE INDEX ix_t_x ON t (x)",
        "INSERT INTO p VALUES (1), (2)",
        "INSERT INTO t (name, x, pid) VALUES ('a', 5, 1), ('b', NULL, 2)",
    ],
}


def seed(conn: sa.Connection, backend: str) -> None:
    for sql in SEED[backend]:
        conn.exec_driver_sql(sql)


def run(kind: str, engine: sa.Engine, fn: Callable[[Any], Any]) -> str | None:
    if kind == "alembic":
        from alembic.migration import MigrationContext
        from alembic.operations import Operations
    else:
        from retort.migration import MigrationContext
        from retort.operations import Operations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with engine.begin() as conn:
                fn(Operations(MigrationContext.configure(conn)))
        except Exception as err:  # noqa: BLE001 - the outcome
            return type(err).__name__
    return None


def describe(engine: sa.Engine) -> dict[str, Any]:
    insp = sa.inspect(engine)
    out: dict[str, Any] = {"tables": sorted(insp.get_table_names())}
    for table in out["tables"]:
        if table == "p":
            continue
        cols = insp.get_columns(table)
        out[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"), c.get("comment"),
                 c.get("autoincrement"), bool(c.get("identity")))
                for c in cols
            ],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
            "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["options"].get("ondelete"))
                          for f in insp.get_foreign_keys(table)),
            "checks": sorted(c["name"] for c in insp.get_check_constraints(table)),
            "comment": insp.get_table_comment(table).get("text"),
        }
    return out


CASES: dict[str, Callable[[Any], Any]] = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def widen_with_hints(op):
    op.alter_column("t", "name", type_=String(100), existing_type=String(50), existing_nullable=False,
                    existing_server_default=text("'anon'"))


@case
def widen_without_hints(op):
    op.alter_column("t", "name", type_=String(100))


@case
def nullable_change(op):
    op.alter_column("t", "flag", nullable=False, existing_type=sa.Boolean, existing_server_default=sa.false())


@case
def rename_column(op):
    op.alter_column("t", "x", new_column_name="xx", existing_type=Integer, existing_comment="the x")


@case
def comment_change(op):
    op.alter_column("t", "x", comment="new x", existing_type=Integer, existing_comment="the x")


@case
def table_comment(op):
    op.create_table_comment("t", "tbl")


@case
def default_change(op):
    op.alter_column("t", "name", server_default="zz", existing_type=String(50), existing_nullable=False)
    op.alter_column("t", "flag", server_default=None, existing_type=sa.Boolean)


@case
def add_column_everything(op):
    op.add_column("t", Column("y", sa.Numeric(8, 2), nullable=False, server_default="0", comment="why"))
    op.add_column("t", Column("q", Integer, sa.ForeignKey("p.id", name="fk_t_q", ondelete="CASCADE")))
    op.create_index("ix_t_y", "t", ["y"], unique=False)


@case
def drop_things(op):
    op.drop_constraint("uq_t_name", "t", type_="unique")
    op.drop_constraint("fk_t_p", "t", type_="foreignkey")
    op.drop_constraint("ck_t_x", "t", type_="check")
    op.drop_index("ix_t_x", table_name="t")


@case
def drop_column_with_index(op):
    op.drop_column("t", "x")


@case
def create_constraints(op):
    op.create_unique_constraint("uq_t_x", "t", ["x"])
    op.create_check_constraint("ck_t_name", "t", "name <> ''")
    op.create_foreign_key("fk_t_pid2", "t", "p", ["pid"], ["id"], ondelete="SET NULL")


@case
def rename_table(op):
    op.rename_table("t", "t2")


@case
def type_change_int_to_bigint(op):
    op.alter_column("t", "x", type_=sa.BigInteger, existing_type=Integer, existing_comment="the x")


@case
def type_change_pk_autoinc(op):
    op.alter_column("t", "id", type_=sa.BigInteger, existing_type=Integer, existing_nullable=False,
                    autoincrement=True)


@case
def type_change_needs_using(op):
    op.alter_column("t", "name", type_=Integer, existing_type=String(50), postgresql_using="length(name)",
                    server_default=None, existing_server_default=text("'anon'"))


@case
def bulk_insert_and_execute(op):
    t = sa.table("t", sa.column("name", String), sa.column("x", Integer))
    op.bulk_insert(t, [{"name": "c", "x": 9}, {"name": "d'q", "x": 10}])
    op.execute(t.update().where(t.c.name == "c").values(x=11))
    op.execute("UPDATE t SET x = x + 1 WHERE name LIKE 'd%'")


@case
def create_table_if_not_exists_twice(op):
    op.create_table("n", Column("id", Integer, primary_key=True), if_not_exists=True)
    op.create_table("n", Column("id", Integer, primary_key=True), if_not_exists=True)


@case
def index_if_exists(op):
    op.create_index("ix_t_name2", "t", ["name"], if_not_exists=True)
    op.create_index("ix_t_name2", "t", ["name"], if_not_exists=True)
    op.drop_index("ix_t_name2", table_name="t", if_exists=True)
    op.drop_index("ix_t_name2", table_name="t", if_exists=True)


@case
def batch_auto_passthrough(op):
    with op.batch_alter_table("t") as b:
        b.add_column(Column("y", Integer))
        b.alter_column("name", type_=String(80), existing_type=String(50), existing_nullable=False)
        b.drop_column("flag")
        b.create_index("ix_t_y", ["y"])


@case
def batch_recreate_always(op):
    with op.batch_alter_table("t", recreate="always") as b:
        b.add_column(Column("y", Integer, server_default="4"))
        b.alter_column("x", new_column_name="xx", existing_type=Integer)
