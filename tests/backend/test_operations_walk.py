"""Spec 03: walk a MigrationScript and invoke each op, with batch mode on SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, String, Table, text

from retort.migration import MigrationContext
from retort.operations import Operations
from retort.operations import ops
from retort.operations.ops import ModifyTableOps


def _setup(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                """
            create table foo (
                id integer not null primary key,
                old_data varchar(50),
                x integer
            )"""
            )
        )
        conn.execute(text("create table bar (data varchar(50))"))
        conn.execute(text("insert into foo (id, old_data, x) values (1, 'one', 10), (2, 'two', 20)"))


def _target_metadata() -> MetaData:
    metadata = MetaData()
    Table(
        "foo",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("data", Integer),
        Column("x", Integer, nullable=False),
    )
    Table("bat", metadata, Column("info", String(100)))
    return metadata


def _hand_built_script() -> ops.MigrationScript:
    """What produce_migrations() returns for the spec's example, built by hand."""
    metadata = _target_metadata()
    reflected_bar = Table("bar", MetaData(), Column("data", String(50)))
    upgrade = ops.UpgradeOps(
        ops=[
            ops.CreateTableOp.from_table(metadata.tables["bat"]),
            ops.DropTableOp.from_table(reflected_bar),
            ModifyTableOps(
                "foo",
                [
                    ops.AddColumnOp("foo", metadata.tables["foo"].c.data),
                    ops.DropColumnOp.from_column_and_tablename(None, "foo", Column("old_data", String(50))),
                    ops.AlterColumnOp(
                        "foo", "x", existing_type=Integer(), existing_nullable=True, modify_nullable=False
                    ),
                ],
            ),
        ]
    )
    return ops.MigrationScript("abc", upgrade, upgrade.reverse())


def _walk(engine: sa.Engine, conn: sa.Connection, migrations: ops.MigrationScript, workaround: bool) -> None:
    mc = MigrationContext.configure(conn)
    operations = Operations(mc)

    use_batch = engine.name == "sqlite"

    stack = [migrations.upgrade_ops]
    while stack:
        elem = stack.pop(0)

        if use_batch and isinstance(elem, ModifyTableOps):
            with operations.batch_alter_table(elem.table_name, schema=elem.schema) as batch_ops:
                for table_elem in elem.ops:
                    if workaround and hasattr(table_elem, "column"):
                        table_elem.column = table_elem.column._copy()
                    batch_ops.invoke(table_elem)

        elif hasattr(elem, "ops"):
            stack.extend(elem.ops)
        else:
            if workaround and hasattr(elem, "column"):
                elem.column = elem.column._copy()
            operations.invoke(elem)


def _check(engine: sa.Engine) -> None:
    insp = sa.inspect(engine)
    assert set(insp.get_table_names()) == {"foo", "bat"}
    cols = {c["name"]: c for c in insp.get_columns("foo")}
    assert sorted(cols) == ["data", "id", "x"]
    assert cols["x"]["nullable"] is False
    assert [c["name"] for c in insp.get_columns("bat")] == ["info"]
    with engine.connect() as conn:
        rows = conn.execute(text("select id, x, data from foo order by id")).all()
    assert [tuple(r) for r in rows] == [(1, 10, None), (2, 20, None)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
@pytest.mark.parametrize("workaround", [False, True], ids=["plain", "issue753-workaround"])
def test_spec_walk_with_hand_built_script(backend, workaround, request):
    engine = request.getfixturevalue(f"{backend}_engine")
    _setup(engine)
    with engine.begin() as conn:
        _walk(engine, conn, _hand_built_script(), workaround)
    _check(engine)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_same_script_walked_twice_down_and_up(backend, request):
    """The same op objects run again after their reverse: nothing is consumed."""
    engine = request.getfixturevalue(f"{backend}_engine")
    _setup(engine)
    script = _hand_built_script()
    with engine.begin() as conn:
        _walk(engine, conn, script, workaround=False)
    with engine.begin() as conn:
        # walk the downgrade ops (the reverse() of the upgrade) the same way
        downgrade = ops.MigrationScript("d", ops.UpgradeOps(script.downgrade_ops.ops), ops.DowngradeOps())
        _walk(engine, conn, downgrade, workaround=False)
    insp = sa.inspect(engine)
    assert set(insp.get_table_names()) == {"foo", "bar"}
    assert sorted(c["name"] for c in insp.get_columns("foo")) == ["id", "old_data", "x"]
    with engine.begin() as conn:
        _walk(engine, conn, script, workaround=False)
    _check(engine)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_spec_walk_with_produce_migrations(backend, request):
    from retort.autogenerate import produce_migrations

    engine = request.getfixturevalue(f"{backend}_engine")
    _setup(engine)
    with engine.begin() as conn:
        mc = MigrationContext.configure(conn)
        migrations = produce_migrations(mc, _target_metadata())
        _walk(engine, conn, migrations, workaround=False)
    _check(engine)
