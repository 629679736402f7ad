"""batch: a SQLite batch type change on a large table, against a hand-written copy."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile

import sqlalchemy as sa

from harness import Case


def _make_template(path: str, rows: int) -> None:
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, "
        "balance INTEGER DEFAULT 0, note TEXT)"
    )
    con.execute("CREATE INDEX ix_account_name ON account (name)")
    con.executemany(
        "INSERT INTO account (id, name, balance, note) VALUES (?, ?, ?, ?)",
        ((i, f"name{i}", i % 1000, "x" * 20) for i in range(rows)),
    )
    con.commit()
    con.close()


def _retort(path: str):
    def run() -> None:
        from retort.migration import MigrationContext
        from retort.operations import Operations

        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            with Operations(MigrationContext.configure(conn)).batch_alter_table("account") as batch:
                batch.alter_column("balance", type_=sa.Numeric(12, 2), existing_type=sa.Integer)
        engine.dispose()

    return run


def _alembic(path: str):
    def run() -> None:
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            with Operations(MigrationContext.configure(conn)).batch_alter_table("account") as batch:
                batch.alter_column("balance", type_=sa.Numeric(12, 2), existing_type=sa.Integer)
        engine.dispose()

    return run


def _floor(path: str):
    def run() -> None:
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("BEGIN")
        con.execute(
            "CREATE TABLE _tmp_account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, "
            "balance NUMERIC(12, 2) DEFAULT 0, note TEXT)"
        )
        con.execute(
            "INSERT INTO _tmp_account (id, name, balance, note) "
            "SELECT id, name, CAST(balance AS NUMERIC(12, 2)), note FROM account"
        )
        con.execute("DROP TABLE account")
        con.execute("ALTER TABLE _tmp_account RENAME TO account")
        con.execute("CREATE INDEX ix_account_name ON account (name)")
        con.execute("COMMIT")
        con.close()

    return run


def cases(quick: bool, backends: list[str]) -> list[Case]:
    if "sqlite" not in backends:
        return []
    out = []
    for rows in ((100_000,) if quick else (100_000, 1_000_000)):
        root = tempfile.mkdtemp(prefix="retort-bench-batch-")
        template, path = os.path.join(root, "template.db"), os.path.join(root, "work.db")
        _make_template(template, rows)
        out.append(Case(
            "batch", f"sqlite {rows:,} rows",
            retort=_retort(path), alembic=_alembic(path), floor=_floor(path),
            before_each=lambda t=template, p=path: shutil.copyfile(t, p),
            teardown=lambda r=root: shutil.rmtree(r, ignore_errors=True),
            target="retort/floor <= 1.1",
        ))
    return out
