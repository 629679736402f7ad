"""Rewriter: the spec's examples, traversal of upgrade and downgrade, ModifyTableOps,
chain(), and the list form of multi-engine scripts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.autogenerate import rewriter
from retort.autogenerate.render import render_python_code
from retort.autogenerate.rewriter import Rewriter
from retort.operations import ops


def _script() -> ops.MigrationScript:
    return ops.MigrationScript(
        "eced083f5df",
        ops.UpgradeOps(
            ops=[
                ops.CreateTableOp("organization", [sa.Column("id", sa.Integer(), primary_key=True)]),
                ops.ModifyTableOps(
                    "user",
                    ops=[
                        ops.AddColumnOp("user", sa.Column("organization_id", sa.Integer(), nullable=False)),
                        ops.AddColumnOp("user", sa.Column("note", sa.String(), nullable=True)),
                    ],
                ),
            ]
        ),
        ops.DowngradeOps(
            ops=[
                ops.ModifyTableOps(
                    "user",
                    ops=[
                        ops.DropColumnOp("user", "note"),
                        ops.AddColumnOp("user", sa.Column("legacy", sa.Integer(), nullable=False)),
                    ],
                ),
                ops.DropTableOp("organization"),
            ]
        ),
        message="m",
    )


def _spec_writer() -> Rewriter:
    writer = rewriter.Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column(context, revision, op):
        if op.column.nullable:
            return op
        else:
            op.column.nullable = True
            return [
                op,
                ops.AlterColumnOp(
                    op.table_name,
                    op.column.name,
                    modify_nullable=False,
                    existing_type=op.column.type,
                ),
            ]

    return writer


def _kinds(container) -> list[str]:
    out = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps):
            out.append([type(o).__name__ for o in op.ops])
        else:
            out.append(type(op).__name__)
    return out


def test_spec_add_column_example_rewrites_upgrade_and_downgrade():
    script = _script()
    directives = [script]
    _spec_writer()(None, ("head",), directives)
    assert directives == [script]
    assert _kinds(script.upgrade_ops) == [
        "CreateTableOp",
        ["AddColumnOp", "AlterColumnOp", "AddColumnOp"],
    ]
    assert _kinds(script.downgrade_ops) == [
        ["DropColumnOp", "AddColumnOp", "AlterColumnOp"],
        "DropTableOp",
    ]
    added = script.upgrade_ops.ops[1].ops[0]
    assert added.column.nullable is True
    text = render_python_code(script.upgrade_ops)
    assert "op.add_column('user', sa.Column('organization_id', sa.Integer(), nullable=True))" in text
    assert "op.alter_column('user', 'organization_id',\n               existing_type=sa.Integer(),\n               nullable=False)" in text


def test_function_receives_context_and_revision():
    seen = []
    writer = Rewriter()

    @writer.rewrites(ops.DropTableOp)
    def record(context, revision, op):
        seen.append((context, revision, op.table_name))
        return op

    writer("CTX", ("abc",), [_script()])
    assert seen == [("CTX", ("abc",), "organization")]


def test_returning_an_empty_list_removes_the_op():
    writer = Rewriter()

    @writer.rewrites(ops.DropColumnOp)
    def drop_nothing(context, revision, op):
        return []

    script = _script()
    writer(None, None, [script])
    assert _kinds(script.downgrade_ops) == [["AddColumnOp"], "DropTableOp"]


def test_replacement_op_is_not_offered_again():
    writer = Rewriter()

    @writer.rewrites(ops.DropTableOp)
    def to_sql(context, revision, op):
        return ops.ExecuteSQLOp(f"DROP TABLE {op.table_name} CASCADE")

    @writer.rewrites(ops.ExecuteSQLOp)
    def shout(context, revision, op):
        return ops.ExecuteSQLOp(op.sqltext + " -- reviewed")

    script = _script()
    writer(None, None, [script])
    assert script.downgrade_ops.ops[-1].sqltext == "DROP TABLE organization CASCADE"


def test_running_twice_does_not_rewrite_an_op_again():
    # process_revision_directives runs once per run_migrations() call; an op a
    # function already produced is left alone the next time
    writer = _spec_writer()
    script = _script()
    writer(None, None, [script])
    writer(None, None, [script])
    assert _kinds(script.upgrade_ops)[1] == ["AddColumnOp", "AlterColumnOp", "AddColumnOp"]


def test_base_class_registration_matches_subclasses():
    writer = Rewriter()
    names = []

    @writer.rewrites(ops.MigrateOperation)
    def everything(context, revision, op):
        names.append(type(op).__name__)
        return op

    writer(None, None, [_script()])
    # the script and its containers are offered too, then every op inside
    assert names[0] == "MigrationScript"
    assert "UpgradeOps" in names and "DowngradeOps" in names
    assert names.count("AddColumnOp") == 3


def test_chain_runs_first_writer_then_second():
    writer1 = Rewriter()
    writer2 = Rewriter()

    @writer1.rewrites(ops.AddColumnOp)
    def add_column_nullable(context, revision, op):
        op.column.nullable = True
        return op

    @writer2.rewrites(ops.AddColumnOp)
    def add_column_idx(context, revision, op):
        idx_op = ops.CreateIndexOp("ixc", op.table_name, [op.column.name])
        return [op, idx_op]

    writer = writer1.chain(writer2)
    script = _script()
    writer(None, None, [script])
    assert _kinds(script.upgrade_ops)[1] == [
        "AddColumnOp",
        "CreateIndexOp",
        "AddColumnOp",
        "CreateIndexOp",
    ]
    assert all(op.column.nullable for op in script.upgrade_ops.ops[1].ops if isinstance(op, ops.AddColumnOp))
    # the originals are unchanged
    plain = _script()
    writer1(None, None, [plain])
    assert _kinds(plain.upgrade_ops)[1] == ["AddColumnOp", "AddColumnOp"]


def test_chain_of_three_keeps_order():
    order = []
    writers = [Rewriter() for _ in range(3)]
    for i, w in enumerate(writers):
        w.rewrites(ops.DropTableOp)(lambda c, r, op, i=i: (order.append(i), op)[1])
    writers[0].chain(writers[1]).chain(writers[2])(None, None, [_script()])
    assert order == [0, 1, 2]


def test_multi_engine_list_form_is_traversed():
    script = ops.MigrationScript(
        "eced083f5df",
        [
            ops.UpgradeOps(
                ops=[ops.AddColumnOp("a", sa.Column("x", sa.Integer(), nullable=False))],
                upgrade_token="engine1_upgrades",
            ),
            ops.UpgradeOps(
                ops=[ops.ModifyTableOps("b", [ops.AddColumnOp("b", sa.Column("y", sa.Integer(), nullable=False))])],
                upgrade_token="engine2_upgrades",
            ),
        ],
        [
            ops.DowngradeOps(ops=[ops.DropColumnOp("a", "x")], downgrade_token="engine1_downgrades"),
            ops.DowngradeOps(ops=[ops.DropColumnOp("b", "y")], downgrade_token="engine2_downgrades"),
        ],
        message="migration message",
    )
    _spec_writer()(None, None, [script])
    ups = script.upgrade_ops_list
    assert [u.upgrade_token for u in ups] == ["engine1_upgrades", "engine2_upgrades"]
    assert _kinds(ups[0]) == ["AddColumnOp", "AlterColumnOp"]
    assert _kinds(ups[1]) == [["AddColumnOp", "AlterColumnOp"]]
    assert [d.downgrade_token for d in script.downgrade_ops_list] == [
        "engine1_downgrades",
        "engine2_downgrades",
    ]


def test_upgrade_ops_must_stay_single():
    writer = Rewriter()

    @writer.rewrites(ops.UpgradeOps)
    def split(context, revision, op):
        return [op, ops.UpgradeOps([])]

    with pytest.raises(ValueError, match="single object"):
        writer(None, None, [_script()])


def test_script_can_be_replaced_by_several():
    writer = Rewriter()

    @writer.rewrites(ops.MigrationScript)
    def split(context, revision, script):
        other = ops.MigrationScript("second", ops.UpgradeOps([]), ops.DowngradeOps([]))
        return [script, other]

    directives = [_script()]
    writer(None, None, directives)
    assert [d.rev_id for d in directives] == ["eced083f5df", "second"]


def test_usable_as_process_revision_directives_method():
    writer = _spec_writer()
    script = _script()
    writer.process_revision_directives(None, None, [script])
    assert _kinds(script.upgrade_ops)[1][:2] == ["AddColumnOp", "AlterColumnOp"]
