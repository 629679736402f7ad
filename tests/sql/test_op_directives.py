"""Operations in --sql mode: plugins, the op proxy, bad input, ops invoked many times."""

from __future__ import annotations

import inspect
import io

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, String

from retort.operations import MigrateOperation, Operations, ops
from retort.runtime.migration import MigrationContext


def offline(dialect: str = "postgresql", **opts):
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts})
    return Operations(ctx), buf


def statements(buf: io.StringIO) -> list[str]:
    return [s.strip() for s in buf.getvalue().split(";") if s.strip()]


@pytest.fixture
def restore_registry():
    """Undo directives / implementations a test registers on the shared classes."""
    from retort.operations.base import BatchOperations

    saved_impls = dict(Operations._to_impl._registry)
    saved = {cls: (dict(vars(cls)), dict(cls._directives)) for cls in (Operations, BatchOperations)}
    yield
    Operations._to_impl._registry.clear()
    Operations._to_impl._registry.update(saved_impls)
    for cls, (attrs, directives) in saved.items():
        for name in list(vars(cls)):
            if name not in attrs:
                delattr(cls, name)
        cls._directives = directives


def test_spec_sequence_plugin_works_as_written(restore_registry):
    # the example of spec 01, verbatim apart from the package name
    from retort.operations import MigrateOperation, Operations

    @Operations.register_operation("create_sequence")
    class CreateSequenceOp(MigrateOperation):
        """Create a SEQUENCE."""

        def __init__(self, sequence_name, schema=None):
            self.sequence_name = sequence_name
            self.schema = schema

        @classmethod
        def create_sequence(cls, operations, sequence_name, **kw):
            """Issue a "CREATE SEQUENCE" instruction."""

            op = CreateSequenceOp(sequence_name, **kw)
            return operations.invoke(op)

        def reverse(self):
            # only needed to support autogenerate
            return DropSequenceOp(self.sequence_name, schema=self.schema)

    @Operations.register_operation("drop_sequence")
    class DropSequenceOp(MigrateOperation):
        """Drop a SEQUENCE."""

        def __init__(self, sequence_name, schema=None):
            self.sequence_name = sequence_name
            self.schema = schema

        @classmethod
        def drop_sequence(cls, operations, sequence_name, **kw):
            """Issue a "DROP SEQUENCE" instruction."""

            op = DropSequenceOp(sequence_name, **kw)
            return operations.invoke(op)

        def reverse(self):
            # only needed to support autogenerate
            return CreateSequenceOp(self.sequence_name, schema=self.schema)

    @Operations.implementation_for(CreateSequenceOp)
    def create_sequence(operations, operation):
        if operation.schema is not None:
            name = "%s.%s" % (operation.schema, operation.sequence_name)
        else:
            name = operation.sequence_name
        operations.execute("CREATE SEQUENCE %s" % name)

    @Operations.implementation_for(DropSequenceOp)
    def drop_sequence(operations, operation):
        if operation.schema is not None:
            name = "%s.%s" % (operation.schema, operation.sequence_name)
        else:
            name = operation.sequence_name
        operations.execute("DROP SEQUENCE %s" % name)

    operations, buf = offline()
    with Operations.context(operations.migration_context):
        from retort import op

        op.create_sequence("my_sequence")
        op.drop_sequence("my_sequence", schema="s")
        assert op.create_sequence.__doc__ == 'Issue a "CREATE SEQUENCE" instruction.'
        assert list(inspect.signature(op.create_sequence).parameters) == ["sequence_name", "kw"]
    assert statements(buf) == ["CREATE SEQUENCE my_sequence", "DROP SEQUENCE s.my_sequence"]
    assert isinstance(CreateSequenceOp("x").reverse(), DropSequenceOp)
    assert list(inspect.signature(Operations.create_sequence).parameters) == ["self", "sequence_name", "kw"]


def test_register_operation_with_sourcename_and_batch_variant(restore_registry):
    from retort.operations.base import BatchOperations

    @Operations.register_operation("touch_table", "touch")
    class TouchOp(MigrateOperation):
        def __init__(self, table_name):
            self.table_name = table_name

        @classmethod
        def touch(cls, operations, table_name):
            """Touch a table."""
            return operations.invoke(cls(table_name))

        @classmethod
        def batch_touch(cls, operations):
            return operations.invoke(cls(operations.impl.table_name))

    @Operations.implementation_for(TouchOp)
    def touch(operations, operation):
        return f"touched {operation.table_name}"

    operations, _ = offline()
    assert operations.touch_table("t") == "touched t"
    assert hasattr(BatchOperations, "touch_table")


def test_implementation_for_needs_replace_for_builtins(restore_registry):
    with pytest.raises(ValueError, match="replace=True"):

        @Operations.implementation_for(ops.CreateTableOp)
        def nope(operations, operation):
            pass

    seen = []

    @Operations.implementation_for(ops.CreateTableOp, replace=True)
    def custom(operations, operation):
        seen.append(operation.table_name)
        operations.execute(f"-- custom create {operation.table_name}")

    operations, buf = offline()
    operations.create_table("t", Column("id", Integer))
    assert seen == ["t"] and "-- custom create t" in buf.getvalue()


def test_op_proxy_installed_only_inside_context():
    from retort import op

    operations, buf = offline()
    with pytest.raises(NameError, match="op.create_table"):
        op.create_table("t", Column("id", Integer))
    with Operations.context(operations.migration_context) as installed:
        assert op._current() is installed
        op.create_table("t", Column("id", Integer))
        inner, inner_buf = offline("mysql")
        with Operations.context(inner.migration_context):
            op.drop_table("x")
        op.drop_table("t")
        assert op.get_context() is operations.migration_context
    assert op._current() is None
    assert statements(buf) == ["CREATE TABLE t (\n    id INTEGER\n)", "DROP TABLE t"]
    assert statements(inner_buf) == ["DROP TABLE x"]


def test_proxy_functions_carry_signature_and_doc():
    from retort import op

    sig = inspect.signature(op.alter_column)
    assert list(sig.parameters)[:3] == ["table_name", "column_name", "nullable"]
    assert sig.parameters["nullable"].kind is inspect.Parameter.KEYWORD_ONLY
    assert op.create_index.__doc__ == Operations.create_index.__doc__
    assert inspect.signature(op.batch_alter_table).parameters["recreate"].default == "auto"


def test_an_op_object_can_be_invoked_many_times():
    operations, buf = offline()
    add = ops.AddColumnOp("t", Column("y", Integer, ForeignKey("o.id"), server_default="3"))
    create = ops.CreateTableOp("u", [Column("id", Integer, primary_key=True), sa.UniqueConstraint("id", name="uq")])
    for _ in range(3):
        operations.invoke(add)
        operations.invoke(create)
    out = statements(buf)
    assert len(out) == 9
    assert out[0:3] == out[3:6] == out[6:9]
    assert add.column.table is None and create.columns[0].table is None


def test_create_table_returns_table_for_bulk_insert():
    operations, buf = offline("sqlite")
    table = operations.create_table("t", Column("id", Integer, primary_key=True), Column("name", String(10)))
    operations.bulk_insert(table, [{"id": 1, "name": "it's"}])
    assert statements(buf)[-1] == "INSERT INTO t (id, name) VALUES (1, 'it''s')"


def test_f_and_inline_literal():
    operations, buf = offline(target_metadata=sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}))
    operations.create_unique_constraint(operations.f("keep_me"), "t", ["a"])
    operations.create_unique_constraint(None, "t", ["a"])
    t = sa.table("t", sa.column("a", String))
    operations.execute(t.update().values(a=operations.inline_literal("x")))
    assert statements(buf) == [
        "ALTER TABLE t ADD CONSTRAINT keep_me UNIQUE (a)",
        "ALTER TABLE t ADD CONSTRAINT uq_t_a UNIQUE (a)",
        "UPDATE t SET a='x'",
    ]


def test_offline_has_no_real_bind_and_run_async_refuses():
    operations, _ = offline()
    assert not isinstance(operations.get_bind(), sa.engine.Connection)
    with pytest.raises(NotImplementedError, match="--sql"):
        operations.run_async(lambda conn: None)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda op: op.create_table(), TypeError, ["create_table()", "table_name"]),
        (lambda op: op.create_table(5), TypeError, ["create_table()", "table_name"]),
        (lambda op: op.create_table("t", "id"), TypeError, ["create_table()", "columns"]),
        (lambda op: op.add_column("t", "x"), TypeError, ["add_column()", "column"]),
        (lambda op: op.add_column("t", Column(Integer)), ValueError, ["add_column()", "column", "name"]),
        (lambda op: op.add_column("t", Column("x", Integer), bogus=1), TypeError, ["add_column()", "bogus"]),
        (lambda op: op.drop_column("t"), TypeError, ["drop_column()", "column_name"]),
        (lambda op: op.alter_column("t", "c", type_="INT"), TypeError, ["alter_column()", "type_"]),
        (lambda op: op.alter_column("t", "c", True), TypeError, ["alter_column()", "positional"]),
        (lambda op: op.create_index("ix", "t", []), ValueError, ["create_index()", "columns"]),
        (lambda op: op.create_index("ix", "t", "a"), TypeError, ["create_index()", "columns"]),
        (lambda op: op.create_primary_key("pk", "t", [5]), TypeError, ["create_primary_key()", "columns"]),
        (
            lambda op: op.create_foreign_key("fk", "a", "b", ["x"], ["y", "z"]),
            ValueError,
            ["create_foreign_key()", "local_cols", "remote_cols"],
        ),
        (lambda op: op.create_check_constraint("ck", "t", 5), TypeError, ["create_check_constraint()", "condition"]),
        (lambda op: op.drop_constraint("c", "t", type_="fk"), ValueError, ["drop_constraint()", "type_"]),
        (lambda op: op.drop_constraint(None, "t"), TypeError, ["drop_constraint()", "constraint_name"]),
        (lambda op: op.drop_index(""), ValueError, ["drop_index()", "index_name"]),
        (lambda op: op.bulk_insert(sa.table("t"), {"a": 1}), TypeError, ["bulk_insert()", "rows"]),
        (lambda op: op.bulk_insert("t", []), TypeError, ["bulk_insert()", "table"]),
        (lambda op: op.execute(5), TypeError, ["execute()", "sqltext"]),
        (lambda op: op.rename_table("a"), TypeError, ["rename_table()", "new_table_name"]),
        (lambda op: op.invoke("create table"), TypeError, ["invoke()"]),
        (
            lambda op: op.batch_alter_table("t", recreate="sometimes").__enter__(),
            ValueError,
            ["batch_alter_table()", "recreate"],
        ),
    ],
)
def test_bad_input_names_directive_and_argument(call, error, words):
    operations, buf = offline()
    with pytest.raises(error) as info:
        call(operations)
    for word in words:
        assert word in str(info.value)
    assert buf.getvalue() == ""


def test_sqlalchemy_error_inside_a_directive_gets_a_note():
    operations, _ = offline()
    with pytest.raises(sa.exc.ArgumentError) as info:
        operations.create_table("t", Column("id", Integer), Column("id", Integer))
    assert "create table t" in "\n".join(info.value.__notes__)


def test_invoke_unknown_op_class():
    class Orphan(MigrateOperation):
        pass

    operations, _ = offline()
    with pytest.raises(NotImplementedError, match="Orphan"):
        operations.invoke(Orphan())


@pytest.mark.parametrize(
    "dialect, expected",
    [
        ("postgresql", ["ALTER TABLE t ALTER COLUMN c TYPE INTEGER USING c::integer", "ALTER TABLE t ALTER COLUMN c SET NOT NULL"]),
        ("mysql", ["ALTER TABLE t MODIFY c INTEGER NOT NULL"]),
    ],
)
def test_alter_column_dialect_options(dialect, expected):
    operations, buf = offline(dialect)
    operations.alter_column(
        "t", "c", type_=Integer, nullable=False, existing_type=String(10), postgresql_using="c::integer"
    )
    assert statements(buf) == expected


def test_sqlite_refuses_alter_outside_batch():
    operations, _ = offline("sqlite")
    with pytest.raises(NotImplementedError, match="batch"):
        operations.alter_column("t", "c", nullable=False)


def test_op_proxy_is_per_thread():
    import threading

    from retort import op

    operations, buf = offline()
    seen = {}

    def other_thread():
        seen["other"] = op._current()

    with Operations.context(operations.migration_context) as installed:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert op._current() is installed
    assert seen["other"] is None


@pytest.mark.parametrize("dialect", ["mysql", "mssql"])
def test_drop_index_without_table_where_the_table_is_needed(dialect):
    operations, buf = offline(dialect)
    with pytest.raises(ValueError, match="table_name="):
        operations.drop_index("ix")
    assert buf.getvalue().strip() == ""
    operations.drop_index("ix", "t")
    assert "DROP INDEX ix ON t" in buf.getvalue()


@pytest.mark.parametrize("schema, expected", [(None, "DROP INDEX ix"), ("s", "DROP INDEX s.ix")])
def test_drop_index_without_table_on_postgresql(schema, expected):
    operations, buf = offline()
    operations.drop_index("ix", schema=schema)
    assert statements(buf) == [expected]


def _walk(operations, container):
    for elem in container.ops:
        if hasattr(elem, "ops"):
            _walk(operations, elem)
        else:
            operations.invoke(elem)


def test_spec_02_migration_script_structure_runs():
    # the structure spec 02 shows for a generated script, verbatim
    migration_script = ops.MigrationScript(
        'eced083f5df',
        ops.UpgradeOps(
            ops=[
                ops.CreateTableOp(
                    'organization',
                    [
                        sa.Column('id', sa.Integer(), primary_key=True),
                        sa.Column('name', sa.String(50), nullable=False)
                    ]
                ),
                ops.ModifyTableOps(
                    'user',
                    ops=[
                        ops.AddColumnOp(
                            'user',
                            sa.Column('organization_id', sa.Integer())
                        ),
                        ops.CreateForeignKeyOp(
                            'org_fk', 'user', 'organization',
                            ['organization_id'], ['id']
                        )
                    ]
                )
            ]
        ),
        ops.DowngradeOps(
            ops=[
                ops.ModifyTableOps(
                    'user',
                    ops=[
                        ops.DropConstraintOp('org_fk', 'user'),
                        ops.DropColumnOp('user', 'organization_id')
                    ]
                ),
                ops.DropTableOp('organization')
            ]
        ),
        message='create the organization table.'
    )
    operations, buf = offline()
    _walk(operations, migration_script.upgrade_ops)
    _walk(operations, migration_script.downgrade_ops)
    assert statements(buf) == [
        "CREATE TABLE organization (\n    id SERIAL NOT NULL, \n    name VARCHAR(50) NOT NULL, \n    PRIMARY KEY (id)\n)",
        'ALTER TABLE "user" ADD COLUMN organization_id INTEGER',
        'ALTER TABLE "user" ADD CONSTRAINT org_fk FOREIGN KEY(organization_id) REFERENCES organization (id)',
        'ALTER TABLE "user" DROP CONSTRAINT org_fk',
        'ALTER TABLE "user" DROP COLUMN organization_id',
        "DROP TABLE organization",
    ]
    assert migration_script.upgrade_ops.reverse().ops[0].ops[0].constraint_type == "foreignkey"


def test_spec_02_multi_engine_structure():
    migration_script = ops.MigrationScript(
        'eced083f5df',
        [
            ops.UpgradeOps(ops=[], upgrade_token="engine1_upgrades"),
            ops.UpgradeOps(ops=[], upgrade_token="engine2_upgrades"),
        ],
        [
            ops.DowngradeOps(ops=[], downgrade_token="engine1_downgrades"),
            ops.DowngradeOps(ops=[], downgrade_token="engine2_downgrades"),
        ],
        message='migration message'
    )
    assert [u.upgrade_token for u in migration_script.upgrade_ops_list] == ["engine1_upgrades", "engine2_upgrades"]
    assert [d.downgrade_token for d in migration_script.downgrade_ops_list] == [
        "engine1_downgrades",
        "engine2_downgrades",
    ]
