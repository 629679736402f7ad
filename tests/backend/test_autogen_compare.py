"""compare_metadata / produce_migrations against real SQLite, PostgreSQL and MariaDB.

Every example of spec 02 / 03 runs here and gives the documented output; the
detection list of the autogenerate issue is checked one item at a time, each
time also checking that the database as created by the target compares as
equal (no false positives).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, String, Table, text

from retort.autogenerate import compare_metadata, produce_migrations
from retort.migration import MigrationContext

from autogen_support import _restore_comparators, diffs, kinds, run_ops  # noqa: F401 (autouse fixture)


# -- spec 02: compare_metadata ------------------------------------------------


def test_spec_compare_metadata_example(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(text("create table foo (id integer not null primary key, old_data varchar, x integer)"))
        conn.execute(text("create table bar (data varchar)"))
    metadata = MetaData()
    Table("foo", metadata, Column("id", Integer, primary_key=True), Column("data", Integer),
          Column("x", Integer, nullable=False))
    Table("bat", metadata, Column("info", String))

    with sqlite_engine.connect() as conn:
        mc = MigrationContext.configure(conn)
        diff = compare_metadata(mc, metadata)

    # the spec's information, in Alembic 1.20's order: a table's changed
    # columns come between its added and its removed ones
    assert [d[0] if isinstance(d, tuple) else "list" for d in diff] == [
        "add_table", "remove_table", "add_column", "list", "remove_column"
    ]
    assert diff[0][1].name == "bat" and list(diff[0][1].c.keys()) == ["info"]
    assert diff[1][1].name == "bar" and isinstance(diff[1][1].c.data.type, sa.VARCHAR)
    assert diff[2][:3] == ("add_column", None, "foo") and diff[2][3].name == "data"
    assert diff[4][:3] == ("remove_column", None, "foo") and diff[4][3].name == "old_data"
    assert isinstance(diff[4][3].type, sa.VARCHAR)
    (modify,) = diff[3]
    assert modify[:4] == ("modify_nullable", None, "foo", "x")
    # Alembic 1.20's dict: also existing_comment, and False for "no default"
    assert list(modify[4]) == ["existing_type", "existing_server_default", "existing_comment"]
    assert modify[4]["existing_server_default"] is False and modify[4]["existing_comment"] is None
    assert isinstance(modify[4]["existing_type"], sa.INTEGER)
    assert modify[5:] == (True, False)


def test_spec_produce_migrations_reverse(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(text("create table user (id integer primary key)"))
    metadata = MetaData()
    Table("organization", metadata, Column("id", Integer, primary_key=True),
          Column("name", String(50), nullable=False))
    Table("user", metadata, Column("id", Integer, primary_key=True),
          Column("organization_id", Integer, sa.ForeignKey("organization.id", name="org_fk")))
    with sqlite_engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), metadata)
    up = script.upgrade_ops.ops
    assert [type(o).__name__ for o in up] == ["CreateTableOp", "ModifyTableOps"]
    assert up[1].table_name == "user"
    assert [type(o).__name__ for o in up[1].ops] == ["AddColumnOp", "CreateForeignKeyOp"]
    down = script.downgrade_ops.ops
    assert [type(o).__name__ for o in down] == ["ModifyTableOps", "DropTableOp"]
    assert [type(o).__name__ for o in down[0].ops] == ["DropConstraintOp", "DropColumnOp"]
    assert down[0].ops[0].constraint_name == "org_fk"


def test_spec03_run_operation_objects_directly(engine):
    with engine.begin() as conn:
        conn.execute(text("create table foo (id integer not null primary key, old_data varchar(50), x integer)"))
        conn.execute(text("create table bar (data varchar(50))"))
    metadata = MetaData()
    Table("foo", metadata, Column("id", Integer, primary_key=True), Column("data", Integer),
          Column("x", Integer, nullable=False))
    Table("bat", metadata, Column("info", String(100)))
    with engine.connect() as conn:
        migrations = produce_migrations(MigrationContext.configure(conn), metadata)
    run_ops(engine, migrations.upgrade_ops, as_in_spec=True)

    insp = sa.inspect(engine)
    assert sorted(insp.get_table_names()) == ["bat", "foo"]
    cols = {c["name"]: c for c in insp.get_columns("foo")}
    assert set(cols) == {"id", "data", "x"} and cols["x"]["nullable"] is False
    assert diffs(engine, metadata) == []


# -- detection ------------------------------------------------------------------


def _everything(dialect_name: str) -> MetaData:
    m = MetaData()
    Table("parent", m, Column("id", Integer, primary_key=True),
          Column("name", String(50), nullable=False, unique=True), comment="parents")
    child = Table(
        "child", m,
        Column("id", Integer, primary_key=True),
        Column("s", String(30), server_default="x", comment="a string"),
        Column("t", sa.Text), Column("u", sa.Unicode(40)),
        Column("i", Integer, server_default=text("5")),
        Column("bi", sa.BigInteger), Column("si", sa.SmallInteger),
        Column("n", sa.Numeric(10, 2)), Column("f", sa.Float),
        Column("b", sa.Boolean, server_default=sa.true()),
        Column("d", sa.Date), Column("dt", sa.DateTime, server_default=sa.func.now()),
        Column("dtz", sa.DateTime(timezone=True)), Column("tm", sa.Time),
        Column("lb", sa.LargeBinary), Column("j", sa.JSON), Column("uu", sa.Uuid),
        Column("e", sa.Enum("a", "b", name="myenum")),
        Column("p_id", Integer, sa.ForeignKey("parent.id", name="fk_child_parent", ondelete="CASCADE")),
        Column("ix", Integer, index=True),
        Column("comp", Integer, sa.Computed("i + 1", persisted=True)),
        sa.UniqueConstraint("s", "i", name="uq_s_i"),
        sa.Index("ix_multi", "bi", "si"),
        sa.Index("ix_uniq", "u", unique=True),
        comment="children",
    )
    if dialect_name != "mysql":
        sa.Index("ix_part", child.c.i, postgresql_where=text("i > 0"), sqlite_where=text("i > 0"))
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        sa.Index("ix_expr", sa.func.lower(child.c.s))
        Table("ident", m, Column("id", Integer, sa.Identity(start=5), primary_key=True),
              Column("a", postgresql.JSONB), Column("arr", postgresql.ARRAY(Integer)),
              Column("ts", sa.DateTime, server_default=text("now()")),
              Column("txt", sa.Text, server_default=text("'x'::text")))
    return m


def test_unchanged_schema_reports_nothing(engine):
    m = _everything(engine.name)
    m.create_all(engine)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert diffs(engine, m, compare_server_default=True) == []


def _base(m: MetaData, *extra: Any, name: str = "t", **kw: Any) -> Table:
    return Table(name, m, Column("id", Integer, primary_key=True), *extra, **kw)


def test_type_change_and_synonyms(engine):
    old = MetaData()
    _base(old, Column("a", String(30)), Column("b", Integer), Column("c", sa.VARCHAR(10)))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", String(50)), Column("b", sa.BigInteger), Column("c", String(10)))
    diff = diffs(engine, new)
    assert kinds(diff) == [["modify_type"], ["modify_type"]]
    assert [d[0][3] for d in diff] == ["a", "b"]
    assert diff[0][0][6].length == 50 and diff[0][0][5].length == 30
    assert diff[0][0][4] == {"existing_nullable": True, "existing_server_default": False, "existing_comment": None}
    assert diffs(engine, new, compare_type=False) == []


def test_compare_type_callable(engine):
    old = MetaData()
    _base(old, Column("a", String(30)))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", String(30)))
    seen = []

    def my_compare(context, inspected_column, metadata_column, inspected_type, metadata_type):
        seen.append((type(context).__name__, inspected_column.name, metadata_column.table.name))
        return True if metadata_column.name == "a" else None

    diff = diffs(engine, new, compare_type=my_compare)
    assert kinds(diff) == [["modify_type"]]
    assert ("MigrationContext", "a", "t") in seen


def test_nullable_and_server_default(engine):
    old = MetaData()
    _base(old, Column("a", String(30), nullable=True, server_default="x"),
          Column("b", Integer, server_default=text("1")))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", String(30), nullable=False, server_default="y"),
          Column("b", Integer, server_default=text("1")))
    assert kinds(diffs(engine, new)) == [["modify_nullable"]]
    diff = diffs(engine, new, compare_server_default=True)
    assert kinds(diff) == [["modify_nullable", "modify_default"]]
    default = diff[0][1]
    assert default[:4] == ("modify_default", None, "t", "a")
    assert default[6].arg == "y"


def test_compare_server_default_callable(engine):
    m = MetaData()
    _base(m, Column("a", String(30), server_default="x"))
    m.create_all(engine)
    calls = []

    def cmp(context, inspected_column, metadata_column, inspected_default, metadata_default, rendered):
        calls.append((inspected_column.name, rendered))
        return True

    assert kinds(diffs(engine, m, compare_server_default=cmp)) == [["modify_default"]]
    assert calls == [("a", "'x'")]


def test_add_drop_index_unique_fk(engine):
    old = MetaData()
    Table("p", old, Column("id", Integer, primary_key=True))
    _base(old, Column("a", Integer), Column("b", Integer), Column("p_id", Integer),
          sa.Index("ix_a", "a"), sa.UniqueConstraint("b", name="uq_b"))
    old.create_all(engine)
    new = MetaData()
    Table("p", new, Column("id", Integer, primary_key=True))
    _base(new, Column("a", Integer), Column("b", Integer),
          Column("p_id", Integer, sa.ForeignKey("p.id", name="fk_t_p")),
          sa.Index("ix_b", "b"), sa.UniqueConstraint("a", name="uq_a"))
    diff = diffs(engine, new)
    found = sorted((d[0], d[1].name) for d in diff)
    expected = [("add_constraint", "uq_a"), ("add_fk", "fk_t_p"), ("add_index", "ix_b"),
                ("remove_constraint", "uq_b"), ("remove_index", "ix_a")]
    if engine.name == "mysql":
        # MariaDB keeps a unique constraint as a unique index: either report is right
        found = sorted((k.replace("remove_index", "remove_constraint") if n == "uq_b" else k, n) for k, n in found)
    assert found == expected
    # and the way back runs and ends equal
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, new) == []


def test_changed_index_is_dropped_and_created(engine):
    old = MetaData()
    _base(old, Column("a", Integer), Column("b", Integer), sa.Index("ix_ab", "a"))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", Integer), Column("b", Integer), sa.Index("ix_ab", "a", "b", unique=True))
    assert [d[0] for d in diffs(engine, new)] == ["remove_index", "add_index"]


def test_unnamed_unique_matched_by_columns(engine):
    m = MetaData()
    _base(m, Column("a", Integer, unique=True), Column("b", Integer), sa.UniqueConstraint("b"))
    m.create_all(engine)
    assert diffs(engine, m) == []


def test_fk_options_change(engine):
    old = MetaData()
    Table("p", old, Column("id", Integer, primary_key=True))
    _base(old, Column("p_id", Integer, sa.ForeignKey("p.id", name="fk_t_p")))
    old.create_all(engine)
    new = MetaData()
    Table("p", new, Column("id", Integer, primary_key=True))
    _base(new, Column("p_id", Integer, sa.ForeignKey("p.id", name="fk_t_p", ondelete="CASCADE")))
    assert [d[0] for d in diffs(engine, new)] == ["remove_fk", "add_fk"]
    assert diffs(engine, old) == []


def test_comments(engine):
    if not engine.dialect.supports_comments:
        pytest.skip("no comments on this backend")
    old = MetaData()
    _base(old, Column("a", Integer, comment="old"), comment="table old")
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", Integer, comment="new"))
    diff = diffs(engine, new)
    assert kinds(diff) == [["modify_comment"], "remove_table_comment"]
    assert diff[0][0][5:] == ("old", "new")
    new2 = MetaData()
    _base(new2, Column("a", Integer, comment="old"), comment="table new")
    assert kinds(diffs(engine, new2)) == ["add_table_comment"]


def test_version_table_never_reported(engine):
    m = MetaData()
    _base(m)
    m.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("create table retort_version (version_num varchar(32) not null)"))
        conn.execute(text("create table alembic_version (version_num varchar(32) not null)"))
        conn.execute(text("create table my_versions (version_num varchar(32) not null)"))
    assert [d[1].name for d in diffs(engine, m)] == ["my_versions"]
    assert diffs(engine, m, version_table="my_versions") == []


def test_several_metadata_targets(engine):
    m1, m2 = MetaData(), MetaData()
    _base(m1, name="a")
    _base(m2, name="b")
    m1.create_all(engine)
    diff = diffs(engine, [m1, m2])
    assert [(d[0], d[1].name) for d in diff] == [("add_table", "b")]


def test_include_name_filters_before_reflection(engine):
    m = MetaData()
    _base(m, name="keep")
    m.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("create table skipped_tbl (x integer)"))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(f"{statement} {parameters!r}")

    def include_name(name, type_, parent_names):
        if type_ == "table":
            return name != "skipped_tbl"
        return True

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert diffs(engine, m, include_name=include_name) == []
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert statements
    assert not [s for s in statements if "skipped_tbl" in s]


def test_include_object(engine):
    old = MetaData()
    _base(old, Column("a", Integer), name="t1")
    _base(old, name="t2")
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("b", Integer), name="t1")
    seen = []

    def include_object(obj, name, type_, reflected, compare_to):
        seen.append((type_, name, reflected))
        if type_ == "column" and name == "a":
            return False
        return not (type_ == "table" and name == "t2")

    diff = diffs(engine, new, include_object=include_object)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "b")]
    assert ("table", "t2", True) in seen and ("column", "a", True) in seen


# -- schemas ---------------------------------------------------------------------


def test_include_schemas_cross_schema_fk_not_repeated(postgresql_engine):
    engine = postgresql_engine
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA s_one"))
        conn.execute(text("CREATE SCHEMA s_skip"))
        conn.execute(text("CREATE TABLE s_skip.ignored (id integer primary key)"))
    m = MetaData()
    Table("p", m, Column("id", Integer, primary_key=True))
    Table("c", m, Column("id", Integer, primary_key=True),
          Column("p_id", Integer, sa.ForeignKey("p.id", name="fk_c_p")), schema="s_one")
    Table("d", m, Column("id", Integer, primary_key=True),
          Column("c_id", Integer, sa.ForeignKey("s_one.c.id", name="fk_d_c")))
    opts = {"include_schemas": True,
            "include_name": lambda name, type_, parents: type_ != "schema" or name == "s_one"}
    diff = diffs(engine, m, **opts)
    assert sorted((d[0], d[1].schema or "", d[1].name) for d in diff) == [
        ("add_table", "", "d"), ("add_table", "", "p"), ("add_table", "s_one", "c")
    ]
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts=opts), m)
    run_ops(engine, script.upgrade_ops)
    assert sa.inspect(engine).get_foreign_keys("c", schema="s_one")[0]["referred_table"] == "p"
    assert diffs(engine, m, **opts) == []
    # without include_schemas only the default schema is compared
    assert [(d[0], d[1].name) for d in diffs(engine, m)] == []


# -- computed and identity columns ----------------------------------------------


def test_computed_change_warns_and_generates_nothing(engine):
    old = MetaData()
    _base(old, Column("a", Integer), Column("b", Integer, sa.Computed("a + 1", persisted=True)))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", Integer), Column("b", Integer, sa.Computed("a + 2", persisted=True)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert diffs(engine, new) == []
        assert diffs(engine, old) == []
    messages = [str(w.message) for w in caught if "computed" in str(w.message)]
    assert len(messages) == 1 and "t.b" in messages[0]


def test_identity_change(postgresql_engine):
    old = MetaData()
    Table("t", old, Column("id", Integer, sa.Identity(start=5), primary_key=True), Column("x", Integer))
    old.create_all(postgresql_engine)
    assert diffs(postgresql_engine, old) == []
    new = MetaData()
    Table("t", new, Column("id", Integer, sa.Identity(start=10), primary_key=True),
          Column("x", Integer, sa.Identity()))
    assert [[d[0] for d in item] for item in diffs(postgresql_engine, new)] == [["modify_nullable"]]
    diff = diffs(postgresql_engine, new, compare_server_default=True)
    assert [[(d[0], d[3]) for d in item] for item in diff] == [
        [("modify_default", "id")], [("modify_nullable", "x"), ("modify_default", "x")]
    ]
    assert isinstance(diff[0][0][6], sa.Identity) and diff[0][0][6].start == 10
    # the downgrade restores the identity the database had
    assert isinstance(diff[0][0][5], sa.Identity) and diff[0][0][5].start == 5


def test_new_tables_pointing_at_each_other(engine):
    m = MetaData()
    a = Table("a", m, Column("id", Integer, primary_key=True),
              Column("b_id", Integer, sa.ForeignKey("b.id", name="fk_a_b", use_alter=True)))
    Table("b", m, Column("id", Integer, primary_key=True),
          Column("a_id", Integer, sa.ForeignKey("a.id", name="fk_b_a")))
    assert a is not None
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), m)
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, m) == []
    run_ops(engine, script.downgrade_ops)
    assert sa.inspect(engine).get_table_names() == []


def test_expression_index(engine):
    m = MetaData()
    t = _base(m, Column("name", String(30)))
    sa.Index("ix_lower", sa.func.lower(t.c.name))
    if engine.name == "mysql":
        pytest.skip("MariaDB has no expression indexes")
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), m)
    run_ops(engine, script.upgrade_ops)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert diffs(engine, m) == []
    if engine.name == "sqlite":
        assert any("ix_lower" in str(w.message) for w in caught)
    m2 = MetaData()
    t2 = _base(m2, Column("name", String(30)))
    sa.Index("ix_lower", sa.func.upper(t2.c.name))
    if engine.name == "postgresql":
        assert [d[0] for d in diffs(engine, m2)] == ["remove_index", "add_index"]


def test_dropped_table_comes_back_with_its_checks(engine):
    old = MetaData()
    _base(old, Column("a", Integer), sa.CheckConstraint("a > 0", name="ck_a_positive"))
    old.create_all(engine)
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), MetaData())
    run_ops(engine, script.upgrade_ops)
    assert sa.inspect(engine).get_table_names() == []
    run_ops(engine, script.downgrade_ops)
    checks = sa.inspect(engine).get_check_constraints("t")
    assert [c["name"] for c in checks if c["name"] == "ck_a_positive"] == ["ck_a_positive"]


def test_naming_convention_long_names_are_not_reported_again(engine):
    m = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    })
    Table("a_rather_long_parent_table_name_here", m, Column("id", Integer, primary_key=True))
    Table(
        "a_rather_long_table_name_for_testing", m,
        Column("id", Integer, primary_key=True),
        Column("another_quite_long_column_name", Integer, index=True),
        Column("yet_another_quite_long_column_name", Integer, unique=True),
        Column("parent_reference_identifier", Integer, sa.ForeignKey("a_rather_long_parent_table_name_here.id")),
    )
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), m)
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, m) == []


def test_added_column_with_index_and_unique_flags(engine):
    old = MetaData()
    _base(old)
    old.create_all(engine)
    # an unnamed unique constraint can be created but not dropped by name:
    # a naming convention names it (as Alembic's documentation advises)
    new = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"})
    _base(new, Column("a", Integer, index=True), Column("b", Integer, unique=True))
    diff = diffs(engine, new)
    assert sorted(d[0] for d in diff) == ["add_column", "add_column", "add_constraint", "add_index"]
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, new) == []
    run_ops(engine, script.downgrade_ops)
    assert diffs(engine, old) == []


def _dialect_types(name: str) -> list[Any]:
    from sqlalchemy.dialects import mysql as my
    from sqlalchemy.dialects import postgresql as pg

    generic = [sa.Interval(), sa.Double(), sa.REAL(), sa.CHAR(5), sa.NCHAR(5), sa.Unicode(30),
               sa.UnicodeText(), sa.Numeric(), sa.DECIMAL(8, 3), sa.PickleType(), sa.BigInteger(),
               sa.SmallInteger(), sa.Boolean(), sa.Uuid(), sa.JSON(), sa.LargeBinary(), sa.Date(), sa.Time(),
               sa.Integer().with_variant(sa.BigInteger(), "postgresql", "mysql", "sqlite")]
    if name == "postgresql":
        return generic + [
            pg.INTERVAL(), pg.INET(), pg.CIDR(), pg.MACADDR(), pg.TSVECTOR(), pg.NUMRANGE(), pg.INT4RANGE(),
            pg.MONEY(), pg.BIT(3), pg.BYTEA(), pg.OID(), pg.UUID(), pg.JSONB(), pg.ARRAY(sa.String(20)),
            pg.ARRAY(sa.Integer, dimensions=2), pg.TIMESTAMP(timezone=True, precision=3), pg.TIME(timezone=True),
            sa.Enum("x", "y", name="e1"), sa.Float(53), pg.DOUBLE_PRECISION(), pg.REGCLASS(), pg.DATERANGE(),
        ]
    if name == "mysql":
        return generic + [
            my.MEDIUMTEXT(), my.LONGTEXT(), my.TINYTEXT(), my.LONGBLOB(), my.MEDIUMBLOB(), my.TINYBLOB(),
            my.SET("a", "b"), my.YEAR(), my.BIT(4), my.DOUBLE(), my.VARBINARY(10), my.BINARY(4),
            my.CHAR(5, charset="latin1"), my.VARCHAR(20, collation="utf8mb4_bin"), my.INTEGER(unsigned=True),
            my.BIGINT(unsigned=True), my.TINYINT(), my.MEDIUMINT(), my.DATETIME(fsp=3), my.TIMESTAMP(fsp=6),
            my.TIME(fsp=2), my.DECIMAL(10, 2, unsigned=True), my.FLOAT(), my.ENUM("a", "b"), sa.Enum("x", "y"),
        ]
    return generic + [sa.Enum("x", "y"), sa.DateTime(timezone=True), sa.BLOB(), sa.TEXT(), sa.TIMESTAMP()]


def test_dialect_types_unchanged(engine):
    m = MetaData()
    _base(m, *[Column(f"c{i}", t) for i, t in enumerate(_dialect_types(engine.name))])
    m.create_all(engine)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert diffs(engine, m) == []


def _dialect_defaults(name: str) -> list[tuple[Any, Any]]:
    from sqlalchemy.dialects import postgresql as pg

    common = [
        (String(20), "it's"), (String(20), ""), (Integer, text("-1")), (Integer, "3"),
        (sa.Numeric(10, 2), text("1.5")), (sa.Numeric(10, 2), "2.25"), (sa.Boolean, sa.false()),
        (sa.DateTime, sa.func.current_timestamp()), (sa.DateTime, text("CURRENT_TIMESTAMP")),
        (sa.Date, text("CURRENT_DATE")), (sa.Float, text("0.5")), (String(10), text("'a b'")),
        (sa.Enum("x", "y", name="e2"), "x"),
    ]
    extra = {
        "postgresql": [
            (pg.UUID, text("gen_random_uuid()")), (pg.JSONB, text("'{}'::jsonb")),
            (sa.DateTime, text("now() + interval '1 day'")), (pg.ARRAY(Integer), text("'{}'")),
            (sa.Boolean, text("false")), (sa.Text, text("lower('ABC')")), (Integer, text("(1 + 2)")),
        ],
        "mysql": [(sa.Boolean, text("1")), (String(36), text("(uuid())")), (Integer, text("(1 + 2)")),
                  (sa.Text, "abc")],
        "sqlite": [(sa.Boolean, text("1")), (Integer, text("(1 + 2)")), (String(10), text("(lower('A'))"))],
    }
    return common + extra[name]


def test_server_defaults_unchanged(engine):
    m = MetaData()
    _base(m, *[Column(f"c{i}", t, server_default=d) for i, (t, d) in enumerate(_dialect_defaults(engine.name))])
    m.create_all(engine)
    assert diffs(engine, m, compare_server_default=True) == []


def test_index_varieties_unchanged_and_created(engine):
    def model() -> MetaData:
        m = MetaData()
        t = _base(m, Column("a", Integer), Column("b", String(20)), Column("c", Integer))
        sa.Index("ix_desc", t.c.a.desc())
        sa.Index("ix_two", t.c.a, t.c.b.desc())
        if engine.name == "postgresql":
            sa.Index("ix_hash", t.c.a, postgresql_using="hash")
            sa.Index("ix_incl", t.c.a, postgresql_include=["c"])
            sa.Index("ix_part2", t.c.a, postgresql_where=text("a > 5 AND b IS NOT NULL"))
            sa.Index("ix_part3", t.c.a, postgresql_where=(t.c.c == 3))
            sa.Index("ix_expr2", sa.func.coalesce(t.c.a, 0), text("lower(b)"))
            sa.Index("ix_nulls", t.c.c.desc().nulls_last())
        if engine.name == "mysql":
            sa.Index("ix_len", t.c.b, mysql_length=5)
        return m

    model().create_all(engine)
    assert diffs(engine, model()) == []
    # and the same indexes made by the ops autogenerate produces
    m = model()
    m.drop_all(engine)
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), m)
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, m) == []


def test_index_ordering_change(postgresql_engine):
    old = MetaData()
    t = _base(old, Column("a", Integer))
    sa.Index("ix_a", t.c.a)
    old.create_all(postgresql_engine)
    new = MetaData()
    t2 = _base(new, Column("a", Integer))
    sa.Index("ix_a", t2.c.a.desc())
    assert [d[0] for d in diffs(postgresql_engine, new)] == ["remove_index", "add_index"]


def test_foreign_key_varieties_unchanged(engine):
    m = MetaData()
    Table("p", m, Column("id", Integer, primary_key=True), Column("k1", Integer), Column("k2", Integer),
          sa.UniqueConstraint("k1", "k2", name="uq_p_k"))
    kw = {"deferrable": True, "initially": "DEFERRED"} if engine.name == "postgresql" else {}
    Table("c", m, Column("id", Integer, primary_key=True), Column("pid", Integer), Column("a", Integer),
          Column("b", Integer), Column("parent_id", Integer),
          sa.ForeignKeyConstraint(["pid"], ["p.id"], name="fk1", onupdate="CASCADE", ondelete="SET NULL", **kw),
          sa.ForeignKeyConstraint(["a", "b"], ["p.k1", "p.k2"], name="fk2", ondelete="RESTRICT"),
          sa.ForeignKeyConstraint(["parent_id"], ["c.id"], name="fk_self", ondelete="NO ACTION"))
    m.create_all(engine)
    assert diffs(engine, m) == []


def test_dropped_table_with_enum_comes_back(postgresql_engine):
    old = MetaData()
    _base(old, Column("mood", sa.Enum("happy", "sad", name="mood")))
    old.create_all(postgresql_engine)
    with postgresql_engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), MetaData())
    run_ops(postgresql_engine, script.upgrade_ops)
    # the type outlives its table (as with Alembic); the downgrade uses it again
    run_ops(postgresql_engine, script.downgrade_ops)
    assert diffs(postgresql_engine, old) == []


# -- Alembic 1.20's order and modify_* dicts ------------------------------------


def test_one_tables_diffs_in_alembic_order(engine):
    """Added columns, altered ones, index / unique drops, changed pairs, creates, keys, dropped columns."""
    old = MetaData()
    t = Table(
        "t", old, Column("id", Integer, primary_key=True), Column("a", Integer), Column("b", Integer),
        Column("gone", Integer), Column("n", Integer, nullable=True),
        sa.UniqueConstraint("b", name="aa_uq_gone"),
    )
    sa.Index("ix_gone", t.c.a)
    sa.Index("ix_changed", t.c.a, t.c.b)
    old.create_all(engine)
    new = MetaData()
    t = Table(
        "t", new, Column("id", Integer, primary_key=True), Column("new", Integer), Column("a", Integer),
        Column("b", Integer), Column("n", Integer, nullable=False),
        sa.UniqueConstraint("a", "b", name="zz_uq_new"),
    )
    sa.Index("ix_changed", t.c.b)
    sa.Index("ix_new", t.c.b, t.c.a)
    diff = diffs(engine, new)
    got = [
        (d[0][0], d[0][3]) if isinstance(d, list) else (d[0], d[3].name if d[0].endswith("column") else d[1].name)
        for d in diff
    ]
    # MySQL keeps a unique constraint as a unique index (reported as either)
    got = [(k.replace("_index", "_constraint") if n.startswith(("aa_", "zz_")) else k, n) for k, n in got]
    assert got == [
        ("add_column", "new"),
        ("modify_nullable", "n"),
        ("remove_constraint", "aa_uq_gone"),
        ("remove_index", "ix_gone"),
        ("remove_index", "ix_changed"),
        ("add_index", "ix_changed"),
        ("add_index", "ix_new"),
        ("add_constraint", "zz_uq_new"),
        ("remove_column", "gone"),
    ]
    # the downgrade is the same list reversed
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    (up,) = script.upgrade_ops.ops
    (down,) = script.downgrade_ops.ops
    assert [type(o).__name__ for o in down.ops] == [type(o.reverse()).__name__ for o in reversed(up.ops)]


def test_new_tables_in_name_then_dependency_order(sqlite_engine):
    new = MetaData()
    Table("n_a", new, Column("id", Integer, primary_key=True), Column("k", Integer, sa.ForeignKey("n_b.id")))
    Table("n_b", new, Column("id", Integer, primary_key=True), Column("k", Integer, sa.ForeignKey("n_c.id")))
    Table("n_c", new, Column("id", Integer, primary_key=True))
    Table("n_0", new, Column("id", Integer, primary_key=True))
    assert [d[1].name for d in diffs(sqlite_engine, new)] == ["n_0", "n_c", "n_b", "n_a"]


def test_modify_dicts_as_alembic(engine):
    old = MetaData()
    _base(old, Column("a", Integer, server_default="5"), Column("b", Integer), Column("c", Integer))
    old.create_all(engine)
    new = MetaData()
    _base(
        new, Column("a", Integer, server_default="5", nullable=False), Column("b", Integer, nullable=False),
        Column("c", String(10), server_default="x"),
    )
    diff = diffs(engine, new, compare_server_default=True)
    by_col = {d[0][3]: d for d in diff}
    (a,) = by_col["a"]
    assert list(a[4]) == ["existing_type", "existing_server_default", "existing_comment"]
    assert "5" in str(a[4]["existing_server_default"].arg) and a[4]["existing_comment"] is None
    (b,) = by_col["b"]
    assert b[4]["existing_server_default"] is False
    c_type, c_default = by_col["c"]
    assert c_type[0] == "modify_type" and list(c_type[4]) == [
        "existing_nullable", "existing_server_default", "existing_comment"
    ]
    # the default changes too: "no default" is then None, the old value
    assert c_type[4]["existing_server_default"] is None
    assert c_default[0] == "modify_default" and c_default[5] is None
    assert list(c_default[4]) == ["existing_nullable", "existing_type", "existing_comment"]


def test_reflected_names_render_as_op_f(engine):
    """Names the database has are final (``conv``): op.f('name') in both directions, as Alembic writes."""
    from retort.autogenerate import render_python_code

    old = MetaData()
    Table("p", old, Column("id", Integer, primary_key=True, autoincrement=False), sa.PrimaryKeyConstraint("id", name="pk_p"))
    t = Table(
        "c", old, Column("id", Integer, primary_key=True), Column("a", Integer),
        Column("pid", Integer, sa.ForeignKey("p.id", name="fk_gone")), sa.UniqueConstraint("a", name="uq_gone"),
    )
    sa.Index("ix_gone", t.c.a)
    Table("dropped", old, Column("id", Integer), Column("k", Integer), sa.PrimaryKeyConstraint("id", name="pk_dropped"))
    old.create_all(engine)
    new = MetaData()
    Table("p", new, Column("id", Integer, primary_key=True, autoincrement=False), sa.PrimaryKeyConstraint("id", name="pk_p"))
    Table("c", new, Column("id", Integer, primary_key=True), Column("a", Integer), Column("pid", Integer))
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    up = render_python_code(script.upgrade_ops)
    down = render_python_code(script.downgrade_ops)
    assert "op.drop_index(op.f('ix_gone'), table_name='c')" in up
    assert "op.drop_constraint(op.f('fk_gone'), 'c', type_='foreignkey')" in up
    assert "op.create_foreign_key(op.f('fk_gone'), 'c', 'p', ['pid'], ['id'])" in down
    assert "op.create_index(op.f('ix_gone'), 'c', ['a'], unique=False)" in down
    if engine.name != "mysql":  # MySQL: the unique constraint is a unique index
        assert "op.drop_constraint(op.f('uq_gone'), 'c', type_='unique')" in up
        assert "op.create_unique_constraint(op.f('uq_gone'), 'c', ['a']" in down
    if engine.name == "postgresql":  # the only one of the three that reflects a primary key's name
        assert "sa.PrimaryKeyConstraint('id', name=op.f('pk_dropped'))" in down
    # and the downgrade runs
    run_ops(engine, script.upgrade_ops)
    run_ops(engine, script.downgrade_ops)
    assert diffs(engine, old) == []


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_serial_pk_alter_renders_autoincrement(request, backend):
    """A SERIAL / AUTO_INCREMENT pk in an alter_column: autoincrement=True (no nextval default), kept by MODIFY."""
    from retort.autogenerate import render_python_code

    engine = request.getfixturevalue(f"{backend}_engine")
    old = MetaData()
    Table("t", old, Column("id", Integer, primary_key=True, comment="old id"), Column("a", Integer))
    old.create_all(engine)
    new = MetaData()
    Table("t", new, Column("id", Integer, primary_key=True, comment="new id"), Column("a", Integer))
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    up = render_python_code(script.upgrade_ops)
    assert "existing_nullable=False,\n               autoincrement=True)" in up
    assert "nextval" not in up
    run_ops(engine, script.upgrade_ops)
    (id_col,) = [c for c in sa.inspect(engine).get_columns("t") if c["name"] == "id"]
    assert id_col["comment"] == "new id" and id_col["autoincrement"] is True
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (a) VALUES (1)"))
        assert conn.execute(text("SELECT id FROM t")).scalar() == 1


def test_detected_changes_logged_as_alembic(sqlite_engine, caplog):
    old = MetaData()
    t = Table("t", old, Column("id", Integer, primary_key=True), Column("a", Integer, nullable=False),
              Column("b", Integer), Column("gone", Integer))
    sa.Index("ix_b", t.c.b)
    Table("dropped", old, Column("id", Integer, primary_key=True))
    old.create_all(sqlite_engine)
    new = MetaData()
    t = Table("t", new, Column("id", Integer, primary_key=True), Column("a", Integer, nullable=True),
              Column("b", String(5), nullable=False), Column("c", Integer))
    sa.Index("ix_b", t.c.b, unique=True)
    sa.Index("ix_c", t.c.c, t.c.b)
    Table("fresh", new, Column("id", Integer, primary_key=True))
    with caplog.at_level("INFO", logger="retort.autogenerate.compare"):
        diffs(sqlite_engine, new)
    got = [(r.name, r.getMessage()) for r in caplog.records if r.name.startswith("retort.autogenerate.compare")]
    assert got == [
        ("retort.autogenerate.compare.tables", "Detected added table 'fresh'"),
        ("retort.autogenerate.compare.tables", "Detected removed table 'dropped'"),
        ("retort.autogenerate.compare.tables", "Detected added column 't.c'"),
        ("retort.autogenerate.compare.constraints", "Detected NULL on column 't.a'"),
        ("retort.autogenerate.compare.constraints", "Detected NOT NULL on column 't.b'"),
        ("retort.autogenerate.compare.types", "Detected type change from INTEGER() to String(length=5) on 't.b'"),
        ("retort.autogenerate.compare.constraints", "Detected changed index 'ix_b' on 't': unique=False to unique=True"),
        ("retort.autogenerate.compare.constraints", "Detected added index 'ix_c' on '('c', 'b')'"),
        ("retort.autogenerate.compare.tables", "Detected removed column 't.gone'"),
    ]


def test_identity_pk_alter_has_no_autoincrement_flag(postgresql_engine):
    from retort.autogenerate import render_python_code

    old = MetaData()
    Table("u", old, Column("id", Integer, sa.Identity(start=1), primary_key=True))
    old.create_all(postgresql_engine)
    new = MetaData()
    Table("u", new, Column("id", Integer, sa.Identity(start=10, increment=5), primary_key=True))
    with postgresql_engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts={"compare_server_default": True}), new)
    up = render_python_code(script.upgrade_ops)
    assert "server_default=sa.Identity(always=False, start=10, increment=5)" in up and "autoincrement" not in up
