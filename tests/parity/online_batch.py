"""Run the same batch_alter_table calls online on SQLite under retort and Alembic (no tests here).

The result is compared as a user would check it: the reflected schema and the rows.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import sqlalchemy as sa


def seed(conn: sa.Connection) -> None:
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql("CREATE TABLE p (id INTEGER NOT NULL PRIMARY KEY)")
    conn.exec_driver_sql(
        "CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR(50) DEFAULT 'anon' NOT NULL, x INTEGER, "
        "pid INTEGER, PRIMARY KEY (id), CONSTRAINT uq_t_name UNIQUE (name), CONSTRAINT ck_t_x CHECK (x > 0), "
        "CONSTRAINT fk_t_p FOREIGN KEY(pid) REFERENCES p (id))"
    )
    conn.exec_driver_sql("CREATE INDEX ix_t_x ON t (x)")
    conn.exec_driver_sql("INSERT INTO p (id) VALUES (1), (2)")
    conn.exec_driver_sql("INSERT INTO t (id, name, x, pid) VALUES (1, 'a', 5, 1), (2, 'b', NULL, 2), (3, 'c', 7, NULL)")


def run(kind: str, engine: sa.Engine, fn: Callable[[Any], Any]) -> str | None:
    """Apply ``fn(op)`` online; the error's type name if it raises."""
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
    """The schema and rows of table t as the inspector and a SELECT see them."""
    insp = sa.inspect(engine)
    out: dict[str, Any] = {"tables": sorted(insp.get_table_names())}
    if "t" not in out["tables"]:
        return out
    out["columns"] = [
        (c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in insp.get_columns("t")
    ]
    out["pk"] = insp.get_pk_constraint("t")["constrained_columns"]
    out["indexes"] = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes("t"))
    out["uniques"] = sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints("t"))
    out["fks"] = sorted(
        (f["name"], tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
        for f in insp.get_foreign_keys("t")
    )
    out["checks"] = sorted((c["name"], c["sqltext"]) for c in insp.get_check_constraints("t"))
    with engine.connect() as conn:
        out["rows"] = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM t ORDER BY 1")]
    return out
