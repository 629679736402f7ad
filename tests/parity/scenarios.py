"""(database schema, target MetaData, options) pairs for the autogenerate comparison (no tests here).

``setup(conn)`` builds the database side, ``target()`` returns the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, text
from sqlalchemy.dialects import mysql, postgresql

ALL = ("sqlite", "postgresql", "mysql")


@dataclass
class Scenario:
    name: str
    setup: Callable[[sa.Connection], None]
    target: Callable[[], Any]
    opts: dict[str, Any] = field(default_factory=dict)
    backends: tuple[str, ...] = ALL


SCENARIOS: dict[str, Scenario] = {}


def scenario(*, backends: tuple[str, ...] = ALL, **opts: Any):
    def deco(fn: Callable[[], tuple[Callable[[sa.Connection], None], Callable[[], Any]]]):
        setup, target = fn()
        SCENARIOS[fn.__name__] = Scenario(fn.__name__, setup, target, opts, backends)
        return fn

    return deco


def create(build: Callable[[MetaData], None]) -> Callable[[sa.Connection], None]:
    def setup(conn: sa.Connection) -> None:
        md = MetaData()
        build(md)
        md.create_all(conn)

    return setup


def model(build: Callable[[MetaData], None], **md_kw: Any) -> Callable[[], MetaData]:
    def target() -> MetaData:
        md = MetaData(**md_kw)
        build(md)
        return md

    return target


# --- tables and columns -------------------------------------------------------------------


@scenario()
def tables_added_removed():
    def db(md):
        Table("keep", md, Column("id", Integer, primary_key=True))
        Table("gone", md, Column("id", Integer, primary_key=True), Column("name", String(20), nullable=False))

    def target(md):
        Table("keep", md, Column("id", Integer, primary_key=True))
        Table(
            "fresh", md,
            Column("id", Integer, primary_key=True),
            Column("keep_id", Integer, ForeignKey("keep.id")),
            Column("name", String(40), nullable=False, index=True),
            Column("note", sa.Text),
            sa.UniqueConstraint("keep_id", "name", name="uq_fresh"),
        )

    return create(db), model(target)


@scenario()
def columns_added_removed_nullable():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("old", String(10)),
            Column("n1", Integer, nullable=True), Column("n2", Integer, nullable=False),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("new", String(10), nullable=False),
            Column("n1", Integer, nullable=False), Column("n2", Integer, nullable=True),
        )

    return create(db), model(target)


@scenario()
def no_changes_many_types():
    def build(md):
        Table(
            "t", md,
            Column("id", Integer, primary_key=True),
            Column("a", String(30)), Column("b", sa.Text), Column("c", sa.Numeric(10, 2)),
            Column("d", sa.Date), Column("e", sa.DateTime), Column("f", sa.Boolean),
            Column("g", sa.Float), Column("h", sa.BigInteger), Column("i", sa.SmallInteger),
            Column("j", sa.LargeBinary), Column("k", sa.Time), Column("l", sa.Unicode(20)),
            Column("m", sa.VARCHAR(15)), Column("n", sa.INTEGER), Column("o", sa.CHAR(2)),
        )

    return create(build), model(build)


@scenario()
def type_changes():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", Integer), Column("b", String(10)), Column("c", String(50)),
            Column("d", sa.Numeric(10, 2)), Column("e", sa.Date), Column("f", sa.Text),
            Column("g", sa.Float), Column("h", sa.Boolean), Column("i", sa.SmallInteger),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", sa.BigInteger), Column("b", String(20)), Column("c", sa.Text),
            Column("d", sa.Numeric(12, 4)), Column("e", sa.DateTime), Column("f", String(100)),
            Column("g", sa.Numeric(8, 2)), Column("h", Integer), Column("i", Integer),
        )

    return create(db), model(target)


@scenario(compare_type=False)
def type_compare_off():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", String(5)))

    return create(db), model(target)


@scenario()
def datetime_timezone_enum():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("ts", sa.DateTime),
            Column("e", sa.Enum("a", "b", name="e1")),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("ts", sa.DateTime(timezone=True)),
            Column("e", sa.Enum("a", "b", "c", name="e1")),
        )

    return create(db), model(target)


# --- server defaults ----------------------------------------------------------------------


@scenario(compare_server_default=True)
def server_defaults_changed():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", String(10), server_default="x"), Column("b", Integer, server_default="0"),
            Column("c", Integer), Column("d", String(10), server_default="gone"),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", String(10), server_default="y"), Column("b", Integer, server_default="1"),
            Column("c", Integer, server_default="5"), Column("d", String(10)),
        )

    return create(db), model(target)


@scenario(compare_server_default=True)
def server_defaults_unchanged():
    def build(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", String(10), server_default="x"), Column("b", Integer, server_default="0"),
            Column("c", sa.DateTime, server_default=sa.func.now()),
            Column("d", sa.DateTime, server_default=text("CURRENT_TIMESTAMP")),
            Column("e", sa.Boolean, server_default=sa.true()),
            Column("f", sa.Numeric(5, 2), server_default="1.5"),
            Column("g", String(10), server_default=""),
        )

    return create(build), model(build)


@scenario(compare_server_default=True, backends=("postgresql",))
def server_defaults_pg_casts():
    def build(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", sa.Text, server_default=text("'x'::text")),
            Column("b", postgresql.JSONB, server_default=text("'{}'::jsonb")),
            Column("c", sa.DateTime(timezone=True), server_default=text("now()")),
            Column("d", sa.Uuid, server_default=text("gen_random_uuid()")),
            Column("e", postgresql.ARRAY(Integer), server_default=text("'{}'::integer[]")),
        )

    return create(build), model(build)


# --- indexes and constraints --------------------------------------------------------------


@scenario()
def indexes_changed():
    def db(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
                  Column("c", String(20)))
        Index("ix_gone", t.c.a)
        Index("ix_unique_flip", t.c.b)
        Index("ix_cols", t.c.a, t.c.b)
        Index("ix_same", t.c.c)

    def target(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
                  Column("c", String(20)))
        Index("ix_new", t.c.c, t.c.a)
        Index("ix_unique_flip", t.c.b, unique=True)
        Index("ix_cols", t.c.b, t.c.a)
        Index("ix_same", t.c.c)

    return create(db), model(target)


@scenario(backends=("sqlite", "postgresql"))
def index_expression():
    def db(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("name", String(20)))
        Index("ix_lower", sa.func.lower(t.c.name))

    def target(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("name", String(20)))
        Index("ix_lower", sa.func.lower(t.c.name))
        Index("ix_upper", sa.func.upper(t.c.name))

    return create(db), model(target)


@scenario(backends=("postgresql",))
def index_partial_pg():
    def db(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer))
        Index("ix_part", t.c.a, postgresql_where=t.c.a > 5)

    def target(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer))
        Index("ix_part", t.c.a, postgresql_where=t.c.a > 5)
        Index("ix_part2", t.c.a, postgresql_where=t.c.a < 0)

    return create(db), model(target)


@scenario()
def unique_constraints():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
            Column("c", Integer), sa.UniqueConstraint("a", name="uq_gone"), sa.UniqueConstraint("c", name="uq_same"),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
            Column("c", Integer), sa.UniqueConstraint("a", "b", name="uq_new"),
            sa.UniqueConstraint("c", name="uq_same"),
        )

    return create(db), model(target)


@scenario()
def unique_column_flag():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer, unique=True))

    return create(db), model(target)


@scenario()
def foreign_keys():
    def db(md):
        Table("p", md, Column("id", Integer, primary_key=True), Column("k", Integer, unique=True))
        Table(
            "c", md, Column("id", Integer, primary_key=True),
            Column("pid", Integer, ForeignKey("p.id", name="fk_gone")),
            Column("kid", Integer, ForeignKey("p.k", name="fk_same")),
            Column("xid", Integer),
        )

    def target(md):
        Table("p", md, Column("id", Integer, primary_key=True), Column("k", Integer, unique=True))
        Table(
            "c", md, Column("id", Integer, primary_key=True),
            Column("pid", Integer),
            Column("kid", Integer, ForeignKey("p.k", name="fk_same")),
            Column("xid", Integer, ForeignKey("p.id", name="fk_new", ondelete="CASCADE")),
        )

    return create(db), model(target)


@scenario()
def foreign_key_ondelete_changed():
    def db(md):
        Table("p", md, Column("id", Integer, primary_key=True))
        Table("c", md, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id", name="fk_c")))

    def target(md):
        Table("p", md, Column("id", Integer, primary_key=True))
        Table(
            "c", md, Column("id", Integer, primary_key=True),
            Column("pid", Integer, ForeignKey("p.id", name="fk_c", ondelete="CASCADE")),
        )

    return create(db), model(target)


@scenario()
def naming_convention_target():
    conv = {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }

    def db(md):
        Table("p", md, Column("id", Integer, primary_key=True))

    def target(md):
        Table("p", md, Column("id", Integer, primary_key=True))
        Table(
            "c", md, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id")),
            Column("a", Integer, unique=True, index=False), Column("b", Integer, index=True),
        )

    return create(db), model(target, naming_convention=conv)


# --- comments -----------------------------------------------------------------------------


@scenario(backends=("postgresql", "mysql"))
def comments():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True, comment="old id"), Column("a", Integer),
              Column("b", Integer, comment="drop me"), comment="old table")
        Table("u", md, Column("id", Integer, primary_key=True))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True, comment="new id"), Column("a", Integer, comment="added"),
              Column("b", Integer), comment="new table")
        Table("u", md, Column("id", Integer, primary_key=True), comment="fresh")

    return create(db), model(target)


# --- computed and identity ----------------------------------------------------------------


@scenario(backends=("postgresql", "mysql"))
def computed_columns():
    def build(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer),
              Column("b", Integer, sa.Computed("a * 2")))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer),
              Column("b", Integer, sa.Computed("a * 3")), Column("c", Integer, sa.Computed("a + 1")))

    return create(build), model(target)


@scenario(backends=("postgresql",))
def identity_columns():
    def db(md):
        Table("t", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))
        Table("u", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))

    def target(md):
        Table("t", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))
        Table("u", md, Column("id", Integer, sa.Identity(start=10, increment=5), primary_key=True))

    return create(db), model(target)


# --- dialect types ------------------------------------------------------------------------


@scenario(backends=("postgresql",))
def pg_types():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("j", sa.JSON), Column("a", postgresql.ARRAY(Integer)),
              Column("ip", postgresql.INET), Column("u", sa.Uuid), Column("e", postgresql.ENUM("x", "y", name="pe")))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("j", postgresql.JSONB),
              Column("a", postgresql.ARRAY(sa.BigInteger)), Column("ip", postgresql.INET), Column("u", sa.Uuid),
              Column("e", postgresql.ENUM("x", "y", name="pe")))

    return create(db), model(target)


@scenario(backends=("mysql",))
def mysql_types():
    def db(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", mysql.VARCHAR(20, charset="utf8mb4")), Column("b", mysql.TINYINT(1)),
            Column("c", mysql.INTEGER(unsigned=True)), Column("d", mysql.ENUM("p", "q")),
            Column("e", mysql.DATETIME(fsp=6)), Column("f", sa.Text),
        )

    def target(md):
        Table(
            "t", md, Column("id", Integer, primary_key=True),
            Column("a", String(20)), Column("b", sa.Boolean), Column("c", mysql.INTEGER(unsigned=True)),
            Column("d", mysql.ENUM("p", "q", "r")), Column("e", sa.DateTime), Column("f", mysql.LONGTEXT),
        )

    return create(db), model(target)


# --- filters ------------------------------------------------------------------------------


def _skip_hidden(obj, name, type_, reflected, compare_to):
    return not (name or "").startswith("hidden")


def _name_filter(name, type_, parent_names):
    return not (type_ == "table" and name == "ignored")


@scenario(include_object=_skip_hidden, include_name=_name_filter)
def filters():
    def db(md):
        Table("ignored", md, Column("id", Integer, primary_key=True))
        Table("hidden_t", md, Column("id", Integer, primary_key=True))
        Table("t", md, Column("id", Integer, primary_key=True), Column("hidden_col", Integer), Column("x", Integer))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("y", Integer), Column("hidden_new", Integer))
        Table("hidden_model", md, Column("id", Integer, primary_key=True))

    return create(db), model(target)


# --- schemas (PostgreSQL) -----------------------------------------------------------------


def _pg_schemas(conn: sa.Connection) -> None:
    conn.execute(text("CREATE SCHEMA other"))


@scenario(backends=("postgresql",), include_schemas=True)
def cross_schema():
    def db(conn):
        _pg_schemas(conn)
        md = MetaData()
        Table("p", md, Column("id", Integer, primary_key=True), schema="other")
        Table("c", md, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("other.p.id")))
        Table("gone", md, Column("id", Integer, primary_key=True), schema="other")
        md.create_all(conn)

    def target(md):
        Table("p", md, Column("id", Integer, primary_key=True), schema="other")
        Table("c", md, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("other.p.id")))
        Table("n", md, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("other.p.id")),
              schema="other")

    return db, model(target)


@scenario(backends=("postgresql",))
def other_schema_not_included():
    def db(conn):
        _pg_schemas(conn)
        md = MetaData()
        Table("p", md, Column("id", Integer, primary_key=True), schema="other")
        md.create_all(conn)

    def target(md):
        Table("q", md, Column("id", Integer, primary_key=True), schema="other")

    return db, model(target)


@scenario(backends=("postgresql",), include_schemas=True, version_table_schema="other")
def version_table_ignored():
    def db(conn):
        _pg_schemas(conn)
        conn.execute(text("CREATE TABLE other.alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True))

    return db, model(target)


@scenario(backends=("postgresql",))
def other_schema_existing_not_included():
    def db(conn):
        _pg_schemas(conn)
        md = MetaData()
        Table("p", md, Column("id", Integer, primary_key=True), schema="other")
        md.create_all(conn)

    def target(md):
        Table("p", md, Column("id", Integer, primary_key=True), schema="other")

    return db, model(target)


@scenario(backends=("postgresql",), include_schemas=True, version_table_schema="other",
          version_table="alembic_version")
def version_table_named_ignored():
    def db(conn):
        _pg_schemas(conn)
        conn.execute(text("CREATE TABLE other.alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True))

    return db, model(target)


@scenario(backends=("postgresql",), compare_server_default=True)
def identity_columns_compared():
    def db(md):
        Table("t", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))
        Table("u", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))

    def target(md):
        Table("t", md, Column("id", Integer, sa.Identity(start=1), primary_key=True))
        Table("u", md, Column("id", Integer, sa.Identity(start=10, increment=5), primary_key=True))

    return create(db), model(target)


@scenario(backends=("sqlite",))
def sqlite_version_table_default():
    def db(conn):
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True))

    return db, model(target)


# --- whole tables, both ways (rendering of every type from the model and from reflection) -


def _everything(md: MetaData, backend_types: list[Column] | None = None) -> None:
    Table("parent", md, Column("id", Integer, primary_key=True), Column("code", String(10), unique=True))
    Table(
        "everything", md,
        Column("id", sa.BigInteger, primary_key=True),
        Column("parent_id", Integer, ForeignKey("parent.id", ondelete="CASCADE"), nullable=False),
        Column("parent_code", String(10), ForeignKey("parent.code", name="fk_code")),
        Column("s", String(40), nullable=False, server_default="x"),
        Column("u", sa.Unicode(30)), Column("tx", sa.Text), Column("n", sa.Numeric(10, 3)),
        Column("f", sa.Float), Column("b", sa.Boolean, server_default=sa.true()), Column("d", sa.Date),
        Column("dt", sa.DateTime, server_default=sa.func.now()), Column("tm", sa.Time),
        Column("lb", sa.LargeBinary), Column("si", sa.SmallInteger), Column("ch", sa.CHAR(3)),
        Column("e", sa.Enum("one", "two", name="everything_e")), Column("j", sa.JSON),
        *(backend_types or []),
        sa.UniqueConstraint("s", "d", name="uq_everything_s_d"),
        sa.CheckConstraint("si > 0", name="ck_everything_si"),
        Index("ix_everything_dt", "dt"),
        Index("ix_everything_s_n", "s", "n", unique=True),
        comment=None,
    )


@scenario()
def create_everything():
    return (lambda conn: None), model(_everything)


@scenario()
def drop_everything():
    return create(_everything), model(lambda md: None)


@scenario(backends=("postgresql",))
def drop_everything_pg_types():
    def build(md):
        _everything(md, [
            Column("jb", postgresql.JSONB), Column("arr", postgresql.ARRAY(String(5))),
            Column("ip", postgresql.INET), Column("uid", postgresql.UUID(as_uuid=True)),
            Column("iv", sa.Interval), Column("ts", postgresql.TIMESTAMP(timezone=True, precision=3)),
            Column("by", postgresql.BYTEA), Column("dp", postgresql.DOUBLE_PRECISION),
            Column("ident", Integer, sa.Identity(start=5)), Column("comp", Integer, sa.Computed("si * 2", persisted=True)),
        ])

    return create(build), model(lambda md: None)


@scenario(backends=("mysql",))
def drop_everything_mysql_types():
    def build(md):
        _everything(md, [
            Column("m1", mysql.VARCHAR(20, charset="latin1", collation="latin1_bin")),
            Column("m2", mysql.INTEGER(unsigned=True)), Column("m3", mysql.TINYINT(display_width=1)),
            Column("m4", mysql.SET("a", "b")), Column("m5", mysql.LONGTEXT), Column("m6", mysql.DATETIME(fsp=3)),
            Column("m7", mysql.MEDIUMINT), Column("m8", mysql.YEAR), Column("m9", mysql.BIT(8)),
            Column("m10", mysql.DOUBLE(asdecimal=False)), Column("m11", Integer, sa.Computed("si + 1")),
        ])

    return create(build), model(lambda md: None)


@scenario(backends=("postgresql",))
def create_everything_pg_types():
    def build(md):
        _everything(md, [
            Column("jb", postgresql.JSONB), Column("arr", postgresql.ARRAY(String(5))),
            Column("ident", Integer, sa.Identity(start=5, increment=2)),
            Column("comp", Integer, sa.Computed("si * 2", persisted=True)),
            Column("pe", postgresql.ENUM("a", "b", name="pe2")),
        ])

    return (lambda conn: None), model(build)


# --- more detection ------------------------------------------------------------------------


@scenario()
def check_constraints_not_compared():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer),
              sa.CheckConstraint("a > 0", name="ck_gone"))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer),
              sa.CheckConstraint("a < 100", name="ck_new"))

    return create(db), model(target)


@scenario(backends=("postgresql",))
def pg_enum_values_changed():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("e", postgresql.ENUM("a", "b", name="en")))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("e", postgresql.ENUM("a", "b", "c", name="en")))

    return create(db), model(target)


@scenario()
def dependent_tables_order():
    def db(md):
        Table("a", md, Column("id", Integer, primary_key=True))
        Table("b", md, Column("id", Integer, primary_key=True), Column("a_id", Integer, ForeignKey("a.id")))
        Table("c", md, Column("id", Integer, primary_key=True), Column("b_id", Integer, ForeignKey("b.id")))

    def target(md):
        Table("z", md, Column("id", Integer, primary_key=True), Column("y_id", Integer, ForeignKey("y.id")))
        Table("y", md, Column("id", Integer, primary_key=True), Column("x_id", Integer, ForeignKey("x.id")))
        Table("x", md, Column("id", Integer, primary_key=True))

    return create(db), model(target)


@scenario(compare_server_default=True)
def server_default_func_changes():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True),
              Column("a", sa.DateTime, server_default=sa.func.now()),
              Column("b", Integer, server_default=text("1")),
              Column("c", String(5), server_default=text("'q'")))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True),
              Column("a", sa.DateTime),
              Column("b", Integer, server_default=text("2")),
              Column("c", String(5), server_default="q"))

    return create(db), model(target)


@scenario(backends=("postgresql",), include_schemas=True)
def other_schema_changes():
    def db(conn):
        _pg_schemas(conn)
        md = MetaData()
        Table("t", md, Column("id", Integer, primary_key=True), Column("old", Integer), schema="other")
        Table("gone", md, Column("id", Integer, primary_key=True), schema="other")
        Index("ix_other_old", md.tables["other.t"].c.old)
        md.create_all(conn)

    def target(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("new", String(5), nullable=False),
                  schema="other")
        Index("ix_other_new", t.c.new, unique=True)

    return db, model(target)


@scenario()
def string_collation_and_lengths():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", String(10)), Column("b", sa.Text))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", String(10)),
              Column("b", sa.Text), Column("c", String(5)))

    return create(db), model(target)


@scenario(backends=("sqlite", "postgresql"))
def unique_and_index_same_columns():
    def build(md):
        t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
                  sa.UniqueConstraint("a", name="uq_t_a"))
        Index("ix_t_b", t.c.b, unique=True)
        Index("ix_t_ab", t.c.a, t.c.b)

    return create(build), model(build)


@scenario()
def no_changes_with_fks_and_indexes():
    def build(md):
        Table("p", md, Column("id", Integer, primary_key=True))
        t = Table("t", md, Column("id", Integer, primary_key=True),
                  Column("pid", Integer, ForeignKey("p.id", ondelete="SET NULL")),
                  Column("n", String(20), nullable=False), sa.UniqueConstraint("n", name="uq_t_n"))
        Index("ix_t_pid", t.c.pid)

    return create(build), model(build)


# --- hooks ---------------------------------------------------------------------------------


def _compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    # only length changes of strings count; everything else is "not different"
    if isinstance(metadata_type, sa.String) and isinstance(inspected_type, sa.String):
        return getattr(metadata_type, "length", None) != getattr(inspected_type, "length", None)
    return False


def _compare_default(context, inspected_column, metadata_column, inspected_default, metadata_default,
                     rendered_metadata_default):
    # report only when the model has a default and the database has none
    return inspected_default is None and rendered_metadata_default is not None


@scenario(compare_type=_compare_type, compare_server_default=_compare_default)
def hook_callables():
    def db(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", String(10)), Column("b", Integer),
              Column("c", Integer), Column("d", Integer, server_default="1"))

    def target(md):
        Table("t", md, Column("id", Integer, primary_key=True), Column("a", String(20)), Column("b", sa.BigInteger),
              Column("c", Integer, server_default="5"), Column("d", Integer, server_default="2"))

    return create(db), model(target)


def _schema_filter(name, type_, parent_names):
    if type_ == "schema":
        return name in (None, "keep")
    return True


@scenario(backends=("postgresql",), include_schemas=True, include_name=_schema_filter)
def include_name_schemas():
    def db(conn):
        conn.execute(text("CREATE SCHEMA keep"))
        conn.execute(text("CREATE SCHEMA skip"))
        conn.execute(text("CREATE TABLE keep.a (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE skip.b (id INTEGER PRIMARY KEY)"))

    def target(md):
        Table("c", md, Column("id", Integer, primary_key=True), schema="keep")

    return db, model(target)


@scenario()
def several_metadata():
    def db(md):
        Table("a", md, Column("id", Integer, primary_key=True))
        Table("gone", md, Column("id", Integer, primary_key=True))

    def target():
        m1, m2 = MetaData(), MetaData()
        Table("a", m1, Column("id", Integer, primary_key=True), Column("x", Integer))
        Table("b", m2, Column("id", Integer, primary_key=True))
        return [m1, m2]

    return create(db), target


@scenario(backends=("mysql",), compare_server_default=True)
def mysql_on_update_and_defaults():
    def build(md):
        Table("t", md, Column("id", Integer, primary_key=True),
              Column("ts", sa.TIMESTAMP, nullable=False,
                     server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")),
              Column("n", sa.Numeric(6, 2), server_default=text("0.00")),
              Column("s", String(10), server_default="a'b"),
              Column("b", sa.Boolean, server_default=sa.false()))

    return create(build), model(build)


@scenario(backends=("postgresql",), compare_server_default=True)
def pg_defaults_more():
    def build(md):
        Table("t", md, Column("id", Integer, primary_key=True),
              Column("ts", sa.DateTime(timezone=True), server_default=sa.func.now()),
              Column("n", sa.Numeric(6, 2), server_default=text("0.00")),
              Column("s", String(10), server_default="a'b"),
              Column("b", sa.Boolean, server_default=sa.false()),
              Column("arr", postgresql.ARRAY(Integer), server_default=text("ARRAY[]::integer[]")),
              Column("j", postgresql.JSONB, server_default=text("'[]'")),
              Column("e", sa.Enum("x", "y", name="dflt_e"), server_default="x"))

    return create(build), model(build)
