"""Directive calls run side by side under retort and Alembic (no tests here).

Each case is a function of ``op``; ``CASES`` maps its name to it.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String, func, text
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql

CASES: dict[str, Callable[[Any], Any]] = {}


def case(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    CASES[fn.__name__] = fn
    return fn


# --- create_table / drop_table / rename_table ---------------------------------------------


@case
def create_table_plain(op):
    op.create_table("t", Column("id", Integer, primary_key=True), Column("name", String(50), nullable=False))


@case
def create_table_schema_autoinc(op):
    op.create_table(
        "t",
        Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        Column("x", sa.Numeric(10, 2), server_default="0"),
        schema="app",
    )


@case
def create_table_composite_pk(op):
    op.create_table(
        "t",
        Column("a", Integer, primary_key=True),
        Column("b", String(10), primary_key=True),
        sa.PrimaryKeyConstraint("a", "b", name="pk_t"),
    )


@case
def create_table_types_generic(op):
    op.create_table(
        "t",
        Column("i", sa.SmallInteger),
        Column("bi", sa.BigInteger),
        Column("f", sa.Float),
        Column("f53", sa.Float(precision=53)),
        Column("n", sa.Numeric(12, 4)),
        Column("s", sa.String(30)),
        Column("u", sa.Unicode(40)),
        Column("tx", sa.Text),
        Column("ut", sa.UnicodeText),
        Column("d", sa.Date),
        Column("dt", sa.DateTime),
        Column("dtz", sa.DateTime(timezone=True)),
        Column("tm", sa.Time),
        Column("iv", sa.Interval),
        Column("lb", sa.LargeBinary),
        Column("j", sa.JSON),
        Column("uu", sa.Uuid),
        Column("dbl", sa.Double),
    )


@case
def create_table_types_uppercase(op):
    op.create_table(
        "t",
        Column("a", sa.VARCHAR(10)),
        Column("b", sa.CHAR(3)),
        Column("c", sa.NVARCHAR(20)),
        Column("d", sa.TIMESTAMP),
        Column("e", sa.DECIMAL(5, 1)),
        Column("f", sa.REAL),
        Column("g", sa.CLOB),
        Column("h", sa.BLOB),
        Column("i", sa.INTEGER),
        Column("k", sa.TEXT),
    )


@case
def create_table_boolean_enum(op):
    op.create_table(
        "t",
        Column("b", sa.Boolean, server_default=sa.true()),
        Column("b2", sa.Boolean(create_constraint=True, name="ck_b2")),
        Column("e", sa.Enum("x", "y", "z", name="e3")),
        Column("e2", sa.Enum("p", "q", name="e4", native_enum=False, create_constraint=True)),
    )


@case
def create_table_server_defaults(op):
    op.create_table(
        "t",
        Column("a", String(10), server_default="it's"),
        Column("b", Integer, server_default=text("42")),
        Column("c", sa.DateTime, server_default=func.now()),
        Column("d", sa.DateTime, server_default=func.current_timestamp()),
        Column("e", sa.Boolean, server_default=sa.false()),
    )


@case
def create_table_fk_options(op):
    op.create_table(
        "child",
        Column("id", Integer, primary_key=True),
        Column("pid", Integer, ForeignKey("parent.id", ondelete="CASCADE", onupdate="SET NULL", name="fk_p")),
        Column("qid", Integer),
        sa.ForeignKeyConstraint(["qid"], ["other.q.id"], name="fk_q", deferrable=True, initially="DEFERRED"),
    )


@case
def create_table_constraints(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", String(5)),
        sa.UniqueConstraint("a", "b", name="uq_ab"),
        sa.CheckConstraint("a > 0", name="ck_a"),
        sa.Index("ix_t_b", "b"),
        sa.Index("ix_t_ab", "a", "b", unique=True),
    )


@case
def create_table_comments(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True, comment="the id"),
        Column("x", String(10), comment="it's x"),
        comment="table's comment",
    )


@case
def create_table_if_not_exists(op):
    op.create_table("t", Column("id", Integer, primary_key=True), if_not_exists=True)


@case
def create_table_computed_identity(op):
    op.create_table(
        "t",
        Column("id", Integer, sa.Identity(start=10, increment=5), primary_key=True),
        Column("a", Integer),
        Column("b", Integer, sa.Computed("a * 2")),
        Column("c", Integer, sa.Computed("a + 1", persisted=True)),
    )


@case
def create_table_dialect_kwargs(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        postgresql_with_oids=None,
    )


@case
def create_table_dialect_types_pg(op):
    op.create_table(
        "t",
        Column("j", postgresql.JSONB),
        Column("a", postgresql.ARRAY(Integer)),
        Column("u", postgresql.UUID),
        Column("ip", postgresql.INET),
        Column("ts", postgresql.TSVECTOR),
        Column("m", postgresql.MONEY),
        Column("e", postgresql.ENUM("a", "b", name="pgenum")),
    )


@case
def create_table_dialect_types_mysql(op):
    op.create_table(
        "t",
        Column("a", mysql.VARCHAR(20, charset="utf8mb4", collation="utf8mb4_bin")),
        Column("b", mysql.INTEGER(unsigned=True)),
        Column("c", mysql.TINYINT(1)),
        Column("d", mysql.SET("x", "y")),
        Column("e", mysql.ENUM("p", "q")),
        Column("f", mysql.LONGTEXT),
        Column("g", mysql.DATETIME(fsp=6)),
    )


@case
def create_table_collation(op):
    op.create_table("t", Column("a", String(20, collation="C")))


@case
def drop_table_plain(op):
    op.drop_table("t")
    op.drop_table("t2", schema="s")


@case
def drop_table_if_exists(op):
    op.drop_table("t", if_exists=True)


@case
def rename_table(op):
    op.rename_table("a", "b")
    op.rename_table("a", "b", schema="s")


@case
def table_comments(op):
    op.create_table_comment("t", "new comment", existing_comment="old")
    op.create_table_comment("t", "it's", schema="s")
    op.drop_table_comment("t", existing_comment="old")
    op.drop_table_comment("t", schema="s")


# --- columns --------------------------------------------------------------------------------


@case
def add_column_plain(op):
    op.add_column("t", Column("c", String(50)))
    op.add_column("t", Column("d", Integer, nullable=False), schema="s")


@case
def add_column_server_defaults(op):
    op.add_column("t", Column("a", String(10), nullable=False, server_default="x'y"))
    op.add_column("t", Column("b", sa.DateTime, server_default=func.now()))
    op.add_column("t", Column("c", sa.Boolean, server_default=sa.true(), nullable=False))
    op.add_column("t", Column("d", Integer, server_default=text("0")))


@case
def add_column_comment(op):
    op.add_column("t", Column("c", Integer, comment="a comment"))


@case
def add_column_fk(op):
    op.add_column("t", Column("pid", Integer, ForeignKey("p.id")))


@case
def add_column_fk_named(op):
    op.add_column("t", Column("pid", Integer, ForeignKey("p.id", name="fk_t_p", ondelete="CASCADE")))


@case
def add_column_if_not_exists(op):
    op.add_column("t", Column("c", Integer), if_not_exists=True)


@case
def add_column_boolean_enum(op):
    op.add_column("t", Column("b", sa.Boolean(create_constraint=True, name="ck_tb")))
    op.add_column("t", Column("e", sa.Enum("a", "b", name="myenum")))


@case
def add_column_computed(op):
    op.add_column("t", Column("c", Integer, sa.Computed("a + b")))


@case
def add_column_identity(op):
    op.add_column("t", Column("c", Integer, sa.Identity()))


@case
def add_column_types(op):
    op.add_column("t", Column("a", sa.Numeric(8, 3)))
    op.add_column("t", Column("b", sa.Unicode(20)))
    op.add_column("t", Column("c", sa.JSON))
    op.add_column("t", Column("d", sa.Uuid))
    op.add_column("t", Column("e", sa.LargeBinary(100)))


@case
def drop_column_plain(op):
    op.drop_column("t", "c")
    op.drop_column("t", "c", schema="s")


@case
def drop_column_if_exists(op):
    op.drop_column("t", "c", if_exists=True)


@case
def drop_column_mssql_kw(op):
    op.drop_column("t", "c", mssql_drop_default=True, mssql_drop_check=True, mssql_drop_foreign_key=True)


@case
def alter_nullable(op):
    op.alter_column("t", "c", nullable=False, existing_type=String(10))
    op.alter_column("t", "c", nullable=True, existing_type=Integer, existing_server_default="5")


@case
def alter_nullable_no_type(op):
    op.alter_column("t", "c", nullable=False)


@case
def alter_type(op):
    op.alter_column("t", "c", type_=sa.BigInteger, existing_type=Integer)


@case
def alter_type_with_nullable(op):
    op.alter_column("t", "c", type_=String(100), existing_type=String(50), existing_nullable=False)


@case
def alter_type_with_default_comment(op):
    op.alter_column(
        "t", "c", type_=sa.Text, existing_type=String(50), existing_nullable=True,
        existing_server_default="abc", existing_comment="cc",
    )


@case
def alter_type_using(op):
    op.alter_column("t", "c", type_=Integer, existing_type=String(10), postgresql_using="c::integer")


@case
def alter_type_schema(op):
    op.alter_column("t", "c", type_=sa.Numeric(10, 2), existing_type=Integer, schema="s")


@case
def alter_server_default_set(op):
    op.alter_column("t", "c", server_default="hello", existing_type=String(10))
    op.alter_column("t", "d", server_default=text("now()"), existing_type=sa.DateTime)
    op.alter_column("t", "e", server_default=func.now(), existing_type=sa.DateTime, existing_nullable=False)


@case
def alter_server_default_drop(op):
    op.alter_column("t", "c", server_default=None, existing_type=String(10), existing_server_default="x")


@case
def alter_server_default_no_type(op):
    op.alter_column("t", "c", server_default="1")


@case
def alter_rename(op):
    op.alter_column("t", "c", new_column_name="d", existing_type=Integer)


@case
def alter_rename_full(op):
    op.alter_column(
        "t", "c", new_column_name="d", existing_type=String(10), existing_nullable=False,
        existing_server_default=text("'x'"), existing_comment="note", schema="s",
    )


@case
def alter_rename_no_type(op):
    op.alter_column("t", "c", new_column_name="d")


@case
def alter_comment(op):
    op.alter_column("t", "c", comment="new", existing_type=Integer)


@case
def alter_comment_drop(op):
    op.alter_column("t", "c", comment=None, existing_type=Integer, existing_comment="old")


@case
def alter_comment_quote(op):
    op.alter_column("t", "c", comment="it's", existing_type=String(5), existing_nullable=False)


@case
def alter_everything(op):
    op.alter_column(
        "t", "c", new_column_name="d", type_=String(20), nullable=False, server_default="z",
        comment="cm", existing_type=String(10), existing_nullable=True, existing_server_default="y",
        existing_comment="old",
    )


@case
def alter_type_boolean_constraint(op):
    op.alter_column(
        "t", "b", type_=Integer, existing_type=sa.Boolean(create_constraint=True, name="ck_b"),
    )


@case
def alter_type_enum(op):
    op.alter_column(
        "t", "e", type_=sa.Enum("a", "b", "c", name="en2"), existing_type=sa.Enum("a", "b", name="en1"),
    )


@case
def alter_autoincrement(op):
    op.alter_column("t", "id", autoincrement=True, existing_type=Integer, existing_nullable=False)


@case
def alter_identity_add(op):
    op.alter_column("t", "id", server_default=sa.Identity(start=5), existing_type=Integer)


@case
def alter_identity_change(op):
    op.alter_column(
        "t", "id", server_default=sa.Identity(start=5, increment=2),
        existing_server_default=sa.Identity(start=1), existing_type=Integer,
    )


@case
def alter_identity_drop(op):
    op.alter_column("t", "id", server_default=None, existing_server_default=sa.Identity(), existing_type=Integer)


@case
def alter_computed(op):
    op.alter_column("t", "c", server_default=sa.Computed("a * 3"), existing_type=Integer)


@case
def alter_mysql_existing_autoinc(op):
    op.alter_column(
        "t", "id", type_=sa.BigInteger, existing_type=Integer, existing_nullable=False,
        existing_autoincrement=True,
    )


@case
def alter_mssql_existing_default(op):
    op.alter_column("t", "c", type_=sa.BigInteger, existing_type=Integer, existing_server_default="0")


@case
def alter_no_change(op):
    op.alter_column("t", "c", existing_type=Integer)


# --- indexes ------------------------------------------------------------------------------


@case
def create_index_plain(op):
    op.create_index("ix_a", "t", ["a"])
    op.create_index("ix_ab", "t", ["a", "b"], unique=True)
    op.create_index("ix_s", "t", ["a"], schema="s")


@case
def create_index_expr(op):
    op.create_index("ix_lower", "t", [text("lower(name)")])
    op.create_index("ix_func", "t", [func.lower(sa.column("name")), "b"])
    op.create_index("ix_desc", "t", [sa.column("a").desc()])


@case
def create_index_if_not_exists(op):
    op.create_index("ix_a", "t", ["a"], if_not_exists=True)


@case
def drop_index_plain(op):
    op.drop_index("ix_a", table_name="t")
    op.drop_index("ix_a", table_name="t", schema="s")
    op.drop_index("ix_b")


@case
def drop_index_if_exists(op):
    op.drop_index("ix_a", table_name="t", if_exists=True)


@case
def index_pg_kwargs(op):
    op.create_index("ix1", "t", ["a"], postgresql_where=text("a IS NOT NULL"))
    op.create_index("ix2", "t", ["a"], postgresql_using="hash")
    op.create_index("ix3", "t", ["a"], postgresql_include=["b", "c"])
    op.create_index("ix4", "t", ["a"], postgresql_concurrently=True, unique=True)
    op.drop_index("ix4", "t", postgresql_concurrently=True)
    op.create_index("ix5", "t", ["a"], postgresql_ops={"a": "text_pattern_ops"})
    op.create_index("ix6", "t", ["a"], postgresql_nulls_not_distinct=True, unique=True)
    op.create_index("ix7", "t", ["a"], postgresql_with={"fillfactor": 50})


@case
def index_mysql_kwargs(op):
    op.create_index("ix1", "t", ["a"], mysql_length=10)
    op.create_index("ix2", "t", ["a", "b"], mysql_length={"a": 4, "b": 8})
    op.create_index("ix3", "t", ["a"], mysql_prefix="FULLTEXT")
    op.create_index("ix4", "t", ["a"], mysql_using="btree")


@case
def index_mssql_kwargs(op):
    op.create_index("ix1", "t", ["a"], mssql_clustered=True)
    op.create_index("ix2", "t", ["a"], mssql_include=["b"])
    op.create_index("ix3", "t", ["a"], mssql_where=text("a > 1"))


@case
def index_sqlite_where(op):
    op.create_index("ix1", "t", ["a"], sqlite_where=text("a > 1"))


@case
def index_op_f(op):
    op.create_index(op.f("ix_t_a"), "t", ["a"])
    op.drop_index(op.f("ix_t_a"), table_name="t")


# --- constraints --------------------------------------------------------------------------


@case
def pk(op):
    op.create_primary_key("pk_t", "t", ["id"])
    op.create_primary_key("pk_t2", "t2", ["a", "b"], schema="s")


@case
def unique(op):
    op.create_unique_constraint("uq_t_a", "t", ["a"])
    op.create_unique_constraint("uq_t_ab", "t", ["a", "b"], schema="s")


@case
def unique_deferrable(op):
    op.create_unique_constraint("uq_t_a", "t", ["a"], deferrable=True, initially="DEFERRED")


@case
def fk_plain(op):
    op.create_foreign_key("fk_t_p", "t", "p", ["pid"], ["id"])


@case
def fk_options(op):
    op.create_foreign_key(
        "fk_t_p", "t", "p", ["a", "b"], ["x", "y"], ondelete="CASCADE", onupdate="RESTRICT",
    )


@case
def fk_deferrable_match(op):
    op.create_foreign_key(
        "fk_t_p", "t", "p", ["a"], ["x"], deferrable=True, initially="DEFERRED", match="FULL",
    )


@case
def fk_schemas(op):
    op.create_foreign_key("fk_t_p", "t", "p", ["a"], ["x"], source_schema="s1", referent_schema="s2")


@case
def fk_self(op):
    op.create_foreign_key("fk_self", "t", "t", ["parent_id"], ["id"])


@case
def check(op):
    op.create_check_constraint("ck_t_a", "t", "a > 5")
    op.create_check_constraint("ck_t_b", "t", sa.column("b") < 100, schema="s")


@case
def check_quote(op):
    op.create_check_constraint("ck_t_a", "t", "a <> 'it''s'")


@case
def drop_constraint_typed(op):
    op.drop_constraint("fk_t_p", "t", type_="foreignkey")
    op.drop_constraint("uq_t_a", "t", type_="unique")
    op.drop_constraint("ck_t_a", "t", type_="check")
    op.drop_constraint("pk_t", "t", type_="primary")


@case
def drop_constraint_untyped(op):
    op.drop_constraint("c1", "t")


@case
def drop_constraint_schema(op):
    op.drop_constraint("uq_t_a", "t", type_="unique", schema="s")


@case
def drop_constraint_if_exists(op):
    op.drop_constraint("uq_t_a", "t", type_="unique", if_exists=True)


@case
def op_f_names(op):
    op.create_unique_constraint(op.f("uq_t_a"), "t", ["a"])
    op.create_foreign_key(op.f("fk_t_p"), "t", "p", ["pid"], ["id"])
    op.create_check_constraint(op.f("ck_t_x"), "t", "x > 0")
    op.drop_constraint(op.f("uq_t_a"), "t", type_="unique")


@case
def exclude(op):
    op.create_exclude_constraint("ex_t", "t", ("period", "&&"), ("room", "="), where="room > 0", using="gist")


# --- data ---------------------------------------------------------------------------------

_T = sa.table(
    "t",
    sa.column("id", Integer),
    sa.column("s", String),
    sa.column("f", sa.Float),
    sa.column("n", sa.Numeric),
    sa.column("b", sa.Boolean),
    sa.column("d", sa.Date),
    sa.column("dt", sa.DateTime),
)


@case
def bulk_insert_multi(op):
    op.bulk_insert(
        _T,
        [
            {"id": 1, "s": "a", "f": 1.5, "n": decimal.Decimal("2.25"), "b": True,
             "d": datetime.date(2020, 1, 2), "dt": datetime.datetime(2020, 1, 2, 3, 4, 5)},
            {"id": 2, "s": "it's", "f": -0.5, "n": decimal.Decimal("0"), "b": False,
             "d": datetime.date(1999, 12, 31), "dt": datetime.datetime(1999, 12, 31, 23, 59, 59)},
        ],
    )


@case
def bulk_insert_single(op):
    op.bulk_insert(_T, [{"id": 1, "s": "x"}, {"id": 2, "s": "y"}], multiinsert=False)


@case
def bulk_insert_nulls_missing(op):
    op.bulk_insert(_T, [{"id": 1, "s": None}, {"id": 2}])


@case
def bulk_insert_table_obj(op):
    t = sa.Table(
        "t2", sa.MetaData(), Column("id", Integer, primary_key=True), Column("name", String(20)),
        schema="s",
    )
    op.bulk_insert(t, [{"id": 1, "name": "x"}, {"id": 2, "name": 'q"uote'}])


@case
def bulk_insert_unicode(op):
    op.bulk_insert(_T, [{"id": 1, "s": "héllo ✓"}, {"id": 2, "s": "back\\slash"}])


@case
def bulk_insert_empty(op):
    op.bulk_insert(_T, [])


@case
def bulk_insert_json(op):
    t = sa.table("t", sa.column("j", sa.JSON))
    op.bulk_insert(t, [{"j": {"a": 1}}])


@case
def bulk_insert_uuid(op):
    t = sa.table("t", sa.column("u", sa.Uuid))
    op.bulk_insert(t, [{"u": uuid.UUID("12345678-1234-5678-1234-567812345678")}])


@case
def bulk_insert_time(op):
    t = sa.table("t", sa.column("tm", sa.Time), sa.column("dz", sa.DateTime(timezone=True)))
    op.bulk_insert(t, [{"tm": datetime.time(1, 2, 3), "dz": datetime.datetime(2020, 1, 1, 0, 0)}])


@case
def execute_strings(op):
    op.execute("UPDATE t SET a = 1")
    op.execute("UPDATE t SET s = 'x:y' WHERE a % 2 = 0")
    op.execute(text("INSERT INTO t (a) VALUES (5)"))


@case
def execute_constructs(op):
    t = sa.table("t", sa.column("a", Integer), sa.column("s", String))
    op.execute(t.update().where(t.c.a == op.inline_literal(5)).values(s=op.inline_literal("it's")))
    op.execute(t.insert().values(a=op.inline_literal(1), s=op.inline_literal("z")))
    op.execute(t.delete().where(t.c.s == op.inline_literal("q")))


@case
def execute_inline_literal_types(op):
    t = sa.table("t", sa.column("d", sa.Date), sa.column("b", sa.Boolean))
    op.execute(
        t.update().values(
            d=op.inline_literal(datetime.date(2021, 5, 6)), b=op.inline_literal(True)
        )
    )


# --- naming conventions (run with ``target_metadata=NAMING_METADATA``) ----------------------

NAMING_METADATA = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NAMING_CASES: dict[str, Callable[[Any], Any]] = {}


def naming_case(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    NAMING_CASES[fn.__name__] = fn
    return fn


@naming_case
def nc_unnamed_constraints(op):
    op.create_unique_constraint(None, "t", ["a"])
    op.create_foreign_key(None, "t", "p", ["pid"], ["id"])
    op.create_primary_key(None, "t", ["id"])


@naming_case
def nc_check_named(op):
    op.create_check_constraint("positive", "t", "a > 0")


@naming_case
def nc_op_f(op):
    op.create_unique_constraint(op.f("my_literal_uq"), "t", ["a"])
    op.create_check_constraint(op.f("ck_literal"), "t", "a > 0")
    op.drop_constraint(op.f("my_literal_uq"), "t", type_="unique")


@naming_case
def nc_create_table(op):
    op.create_table(
        "t",
        Column("id", Integer, primary_key=True),
        Column("a", Integer, unique=True),
        Column("pid", Integer, ForeignKey("p.id")),
        Column("b", Integer, index=True),
        sa.CheckConstraint("a > 0", name="apos"),
    )


@naming_case
def nc_add_column(op):
    op.add_column("t", Column("pid", Integer, ForeignKey("p.id")))
    op.add_column("t", Column("u", Integer, unique=True))


@naming_case
def nc_drop_constraint_named(op):
    op.drop_constraint("uq_t_a", "t", type_="unique")
    op.drop_constraint("positive", "t", type_="check")


@naming_case
def nc_create_index(op):
    op.create_index(op.f("ix_t_a"), "t", ["a"])
    op.create_index("plain_name", "t", ["b"])


@case
def execute_multi_table(op):
    a = sa.table("a", sa.column("id", Integer), sa.column("x", Integer))
    b = sa.table("b", sa.column("id", Integer), sa.column("a_id", Integer))
    op.execute(a.update().where(a.c.id == b.c.a_id).where(b.c.id == 5).values(x=1))
    op.execute(a.delete().where(sa.exists().where(b.c.a_id == a.c.id).where(b.c.id > 2)))


# run with literal_binds=True, as the offline half of Alembic's generic env.py does
LITERAL_BINDS_CASES = (
    "execute_constructs", "execute_multi_table", "execute_inline_literal_types", "execute_strings",
    "bulk_insert_multi", "bulk_insert_single", "bulk_insert_table_obj", "bulk_insert_unicode",
    "create_table_server_defaults", "alter_server_default_set", "check",
)


# --- more argument mixes ------------------------------------------------------------------


@case
def bulk_insert_more_types(op):
    t = sa.table(
        "t", sa.column("e", sa.Enum("a", "b", name="e")), sa.column("lb", sa.LargeBinary),
        sa.column("iv", sa.Interval), sa.column("bi", sa.BigInteger), sa.column("f", sa.Float),
    )
    op.bulk_insert(t, [
        {"e": "a", "lb": b"\x00\x01ab", "iv": datetime.timedelta(days=1, seconds=5), "bi": 2**40, "f": 1e-5},
        {"e": "b", "lb": None, "iv": None, "bi": -1, "f": float("1.25")},
    ])


@case
def create_table_pg_enum_and_uuid_default(op):
    op.create_table(
        "t",
        Column("id", sa.Uuid, primary_key=True, server_default=text("gen_random_uuid()")),
        Column("state", postgresql.ENUM("new", "done", name="state_enum", create_type=False)),
        Column("tags", postgresql.ARRAY(sa.Text), server_default=text("'{}'")),
    )


@case
def drop_table_with_enum(op):
    op.drop_table("t")
    op.execute("DROP TYPE state_enum")


@case
def alter_type_to_enum(op):
    op.alter_column("t", "s", type_=sa.Enum("x", "y", name="xy"), existing_type=String(10),
                    postgresql_using="s::xy")


@case
def fk_composite_schemas_options(op):
    op.create_foreign_key(
        "fk_c", "child", "parent", ["a", "b"], ["x", "y"], source_schema="app", referent_schema="ref",
        ondelete="CASCADE", onupdate="NO ACTION", initially="DEFERRED", deferrable=True,
    )


@case
def index_mixed_expressions(op):
    op.create_index("ix_m", "t", ["a", text("lower(b)"), sa.column("c").desc()], unique=True, schema="s")


@case
def alter_nullable_and_default_together(op):
    op.alter_column("t", "c", nullable=False, server_default="0", existing_type=Integer,
                    existing_server_default=None, existing_nullable=True)


@case
def alter_rename_and_type(op):
    op.alter_column("t", "c", new_column_name="d", type_=sa.BigInteger, existing_type=Integer,
                    existing_nullable=False)


@case
def add_column_schema_fk(op):
    op.add_column("t", Column("pid", Integer, ForeignKey("ref.p.id", name="fk_t_pid")), schema="app")


@case
def add_column_pk_identity(op):
    op.add_column("t", Column("n", sa.BigInteger, sa.Identity(always=True, start=100), nullable=False))


@case
def table_names_needing_quotes(op):
    op.create_table("User Table", Column("ID", Integer, primary_key=True), Column("select", String(5)))
    op.add_column("User Table", Column("Mixed Case", Integer))
    op.create_index("IX Mixed", "User Table", ["Mixed Case"])
    op.alter_column("User Table", "select", new_column_name="from", existing_type=String(5))
    op.drop_table("User Table")
