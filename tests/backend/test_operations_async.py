"""op.run_async() on a real async driver, as Alembic documents it.

The migration runs inside ``await connection.run_sync(...)``; ``op.run_async(fn,
*args, **kw)`` awaits ``fn(async_connection, *args, **kw)`` on the same
connection and transaction and returns its result.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, String

from retort.operations import Operations
from retort.runtime.migration import MigrationContext

pytest.importorskip("greenlet")
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine  # noqa: E402


async def _count(conn: AsyncConnection, table: str, *, where: str = "1 = 1") -> int:
    return (await conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}"))).scalar_one()


async def _insert(conn: AsyncConnection, table: str, names: list[str], *, tag: str) -> int:
    assert isinstance(conn, AsyncConnection)
    for name in names:
        await conn.execute(sa.text(f"INSERT INTO {table} (name, tag) VALUES (:n, :t)"), {"n": name, "t": tag})
    # the table was created by a synchronous op a moment ago, in this same transaction
    return await _count(conn, table)


def _migration(sync_conn: sa.Connection) -> dict[str, Any]:
    ctx = MigrationContext.configure(connection=sync_conn)
    op = Operations(ctx)
    seen: dict[str, Any] = {}
    with Operations.context(ctx):
        from retort import op as op_proxy

        op.create_table("item", Column("id", Integer, primary_key=True), Column("name", String(20)), Column("tag", String(5)))
        seen["returned"] = op_proxy.run_async(_insert, "item", ["a", "b"], tag="x")
        # what the async function wrote is visible to the sync ops that follow
        op.execute("UPDATE item SET tag = 'y' WHERE name = 'b'")
        seen["tag_y"] = op.run_async(_count, "item", where="tag = 'y'")
    return seen


def _run(url: sa.URL | str, fn: Callable[[sa.Connection], Any], *, commit: bool) -> Any:
    async def main() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                result = await conn.run_sync(fn)
                if commit:
                    await conn.commit()
                else:
                    await conn.rollback()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'async.db'}"


def _postgresql_url(engine: sa.Engine) -> sa.URL:
    return engine.url.set(drivername="postgresql+psycopg")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_run_async_inside_run_sync(backend, tmp_path, request):
    if backend == "sqlite":
        pytest.importorskip("aiosqlite")
        url: Any = _sqlite_url(tmp_path)
        check = sa.create_engine(f"sqlite:///{tmp_path / 'async.db'}")
    else:
        pytest.importorskip("psycopg")
        check = request.getfixturevalue("postgresql_engine")
        url = _postgresql_url(check)
    assert _run(url, _migration, commit=True) == {"returned": 2, "tag_y": 1}
    with check.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, tag FROM item ORDER BY name")).all()
    assert [tuple(r) for r in rows] == [("a", "x"), ("b", "y")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_run_async_shares_the_migration_transaction(backend, tmp_path, request):
    if backend == "sqlite":
        pytest.importorskip("aiosqlite")
        url: Any = _sqlite_url(tmp_path)
        check = sa.create_engine(f"sqlite:///{tmp_path / 'async.db'}")
    else:
        check = request.getfixturevalue("postgresql_engine")
        url = _postgresql_url(check)
    _run(url, _migration, commit=False)
    if backend == "postgresql":
        # rolled back together: the sync CREATE TABLE and the async INSERTs
        assert "item" not in sa.inspect(check).get_table_names()
    else:
        # the SQLite driver begins its transaction at the first INSERT, after the
        # CREATE TABLE; the rows written through the async connection are gone
        with check.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == 0


def test_an_error_in_the_async_function_reaches_the_migration(tmp_path):
    pytest.importorskip("aiosqlite")

    async def boom(conn: AsyncConnection) -> None:
        await conn.execute(sa.text("SELECT * FROM no_such_table"))

    def migration(sync_conn: sa.Connection) -> None:
        Operations(MigrationContext.configure(connection=sync_conn)).run_async(boom)

    with pytest.raises(sa.exc.OperationalError, match="no_such_table"):
        _run(_sqlite_url(tmp_path), migration, commit=False)
