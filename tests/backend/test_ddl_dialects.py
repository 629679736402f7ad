"""Dialect-specific DDL online: PostgreSQL USING / identity / ENUM / CONCURRENTLY, MySQL re-stated columns, SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.ddl.impl import DefaultImpl, impl_for


def online(conn: sa.Connection) -> DefaultImpl:
    return impl_for(conn.dialect.name)(conn.dialect, conn, False, None, None, {})


def cols(engine: sa.Engine, table: str, schema: str | None = None) -> dict:
    return {c["name"]: c for c in sa.inspect(engine).get_columns(table, schema=schema)}


# ---------------------------------------------------------------- PostgreSQL


def test_pg_type_change_using_converts_rows(postgresql_engine):
    engine = postgresql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("n", sa.String(10)))
    with engine.begin() as conn:
        online(conn).create_table(t)
        conn.execute(t.insert(), [{"n": "1"}, {"n": "22"}])
        online(conn).alter_column("t", "n", type_=sa.Integer, postgresql_using="n::integer")
    assert isinstance(cols(engine, "t")["n"]["type"], sa.Integer)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 22]


def test_pg_identity_add_change_drop(postgresql_engine):
    engine = postgresql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, nullable=False))
    with engine.begin() as conn:
        online(conn).create_table(t)
        online(conn).alter_column("t", "id", server_default=sa.Identity(start=10))
    assert cols(engine, "t")["id"]["identity"]["start"] == 10
    with engine.begin() as conn:
        online(conn).alter_column(
            "t", "id", server_default=sa.Identity(start=10, increment=5), existing_server_default=sa.Identity(start=10)
        )
    assert cols(engine, "t")["id"]["identity"]["increment"] == 5
    with engine.begin() as conn:
        online(conn).alter_column("t", "id", server_default=None, existing_server_default=sa.Identity())
    assert "identity" not in cols(engine, "t")["id"]


def test_pg_enum_type_created_with_table(postgresql_engine):
    engine = postgresql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("mood", sa.Enum("happy", "sad", name="mood")))
    with engine.begin() as conn:
        online(conn).create_table(t)
    assert [e["name"] for e in sa.inspect(engine).get_enums()] == ["mood"]
    with engine.begin() as conn:
        online(conn).drop_table(t)
    # as in Alembic / SQLAlchemy 2.x, the type outlives the table (it belongs to the MetaData)
    assert "t" not in sa.inspect(engine).get_table_names()
    assert [e["name"] for e in sa.inspect(engine).get_enums()] == ["mood"]


def test_pg_schema_qualified_and_quoted_names(postgresql_engine):
    engine = postgresql_engine
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE SCHEMA "Other"'))
    t = sa.Table("Order", sa.MetaData(), sa.Column("select", sa.Integer), schema="Other")
    with engine.begin() as conn:
        impl = online(conn)
        impl.create_table(t)
        impl.alter_column("Order", "select", name="From", schema="Other")
        impl.alter_column("Order", "From", nullable=False, comment="it's", schema="Other")
    col = cols(engine, "Order", schema="Other")["From"]
    assert col["nullable"] is False and col["comment"] == "it's"


def test_pg_create_index_concurrently_while_holding_the_migration_lock(postgresql_engine):
    engine = postgresql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer))
    with engine.begin() as conn:
        online(conn).create_table(t)
    ix = sa.Index("ix_a", t.c.a, postgresql_concurrently=True)
    with engine.connect() as conn:
        impl = online(conn)
        impl.acquire_migration_lock("retort", 5)
        # the lock is session-level: no transaction stays open to block CONCURRENTLY
        assert not conn.in_transaction()
        auto = conn.execution_options(isolation_level="AUTOCOMMIT")
        online(auto).create_index(ix)
        impl.release_migration_lock("retort")
    assert [i["name"] for i in sa.inspect(engine).get_indexes("t")] == ["ix_a"]


# ---------------------------------------------------------------- MySQL / MariaDB


def test_mysql_modify_keeps_existing_attributes(mysql_engine):
    engine = mysql_engine
    t = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("v", sa.String(10), nullable=False, server_default="x", comment="keep me"),
    )
    with engine.begin() as conn:
        online(conn).create_table(t)
        online(conn).alter_column(
            "t", "v", type_=sa.String(40), existing_type=sa.String(10), existing_nullable=False,
            existing_server_default="x", existing_comment="keep me",
        )
        online(conn).alter_column(
            "t", "id", name="pk", existing_type=sa.Integer, existing_nullable=False, existing_autoincrement=True
        )
    c = cols(engine, "t")
    assert c["v"]["type"].length == 40 and c["v"]["nullable"] is False
    assert "x" in str(c["v"]["default"]) and c["v"]["comment"] == "keep me"
    assert c["pk"]["autoincrement"] is True
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (v) VALUES ('a')"))
        assert conn.execute(sa.text("SELECT pk FROM t")).scalar() == 1


def test_mysql_default_alone_uses_alter_column(mysql_engine):
    engine = mysql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("v", sa.String(10), nullable=False))
    with engine.begin() as conn:
        online(conn).create_table(t)
        online(conn).alter_column("t", "v", server_default="it's")
    assert "it''s" in str(cols(engine, "t")["v"]["default"]) or "it's" in str(cols(engine, "t")["v"]["default"])
    assert cols(engine, "t")["v"]["nullable"] is False


def test_mariadb_if_exists_forms(mysql_engine):
    engine = mysql_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer))
    with engine.begin() as conn:
        impl = online(conn)
        assert impl.dialect.is_mariadb
        impl.create_table(t)
        col = sa.Column("b", sa.Integer)
        sa.Table("t", sa.MetaData(), col)
        impl.add_column("t", col, if_not_exists=True)
        impl.add_column("t", col, if_not_exists=True)
        impl.drop_column("t", col, if_exists=True)
        impl.drop_column("t", col, if_exists=True)
        uq = sa.UniqueConstraint(t.c.a, name="uq_a")
        t.append_constraint(uq)
        impl.drop_constraint(uq, if_exists=True)
    assert set(cols(engine, "t")) == {"a"}


# ---------------------------------------------------------------- SQLite


def test_sqlite_if_not_exists_is_emulated(sqlite_engine):
    engine = sqlite_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer))
    col = sa.Column("b", sa.Integer)
    sa.Table("t", sa.MetaData(), col)
    with engine.begin() as conn:
        impl = online(conn)
        impl.create_table(t)
        impl.add_column("t", col, if_not_exists=True)
        impl.add_column("t", col, if_not_exists=True)
    assert set(cols(engine, "t")) == {"a", "b"}
    with engine.begin() as conn:
        online(conn).drop_column("t", col, if_exists=True)
        online(conn).drop_column("t", col, if_exists=True)
    assert set(cols(engine, "t")) == {"a"}


def test_sqlite_refuses_alter_before_touching_the_table(sqlite_engine):
    engine = sqlite_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer))
    with engine.begin() as conn:
        online(conn).create_table(t)
    with engine.begin() as conn, pytest.raises(NotImplementedError, match="batch_alter_table"):
        online(conn).alter_column("t", "a", nullable=False)
    assert cols(engine, "t")["a"]["nullable"] is True


def test_pg_prep_table_for_batch_frees_index_backed_names(postgresql_engine):
    engine = postgresql_engine

    def build(name: str) -> sa.Table:
        md = sa.MetaData()
        sa.Table("other", md, sa.Column("id", sa.Integer, primary_key=True))
        return sa.Table(
            name,
            md,
            sa.Column("id", sa.Integer),
            sa.Column("code", sa.String(5)),
            sa.Column("oid", sa.Integer),
            sa.PrimaryKeyConstraint("id", name="pk_t"),
            sa.UniqueConstraint("code", name="uq_t_code"),
            sa.ForeignKeyConstraint(["oid"], ["other.id"], name="fk_t_other"),
            sa.CheckConstraint("id > 0", name="ck_t_id"),
        )

    old = build("t")
    with engine.begin() as conn:
        online(conn).create_table(old.metadata.tables["other"])
        online(conn).create_table(old)
    with engine.begin() as conn:
        impl = online(conn)
        impl.prep_table_for_batch(None, old)
        # the copy can now be created under the same constraint names
        impl.create_table(build("_retort_tmp_t"))
    insp = sa.inspect(engine)
    assert insp.get_pk_constraint("t")["name"] is None
    assert insp.get_unique_constraints("t") == []
    assert [f["name"] for f in insp.get_foreign_keys("t")] == ["fk_t_other"]
    assert insp.get_pk_constraint("_retort_tmp_t")["name"] == "pk_t"


def test_sqlite_drop_of_an_indexed_column_points_at_batch_mode(sqlite_engine):
    engine = sqlite_engine
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.Integer, index=True))
    with engine.begin() as conn:
        online(conn).create_table(t)
    with engine.begin() as conn, pytest.raises(NotImplementedError, match="batch_alter_table"):
        online(conn).drop_column("t", sa.Column("b"))
    assert set(cols(engine, "t")) == {"a", "b"}
