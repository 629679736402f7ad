"""DefaultImpl itself: the registry, offline output rules, literal rendering, determinism."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_types
from sqlalchemy.engine import make_url

from ddl_helpers import chunks, constraint, emitted, offline, table
from retort.ddl.impl import DefaultImpl, impl_for, known_dialects, literal_bindparam
from retort.util.exc import CommandError, UnknownDialectError


def test_every_builtin_dialect_is_registered():
    assert set(known_dialects()) >= {"sqlite", "postgresql", "mysql", "mariadb", "mssql", "oracle"}
    for name in known_dialects():
        cls = impl_for(name)
        assert issubclass(cls, DefaultImpl) and cls.__dialect__ == name


def test_importing_impl_registers_dialects_lazily():
    code = (
        "import sys, retort.ddl.impl as m\n"
        "assert 'retort.ddl.postgresql' not in sys.modules\n"
        "print(m.impl_for('postgresql').__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PostgresqlImpl"


def test_unknown_dialect_lists_known_ones():
    with pytest.raises(UnknownDialectError) as err:
        impl_for("nosuchdb")
    assert err.value.name == "nosuchdb"
    assert "postgresql" in str(err.value) and "sqlite" in str(err.value)
    assert isinstance(err.value, CommandError)


def test_third_party_impl_registers_by_dialect_name():
    class FancyImpl(DefaultImpl):
        __dialect__ = "retort_test_fancy"
        transactional_ddl = True

    try:
        assert impl_for("retort_test_fancy") is FancyImpl
        assert "retort_test_fancy" in known_dialects()
    finally:
        from retort.ddl import impl as impl_mod

        impl_mod._impls.pop("retort_test_fancy")


def test_get_by_dialect():
    dialect = make_url("postgresql://").get_dialect()()
    assert DefaultImpl.get_by_dialect(dialect) is impl_for("postgresql")


def test_constructor_attributes():
    impl, buf = offline("postgresql", literal_binds=True)
    assert impl.as_sql is True and impl.literal_binds is True
    assert impl.output_buffer is buf
    assert impl.bind is impl.connection and impl.connection is not None
    assert impl.dialect.name == "postgresql"


def test_transactional_ddl_override():
    dialect = make_url("mysql://").get_dialect()()
    impl = impl_for("mysql")(dialect, None, True, True, io.StringIO(), {})
    assert impl.transactional_ddl is True


def test_literal_binds_needs_as_sql():
    dialect = make_url("sqlite://").get_dialect()()
    with pytest.raises(CommandError, match="literal_binds"):
        impl_for("sqlite")(dialect, None, False, None, None, {"literal_binds": True})


def test_static_output_and_begin_commit():
    impl, buf = offline("postgresql")
    impl.emit_begin()
    impl.static_output("-- hello")
    impl.emit_commit()
    assert buf.getvalue() == "BEGIN;\n\n-- hello\n\nCOMMIT;\n\n"


def test_offline_refuses_parameters():
    impl, _ = offline("postgresql")
    with pytest.raises(TypeError, match="offline"):
        impl._exec(sa.text("select :x"), params={"x": 1})


@pytest.mark.parametrize(
    "dialect, expected",
    [
        ("postgresql", "UPDATE t SET a='it''s' WHERE t.a = 'x';"),
        ("mysql", "UPDATE t SET a='it''s' WHERE t.a = 'x';"),
        ("sqlite", "UPDATE t SET a='it''s' WHERE t.a = 'x';"),
    ],
)
def test_literal_binds_renders_values_escaped(dialect, expected):
    t = sa.table("t", sa.column("a", sa.String))
    stmt = t.update().where(t.c.a == "x").values(a="it's")
    assert emitted(dialect, lambda i: i.execute(stmt), literal_binds=True) == [expected]


def test_literal_binds_keeps_table_qualifiers_across_tables():
    # Alembic's generic env.py runs offline with literal_binds=True; dropping the
    # qualifiers would make "a.id = b.a_id" the ambiguous "id = a_id"
    a = sa.table("a", sa.column("id", sa.Integer), sa.column("x", sa.Integer))
    b = sa.table("b", sa.column("id", sa.Integer), sa.column("a_id", sa.Integer))
    stmt = a.update().values(x=1).where(a.c.id == b.c.a_id).where(b.c.id == 5)
    assert emitted("postgresql", lambda i: i.execute(stmt), literal_binds=True) == [
        "UPDATE a SET x=1 FROM b WHERE a.id = b.a_id AND b.id = 5;"
    ]


def test_literal_bindparam_always_renders_inline():
    t = sa.table("t", sa.column("a", sa.String))
    stmt = t.update().values(a=literal_bindparam("a", "o'k", type_=sa.String()))
    assert emitted("postgresql", lambda i: i.execute(stmt)) == ["UPDATE t SET a='o''k';"]


def test_bulk_insert_needs_list_of_dicts():
    impl, _ = offline("sqlite")
    t = sa.table("t", sa.column("a"))
    with pytest.raises(TypeError, match="list"):
        impl.bulk_insert(t, {"a": 1})
    with pytest.raises(TypeError, match="dictionaries"):
        impl.bulk_insert(t, [(1,)])


def test_bulk_insert_types_and_sql_expressions():
    t = sa.table("t", sa.column("a", sa.Integer), sa.column("d", sa.Date), sa.column("n", sa.String))
    import datetime

    rows = [{"a": 1, "d": datetime.date(2024, 1, 2), "n": None}, {"a": 2, "n": sa.func.lower("X")}]
    assert emitted("postgresql", lambda i: i.bulk_insert(t, rows)) == [
        "INSERT INTO t (a, d, n) VALUES (1, '2024-01-02', NULL);",
        "INSERT INTO t (a, n) VALUES (2, lower('X'));",
    ]


def test_output_is_deterministic():
    def build():
        md = sa.MetaData()
        t = sa.Table(
            "t", md, *[sa.Column(f"c{n}", sa.Integer, index=True) for n in range(12)],
            sa.Index("ix_multi", "c1", "c2"),
        )
        return emitted("postgresql", lambda i: i.create_table(t))

    first = build()
    assert all(build() == first for _ in range(3))
    names = [c.split()[2] for c in first if c.startswith("CREATE INDEX")]
    assert names == sorted(names)


def test_version_table_impl():
    impl, _ = offline("postgresql")
    vt = impl.version_table_impl(version_table="retort_version", version_table_schema="s", version_table_pk=True)
    assert vt.schema == "s" and list(vt.c.keys()) == ["version_num"]
    assert vt.primary_key.name == "retort_version_pkc"


def test_lock_is_noop_offline():
    impl, buf = offline("postgresql")
    impl.acquire_migration_lock("retort", 1)
    impl.release_migration_lock("retort")
    assert buf.getvalue() == ""


@pytest.mark.parametrize(
    "dialect, ins, meta, differs",
    [
        ("postgresql", sa.String(30), sa.String(30), False),
        ("postgresql", sa.String(30), sa.String(40), True),
        ("postgresql", sa.String(30), sa.String(), False),
        ("postgresql", sa.Integer(), sa.String(), True),
        ("postgresql", sa.NUMERIC(10, 2), sa.DECIMAL(10, 2), False),
        ("postgresql", sa.TIMESTAMP(), sa.DateTime(), False),
        ("postgresql", sa.TIMESTAMP(timezone=True), sa.DateTime(), True),
        ("mysql", mysql_types.TINYINT(1), sa.Boolean(), False),
    ],
)
def test_compare_type(dialect, ins, meta, differs):
    impl, _ = offline(dialect)
    assert impl.compare_type(sa.Column("x", ins), sa.Column("x", meta)) is differs


def test_compare_server_default_normalizes_quotes_and_parens():
    impl, _ = offline("postgresql")
    c = sa.Column("x", sa.String)
    assert impl.compare_server_default(c, c, "'a'", "('a'::character varying)") is False
    assert impl.compare_server_default(c, c, "'a'", "'b'::character varying") is True


def test_bulk_insert_untyped_columns_take_the_values_type():
    t = sa.table("t", sa.column("a"), sa.column("b"), sa.column("c"))
    assert emitted("postgresql", lambda i: i.bulk_insert(t, [{"a": 1, "b": "o'k", "c": None}])) == [
        "INSERT INTO t (a, b, c) VALUES (1, 'o''k', NULL);"
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mssql"])
def test_same_constraint_object_can_be_added_twice(dialect):
    const = constraint("unique")
    out = emitted(dialect, lambda i: (i.add_constraint(const), i.add_constraint(const)))
    adds = [c for c in out if "ADD CONSTRAINT" in c]
    assert len(adds) == 2


@pytest.mark.parametrize(
    "dialect, expected",
    [("postgresql", []), ("mssql", []), ("mysql", ["ALTER TABLE t ADD CONSTRAINT ck_b CHECK (b IN (0, 1));"])],
)
def test_boolean_check_constraint_follows_the_dialect(dialect, expected):
    # the CHECK a Boolean(create_constraint=True) carries exists only without a native boolean
    t = table("t", sa.Column("b", sa.Boolean(create_constraint=True, name="ck_b")))
    ck = [c for c in t.constraints if isinstance(c, sa.CheckConstraint)][0]
    assert [c for c in emitted(dialect, lambda i: i.add_constraint(ck)) if c != "GO"] == expected


_DETERMINISM_SCRIPT = """
import io, sqlalchemy as sa
from sqlalchemy.engine import make_url
from retort.ddl.impl import impl_for
md = sa.MetaData()
t = sa.Table("t", md, *[sa.Column(f"c{n}", sa.Integer, index=True, unique=n % 3 == 0) for n in range(15)],
             sa.Column("s", sa.String(5), comment="s"), comment="t")
for name in ("postgresql", "mysql", "mssql", "oracle", "sqlite"):
    buf = io.StringIO()
    impl_for(name)(make_url(name + "://").get_dialect()(), None, True, None, buf, {}).create_table(t)
    print(buf.getvalue())
"""


def test_output_does_not_depend_on_hash_seed():
    import os

    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], capture_output=True, text=True, env=env, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize(
    "dialect, binary",
    [
        ("postgresql", "'\\x61000027'::bytea"),
        ("mysql", "X'61000027'"),
        ("sqlite", "X'61000027'"),
        ("mssql", "0x61000027"),
        ("oracle", "HEXTORAW('61000027')"),
    ],
)
def test_bulk_insert_bytes_and_json_offline(dialect, binary):
    t = sa.table("t", sa.column("b", sa.LargeBinary), sa.column("j", sa.JSON))
    out = emitted(dialect, lambda i: i.bulk_insert(t, [{"b": b"a\x00\x00'", "j": {"k": "it's"}}]))
    out = [s for s in out if s.startswith("INSERT")]  # without MSSQL's SET IDENTITY_INSERT wrap and GO lines
    assert out[0].startswith(f"INSERT INTO t (b, j) VALUES ({binary}, '{{\"k\": \"it''s\"}}')")
