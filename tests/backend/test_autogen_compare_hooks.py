"""Comparison hooks (spec 02), the sequence plugin example, bad input, and bulk reflection."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, String, Table, text

from retort.autogenerate import compare_metadata, comparators, produce_migrations
from retort.migration import MigrationContext
from retort.operations import Operations, ops
from retort.util.exc import AutogenerateError, CommandError


from autogen_support import _restore_comparators, diffs, run_ops  # noqa: F401 (autouse fixture)




def _base(m: MetaData, *extra: Any, name: str = "t", **kw: Any) -> Table:
    return Table(name, m, Column("id", Integer, primary_key=True), *extra, **kw)



def test_bad_target(engine):
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn)
        with pytest.raises(AutogenerateError, match="MetaData"):
            compare_metadata(mc, {"not": "metadata"})
        with pytest.raises(CommandError):
            produce_migrations(mc, None)


def test_comparator_that_raises_is_named(engine):
    m = MetaData()
    _base(m, Column("a", Integer))
    m.create_all(engine)

    @comparators.dispatch_for("table")
    def broken_hook(autogen_context, modify_ops, schema, tname, conn_table, metadata_table):
        raise RuntimeError("boom")

    with pytest.raises(AutogenerateError) as info:
        diffs(engine, m)
    assert "broken_hook" in str(info.value) and "table t" in str(info.value)
    assert info.value.table_name == "t" and "broken_hook" in info.value.comparator


def test_unknown_reflected_type_is_opaque(postgresql_engine):
    with postgresql_engine.begin() as conn:
        conn.execute(text("create type complex as (r float8, i float8)"))
        conn.execute(text("create table t (id integer primary key, g complex)"))
    m = MetaData()
    _base(m, Column("g", sa.Text))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert diffs(postgresql_engine, m) == []
    assert any("t.g" in str(w.message) and "opaque" in str(w.message) for w in caught)


# -- comparison hooks (spec 02) -------------------------------------------------


def test_hooks_receive_documented_arguments(engine):
    old = MetaData()
    _base(old, Column("a", Integer))
    old.create_all(engine)
    new = MetaData()
    _base(new, Column("a", Integer))
    calls: dict[str, Any] = {}

    @comparators.dispatch_for("schema")
    def schema_hook(autogen_context, upgrade_ops, schemas):
        calls["schema"] = (autogen_context.dialect.name, list(schemas), type(upgrade_ops).__name__)

    @comparators.dispatch_for("table")
    def table_hook(autogen_context, modify_ops, schemaname, tablename, conn_table, metadata_table):
        calls["table"] = (schemaname, tablename, type(conn_table).__name__, metadata_table.name,
                          sorted(conn_table.c.keys()))
        modify_ops.ops.append(ops.CreateIndexOp("ix_hook", tablename, ["a"]))

    @comparators.dispatch_for("column")
    def column_hook(autogen_context, alter_column_op, schemaname, tname, cname, conn_col, metadata_col):
        calls.setdefault("column", []).append((tname, cname, type(conn_col).__name__, metadata_col.name))
        if cname == "a":
            alter_column_op.kw["modify_special"] = True

    @comparators.dispatch_for("column", qualifier="no-such-dialect")
    def other_dialect(*args):
        raise AssertionError("must not run")

    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), new)
    assert calls["schema"] == (engine.dialect.name, [None], "UpgradeOps")
    assert calls["table"] == (None, "t", "Table", "t", ["a", "id"])
    assert ("t", "a", "Column", "a") in calls["column"]
    (table_ops,) = script.upgrade_ops.ops
    assert [type(o).__name__ for o in table_ops.ops] == ["AlterColumnOp", "CreateIndexOp"]
    assert table_ops.ops[0].kw == {"modify_special": True}


def test_dialect_qualified_hook_runs_only_there(engine):
    m = MetaData()
    _base(m)
    m.create_all(engine)
    ran = []

    @comparators.dispatch_for("schema", qualifier=engine.dialect.name)
    def mine(autogen_context, upgrade_ops, schemas):
        ran.append(engine.dialect.name)

    diffs(engine, m)
    assert ran == [engine.dialect.name]


def test_new_table_indexes_follow_create_table(engine):
    m = MetaData()
    _base(m, Column("a", Integer, index=True), Column("b", Integer), sa.Index("ix_b", "b", unique=True))
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), m)
    up = script.upgrade_ops.ops
    assert [type(o).__name__ for o in up] == ["CreateTableOp", "ModifyTableOps"]
    assert sorted(o.index_name for o in up[1].ops) == ["ix_b", "ix_t_a"]
    run_ops(engine, script.upgrade_ops)
    assert diffs(engine, m) == []
    run_ops(engine, script.downgrade_ops)
    assert sa.inspect(engine).get_table_names() == []


# -- spec 02: the sequence example, end to end on PostgreSQL --------------------

from retort.operations import MigrateOperation  # noqa: E402


@Operations.register_operation("autogen_create_sequence")
class CreateSequenceOp(MigrateOperation):
    """Create a SEQUENCE."""

    def __init__(self, sequence_name, schema=None):
        self.sequence_name = sequence_name
        self.schema = schema

    @classmethod
    def autogen_create_sequence(cls, operations, sequence_name, **kw):
        return operations.invoke(CreateSequenceOp(sequence_name, **kw))

    def reverse(self):
        return DropSequenceOp(self.sequence_name, schema=self.schema)


@Operations.register_operation("autogen_drop_sequence")
class DropSequenceOp(MigrateOperation):
    """Drop a SEQUENCE."""

    def __init__(self, sequence_name, schema=None):
        self.sequence_name = sequence_name
        self.schema = schema

    @classmethod
    def autogen_drop_sequence(cls, operations, sequence_name, **kw):
        return operations.invoke(DropSequenceOp(sequence_name, **kw))

    def reverse(self):
        return CreateSequenceOp(self.sequence_name, schema=self.schema)


@Operations.implementation_for(CreateSequenceOp)
def _create_sequence(operations, operation):
    name = f"{operation.schema}.{operation.sequence_name}" if operation.schema else operation.sequence_name
    operations.execute(f"CREATE SEQUENCE {name}")


@Operations.implementation_for(DropSequenceOp)
def _drop_sequence(operations, operation):
    name = f"{operation.schema}.{operation.sequence_name}" if operation.schema else operation.sequence_name
    operations.execute(f"DROP SEQUENCE {name}")


def test_spec_sequence_comparator_end_to_end(postgresql_engine):
    from retort.autogenerate import render_python_code, renderers

    saved_renderers = dict(renderers._registry)
    try:
        @comparators.dispatch_for("schema")
        def compare_sequences(autogen_context, upgrade_ops, schemas):
            all_conn_sequences = set()
            for sch in schemas:
                all_conn_sequences.update(
                    (sch, row[0])
                    for row in autogen_context.connection.execute(
                        text(
                            "SELECT relname FROM pg_class c join pg_namespace n on "
                            "n.oid=c.relnamespace where relkind='S' and n.nspname=:nspname"
                        ),
                        {"nspname": autogen_context.dialect.default_schema_name if sch is None else sch},
                    )
                )
            metadata_sequences = autogen_context.metadata.info.setdefault("sequences", set())
            for sch, name in sorted(metadata_sequences.difference(all_conn_sequences), key=str):
                upgrade_ops.ops.append(CreateSequenceOp(name, schema=sch))
            for sch, name in sorted(all_conn_sequences.difference(metadata_sequences), key=str):
                upgrade_ops.ops.append(DropSequenceOp(name, schema=sch))

        @renderers.dispatch_for(CreateSequenceOp)
        def render_create_sequence(autogen_context, op):
            return "op.create_sequence(%r, **%r)" % (op.sequence_name, {"schema": op.schema})

        @renderers.dispatch_for(DropSequenceOp)
        def render_drop_sequence(autogen_context, op):
            return "op.drop_sequence(%r, **%r)" % (op.sequence_name, {"schema": op.schema})

        with postgresql_engine.begin() as conn:
            conn.execute(text("CREATE SEQUENCE old_seq"))
        target_metadata = MetaData()
        target_metadata.info.setdefault("sequences", set()).add((None, "my_sequence_1"))
        with postgresql_engine.connect() as conn:
            script = produce_migrations(MigrationContext.configure(conn), target_metadata)
        upgrade = render_python_code(script.upgrade_ops)
        assert "op.create_sequence('my_sequence_1', **{'schema': None})" in upgrade
        assert "op.drop_sequence('old_seq', **{'schema': None})" in upgrade
        downgrade = render_python_code(script.downgrade_ops)
        assert "op.drop_sequence('my_sequence_1', **{'schema': None})" in downgrade

        run_ops(postgresql_engine, script.upgrade_ops)
        assert sa.inspect(postgresql_engine).get_sequence_names() == ["my_sequence_1"]
        run_ops(postgresql_engine, script.downgrade_ops)
        assert sa.inspect(postgresql_engine).get_sequence_names() == ["old_seq"]
    finally:
        renderers._registry.clear()
        renderers._registry.update(saved_renderers)


def test_database_that_cannot_be_reflected(sqlite_engine):
    m = MetaData()
    _base(m)
    conn = sqlite_engine.connect()
    mc = MigrationContext.configure(conn)
    conn.close()
    with pytest.raises(AutogenerateError, match="could not"):
        compare_metadata(mc, m)


def test_catalogue_queries_do_not_grow_with_tables(postgresql_engine):
    """Bulk reflection: the same number of queries for 3 tables as for 30."""

    def count(n: int) -> int:
        m = MetaData()
        for i in range(n):
            Table(f"q{i}", m, Column("id", Integer, primary_key=True), Column("a", String(10), index=True))
        m.create_all(postgresql_engine)
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        sa.event.listen(postgresql_engine, "before_cursor_execute", record)
        try:
            assert diffs(postgresql_engine, m) == []
        finally:
            sa.event.remove(postgresql_engine, "before_cursor_execute", record)
        m.drop_all(postgresql_engine)
        return len(seen)

    count(1)  # the first connection runs its own set-up queries
    assert count(3) == count(30)


def test_target_schema_not_yet_in_database(engine):
    if engine.name == "sqlite":
        pytest.skip("no schemas")
    m = MetaData()
    Table("t", m, Column("id", Integer, primary_key=True), schema="rt_not_there")
    diff = diffs(engine, m, include_schemas=True,
                 include_name=lambda name, type_, parents: type_ != "schema" or name == "rt_not_there")
    assert [(d[0], d[1].schema, d[1].name) for d in diff] == [("add_table", "rt_not_there", "t")]


def test_column_comparator_that_raises_names_the_column(sqlite_engine):
    m = MetaData()
    _base(m, Column("a", Integer))
    m.create_all(sqlite_engine)

    @comparators.dispatch_for("column")
    def broken_column_hook(autogen_context, alter_column_op, schema, tname, cname, conn_col, metadata_col):
        if cname == "a":
            raise KeyError("nope")

    with pytest.raises(AutogenerateError, match=r"broken_column_hook failed on column a of table t: KeyError"):
        diffs(sqlite_engine, m)


def test_table_in_two_target_metadata(sqlite_engine):
    m1, m2 = MetaData(), MetaData()
    _base(m1)
    _base(m2)
    with pytest.raises(AutogenerateError, match="more than one target MetaData"):
        diffs(sqlite_engine, [m1, m2])


def test_include_name_parent_names(sqlite_engine):
    m = MetaData()
    _base(m, Column("a", Integer), sa.Index("ix_a", "a"))
    m.create_all(sqlite_engine)
    seen = []

    def include_name(name, type_, parent_names):
        seen.append((type_, name, dict(parent_names)))
        return True

    assert diffs(sqlite_engine, m, include_name=include_name) == []
    assert ("table", "t", {"schema_name": None}) in seen
    assert ("column", "a", {"schema_name": None, "table_name": "t", "schema_qualified_table_name": "t"}) in seen
    assert ("index", "ix_a", {"schema_name": None, "table_name": "t", "schema_qualified_table_name": "t"}) in seen


# -- a third-party dialect impl's comparison hooks are consulted -------------------------


def _with_impl_hooks(conn, **methods):
    """A MigrationContext whose impl is a subclass (defined here, outside retort) overriding ``methods``."""
    mc = MigrationContext.configure(conn, opts={"compare_server_default": True})
    mc.impl.__class__ = type("ThirdPartyImpl", (type(mc.impl),), dict(methods))
    return mc


def test_impl_hooks_decide_types_defaults_indexes(sqlite_engine):
    from retort.ddl.compare import ComparisonResult

    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer, server_default="1"),
              Column("b", Integer), sa.UniqueConstraint("b", name="uq_b"))
    sa.Index("ix_a", t.c.a)
    sa.Index("ix_gone", t.c.b)
    md.create_all(sqlite_engine)
    target = MetaData()
    t = Table("t", target, Column("id", Integer, primary_key=True), Column("a", Integer, server_default="1"),
              Column("b", Integer), sa.UniqueConstraint("b", name="uq_b"))
    sa.Index("ix_a", t.c.a)
    with sqlite_engine.connect() as conn:
        assert [d[0] for d in compare_metadata(MigrationContext.configure(conn), target)] == ["remove_index"]

        def correct(self, conn_uniques, conn_indexes, meta_uniques, meta_indexes):
            for ix in [i for i in conn_indexes if i.name == "ix_gone"]:
                conn_indexes.remove(ix)

        mc = _with_impl_hooks(
            conn,
            compare_type=lambda self, insp_col, meta_col: meta_col.name == "b",
            compare_server_default=lambda self, ic, mcol, rm, ri: mcol.name == "a",
            compare_indexes=lambda self, m, r: ComparisonResult.Different("custom reason"),
            compare_unique_constraint=lambda self, m, r: ComparisonResult.Different("uq reason"),
            correct_for_autogen_constraints=correct,
        )
        diff = compare_metadata(mc, target)
    flat = [(d[0][0], d[0][3]) if isinstance(d, list) else (d[0], d[1].name) for d in diff]
    assert flat == [
        ("modify_default", "a"), ("modify_type", "b"),
        ("remove_index", "ix_a"), ("add_index", "ix_a"),
        ("remove_constraint", "uq_b"), ("add_constraint", "uq_b"),
    ]


def test_impl_column_reflect_hook_edits_what_is_compared(sqlite_engine):
    md = MetaData()
    Table("t", md, Column("id", Integer, primary_key=True), Column("a", Integer))
    md.create_all(sqlite_engine)

    def reflect(self, inspector, table, column_info):
        if table.name == "t" and column_info["name"] == "a":
            column_info["type"] = sa.String(7)

    with sqlite_engine.connect() as conn:
        diff = compare_metadata(_with_impl_hooks(conn, autogen_column_reflect=reflect), md)
    ((kind, _, tname, cname, _, old, new),) = diff[0]
    assert (kind, tname, cname) == ("modify_type", "t", "a")
    assert isinstance(old, sa.String) and old.length == 7 and isinstance(new, Integer)


def test_impl_render_type_is_used(sqlite_engine):
    from retort.autogenerate import render_python_code
    from retort.operations import ops

    with sqlite_engine.connect() as conn:
        mc = _with_impl_hooks(
            conn, render_type=lambda self, type_, ctx: "thirdparty.Fancy()" if isinstance(type_, sa.Integer) else False
        )
        text = render_python_code(
            ops.UpgradeOps([ops.AddColumnOp("t", Column("x", Integer))]), migration_context=mc
        )
    assert "sa.Column('x', thirdparty.Fancy(), nullable=True)" in text
