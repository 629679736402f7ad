"""Batch mode in offline (--sql) mode: with ``copy_from`` the whole move-and-copy is written out."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from retort.migration import MigrationContext
from retort.operations import Operations
from retort.util.exc import BatchError, CommandError


def item_table() -> sa.Table:
    meta = sa.MetaData()
    sa.Table("parent", meta, sa.Column("id", sa.Integer, primary_key=True))
    return sa.Table(
        "item",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("qty", sa.Integer, server_default="3"),
        sa.Column("parent_id", sa.ForeignKey("parent.id", name="fk_item_parent")),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("code", name="uq_item_code"),
        sa.Index("ix_item_qty", "qty"),
    )


def offline_ops(dialect: str) -> tuple[Operations, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf})
    return Operations(ctx), buf


def statements(buf: io.StringIO) -> list[str]:
    return [" ".join(s.split()) for s in buf.getvalue().split(";") if s.strip()]


def run_batch(dialect: str, **kw) -> list[str]:
    op, buf = offline_ops(dialect)
    with op.batch_alter_table("item", copy_from=item_table(), **kw) as batch_op:
        batch_op.alter_column("qty", type_=sa.String(5), new_column_name="amount")
        batch_op.drop_column("note")
    return statements(buf)


def test_sqlite_copy_from_writes_the_whole_move_and_copy():
    assert run_batch("sqlite") == [
        "CREATE TABLE _alembic_tmp_item ( id INTEGER NOT NULL, code VARCHAR(10) NOT NULL, "
        "amount VARCHAR(5) DEFAULT '3', parent_id INTEGER, PRIMARY KEY (id), "
        "CONSTRAINT fk_item_parent FOREIGN KEY(parent_id) REFERENCES parent (id), "
        "CONSTRAINT uq_item_code UNIQUE (code) )",
        "INSERT INTO _alembic_tmp_item (id, code, amount, parent_id) "
        "SELECT item.id, item.code, CAST(item.qty AS VARCHAR(5)) AS qty, item.parent_id FROM item",
        "DROP TABLE item",
        "ALTER TABLE _alembic_tmp_item RENAME TO item",
        "CREATE INDEX ix_item_qty ON item (amount)",
    ]


def test_output_is_deterministic():
    assert run_batch("sqlite") == run_batch("sqlite")
    assert run_batch("postgresql", recreate="always") == run_batch("postgresql", recreate="always")


def test_postgresql_always_keeps_the_sequence_and_frees_names():
    out = run_batch("postgresql", recreate="always")
    heads = [s.split(" (")[0] for s in out]
    assert heads == [
        "ALTER TABLE item DROP CONSTRAINT uq_item_code",
        "CREATE TABLE _alembic_tmp_item",
        "INSERT INTO _alembic_tmp_item",
        "SELECT setval(pg_get_serial_sequence('_alembic_tmp_item', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM _alembic_tmp_item",
        "DROP TABLE item",
        "ALTER TABLE _alembic_tmp_item RENAME TO item",
        "ALTER SEQUENCE _alembic_tmp_item_id_seq RENAME TO item_id_seq",
        "CREATE INDEX ix_item_qty ON item",
    ]


def test_mysql_always_adds_foreign_keys_after_the_rename():
    out = run_batch("mysql", recreate="always")
    assert "FOREIGN KEY" not in out[0]
    assert out[-3:] == [
        "ALTER TABLE _alembic_tmp_item RENAME TO item",
        "CREATE INDEX ix_item_qty ON item (amount)",
        "ALTER TABLE item ADD CONSTRAINT fk_item_parent FOREIGN KEY(parent_id) REFERENCES parent (id)",
    ]
    assert "CAST(item.qty AS CHAR(5))" in out[1]


def test_copy_from_table_is_not_modified():
    table = item_table()
    op, _ = offline_ops("sqlite")
    with op.batch_alter_table("item", copy_from=table) as batch_op:
        batch_op.drop_column("note")
    assert list(table.c.keys()) == ["id", "code", "qty", "parent_id", "note"]


def test_without_copy_from_a_rebuild_is_a_clear_error():
    op, buf = offline_ops("sqlite")
    with pytest.raises(BatchError, match="copy_from") as err:
        with op.batch_alter_table("item") as batch_op:
            batch_op.drop_column("note")
    assert isinstance(err.value, CommandError)
    assert err.value.table_name == "item"
    assert buf.getvalue() == ""


def test_without_copy_from_plain_alters_still_work():
    op, buf = offline_ops("sqlite")
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("extra", sa.Integer))
    assert statements(buf) == ["ALTER TABLE item ADD COLUMN extra INTEGER"]
    op, buf = offline_ops("postgresql")
    with op.batch_alter_table("item") as batch_op:
        batch_op.alter_column("qty", type_=sa.BigInteger)
        batch_op.drop_column("note")
    assert statements(buf) == ["ALTER TABLE item ALTER COLUMN qty TYPE BIGINT", "ALTER TABLE item DROP COLUMN note"]


def test_quoting_and_literals_in_the_copy():
    meta = sa.MetaData()
    t = sa.Table("Order", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("select", sa.String(5)))
    op, buf = offline_ops("sqlite")
    with op.batch_alter_table("Order", copy_from=t) as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(9), server_default="it's"))
        batch_op.alter_column("select", nullable=False)
    out = statements(buf)
    assert out[0].startswith('CREATE TABLE "_alembic_tmp_Order" ( id INTEGER NOT NULL, "select" VARCHAR(5) NOT NULL, '
                             "note VARCHAR(9) DEFAULT 'it''s'")
    assert out[1] == 'INSERT INTO "_alembic_tmp_Order" (id, "select") SELECT "Order".id, "Order"."select" FROM "Order"'
    assert out[3] == 'ALTER TABLE "_alembic_tmp_Order" RENAME TO "Order"'


def test_mssql_copies_into_the_identity_column():
    out = [s.replace("GO", "").strip() for s in run_batch("mssql", recreate="always")]
    out = [s for s in out if s]
    heads = [s.split(" (")[0] for s in out]
    assert heads == [
        "CREATE TABLE _alembic_tmp_item",
        "SET IDENTITY_INSERT _alembic_tmp_item ON",
        "INSERT INTO _alembic_tmp_item",
        "SET IDENTITY_INSERT _alembic_tmp_item OFF",
        "DROP TABLE item",
        "EXEC sp_rename '_alembic_tmp_item', item",
        "CREATE INDEX ix_item_qty ON item",
    ]
