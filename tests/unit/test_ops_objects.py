"""Operation objects as pure data: constructors, reverse(), to_diff_tuple(), from_*/to_*."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from retort.operations import ops


def _table() -> Table:
    md = MetaData()
    Table("account", md, Column("id", Integer, primary_key=True))
    return Table(
        "user",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, comment="the name"),
        Column("account_id", Integer, ForeignKey("account.id", ondelete="CASCADE")),
        sa.UniqueConstraint("name", name="uq_user_name"),
        sa.CheckConstraint("id > 0", name="ck_user_id"),
        sa.Index("ix_user_name", "name", unique=True),
        schema=None,
        comment="users",
        mysql_engine="InnoDB",
    )


def test_create_table_from_table_round_trip_keeps_everything():
    table = _table()
    op = ops.CreateTableOp.from_table(table)
    assert op.table_name == "user"
    assert op.comment == "users"
    assert op.kw == {"mysql_engine": "InnoDB"}
    new = op.to_table()
    assert new is not table
    assert [c.name for c in new.c] == ["id", "name", "account_id"]
    kinds = sorted(type(c).__name__ for c in new.constraints)
    assert kinds == [
        "CheckConstraint",
        "ForeignKeyConstraint",
        "PrimaryKeyConstraint",
        "UniqueConstraint",
    ]
    fk = next(iter(new.foreign_key_constraints))
    assert fk.ondelete == "CASCADE"
    # the original is untouched and a second call builds yet another table
    assert table.c.name.table is table
    again = op.to_table()
    assert again is not new and len(again.constraints) == 4


def test_create_table_with_unattached_items_can_be_built_twice():
    op = ops.CreateTableOp(
        "t",
        [Column("a", Integer), Column("b", Integer, ForeignKey("o.id")), sa.UniqueConstraint("a", "b", name="uq")],
    )
    first = op.to_table()
    second = op.to_table()
    assert {c.name for c in first.constraints} == {c.name for c in second.constraints}
    assert op.columns[0].table is None  # the op's own Column was never attached


def test_create_drop_table_reverse():
    table = _table()
    create = ops.CreateTableOp.from_table(table)
    drop = create.reverse()
    assert isinstance(drop, ops.DropTableOp)
    assert drop.table_name == "user" and drop.comment == "users"
    assert drop.table_kw == {"mysql_engine": "InnoDB"}
    back = drop.reverse()
    assert isinstance(back, ops.CreateTableOp)
    assert [c.name for c in back.to_table().c] == ["id", "name", "account_id"]
    assert create.to_diff_tuple()[0] == "add_table"
    assert drop.to_diff_tuple()[0] == "remove_table"
    assert drop.to_diff_tuple()[1].name == "user"


def test_drop_table_without_original_has_no_columns():
    drop = ops.DropTableOp("t", schema="s", table_kw={"comment": "c", "mysql_engine": "x"})
    t = drop.to_table()
    assert t.name == "t" and t.schema == "s" and t.comment == "c" and list(t.c) == []
    assert drop.table_kw == {"mysql_engine": "x"}


def test_add_drop_column_reverse_and_diffs():
    col = Column("x", Integer, nullable=False)
    add = ops.AddColumnOp("t", col, schema="s", if_not_exists=True)
    assert add.to_diff_tuple() == ("add_column", "s", "t", col)
    drop = add.reverse()
    assert isinstance(drop, ops.DropColumnOp)
    assert (drop.table_name, drop.column_name, drop.schema, drop.if_exists) == ("t", "x", "s", True)
    assert drop.to_column() is col
    assert drop.to_diff_tuple() == ("remove_column", "s", "t", col)
    again = drop.reverse()
    assert isinstance(again, ops.AddColumnOp) and again.column is col and again.if_not_exists is True


def test_add_column_from_column():
    table = _table()
    op = ops.AddColumnOp.from_column(table.c.name)
    assert (op.table_name, op.schema, op.column.name) == ("user", None, "name")


def test_drop_column_without_original_is_not_reversible():
    drop = ops.DropColumnOp("t", "x")
    assert drop.to_column().name == "x"
    with pytest.raises(ValueError, match="not reversible"):
        drop.reverse()


def test_alter_column_diff_tuples_and_reverse():
    op = ops.AlterColumnOp(
        "t",
        "c",
        existing_type=Integer(),
        existing_nullable=False,
        existing_comment="old",
        modify_type=String(10),
        modify_nullable=True,
        modify_server_default="x",
        modify_comment="new",
    )
    diffs = op.to_diff_tuple()
    assert [d[0] for d in diffs] == ["modify_type", "modify_nullable", "modify_default", "modify_comment"]
    kind, schema, table, column, hints, old, new = diffs[1]
    assert (schema, table, column, old, new) == (None, "t", "c", False, True)
    assert hints == {"existing_type": op.existing_type, "existing_server_default": False, "existing_comment": "old"}
    assert diffs[0][4] == {"existing_nullable": False, "existing_server_default": False, "existing_comment": "old"}
    rev = op.reverse()
    assert isinstance(rev.modify_type, Integer) and isinstance(rev.existing_type, String)
    assert (rev.modify_nullable, rev.existing_nullable) == (False, True)
    assert (rev.modify_server_default, rev.existing_server_default) == (False, "x")
    assert (rev.modify_comment, rev.existing_comment) == ("old", "new")
    assert op.has_changes()


def test_alter_column_rename_reverses_the_name():
    op = ops.AlterColumnOp("t", "a", modify_name="b", autoincrement=True, existing_autoincrement=False)
    assert not op.has_changes()
    assert op.to_diff_tuple() == []
    rev = op.reverse()
    assert (rev.column_name, rev.modify_name) == ("b", "a")
    assert rev.kw == {"autoincrement": False, "existing_autoincrement": True}


def test_index_ops():
    table = _table()
    index = next(iter(table.indexes))
    create = ops.CreateIndexOp.from_index(index)
    assert (create.index_name, create.table_name, create.unique) == ("ix_user_name", "user", True)
    built = create.to_index()
    assert built is not index and [c.name for c in built.columns] == ["name"] and built.unique
    drop = create.reverse()
    assert isinstance(drop, ops.DropIndexOp) and drop.table_name == "user"
    assert drop.to_diff_tuple()[0] == "remove_index"
    back = drop.reverse()
    assert back.unique and [c.name for c in back.to_index().columns] == ["name"]


def test_index_with_expressions_and_dialect_kwargs():
    op = ops.CreateIndexOp(
        "ix", "t", ["a", sa.text("lower(b)")], postgresql_where=sa.text("a > 1"), postgresql_using="gin"
    )
    index = op.to_index()
    assert index.dialect_options["postgresql"]["using"] == "gin"
    assert index.table.name == "t" and "a" in index.table.c
    assert len(index.expressions) == 2


def test_drop_index_without_table():
    op = ops.DropIndexOp("ix")
    assert op.to_index().name == "ix"


@pytest.mark.parametrize(
    "constraint_cls, op_cls",
    [
        (sa.UniqueConstraint, ops.CreateUniqueConstraintOp),
        (sa.PrimaryKeyConstraint, ops.CreatePrimaryKeyOp),
    ],
)
def test_column_constraints_round_trip(constraint_cls, op_cls):
    md = MetaData()
    t = Table("t", md, Column("a", Integer), Column("b", Integer), schema="s")
    constraint = constraint_cls("a", "b", name="c1")
    t.append_constraint(constraint)
    op = ops.AddConstraintOp.from_constraint(constraint)
    assert type(op) is op_cls
    assert (op.constraint_name, op.table_name, op.columns, op.schema) == ("c1", "t", ["a", "b"], "s")
    rebuilt = op.to_constraint()
    assert rebuilt is not constraint and [c.name for c in rebuilt.columns] == ["a", "b"]
    drop = op.reverse()
    assert isinstance(drop, ops.DropConstraintOp)
    assert drop.constraint_type == {"unique": "unique", "primarykey": "primary"}[op.constraint_type]
    assert type(drop.reverse()) is op_cls
    assert op.to_diff_tuple()[0] == "add_constraint"


def test_foreign_key_round_trip():
    table = _table()
    fk = next(iter(table.foreign_key_constraints))
    op = ops.AddConstraintOp.from_constraint(fk)
    assert isinstance(op, ops.CreateForeignKeyOp)
    assert (op.source_table, op.referent_table, op.local_cols, op.remote_cols) == (
        "user",
        "account",
        ["account_id"],
        ["id"],
    )
    assert op.kw["ondelete"] == "CASCADE"
    assert op.to_diff_tuple()[0] == "add_fk"
    drop = op.reverse()
    assert drop.constraint_type == "foreignkey"
    assert drop.to_diff_tuple()[0] == "remove_fk"
    rebuilt = drop.to_constraint()
    assert rebuilt.referred_table.name == "account"


def test_foreign_key_with_schemas():
    op = ops.CreateForeignKeyOp(
        "fk", "a", "b", ["x", "y"], ["p", "q"], source_schema="s1", referent_schema="s2", match="FULL"
    )
    c = op.to_constraint()
    assert c.table.schema == "s1" and c.referred_table.schema == "s2" and c.match == "FULL"
    assert [e.target_fullname for e in c.elements] == ["s2.b.p", "s2.b.q"]
    back = ops.CreateForeignKeyOp.from_constraint(c)
    assert (back.kw["source_schema"], back.kw["referent_schema"]) == ("s1", "s2")


def test_self_referential_foreign_key():
    op = ops.CreateForeignKeyOp("fk", "node", "node", ["parent_id"], ["id"])
    c = op.to_constraint()
    assert c.referred_table is c.table


def test_check_constraint_round_trip():
    table = _table()
    ck = next(c for c in table.constraints if isinstance(c, sa.CheckConstraint))
    op = ops.AddConstraintOp.from_constraint(ck)
    assert isinstance(op, ops.CreateCheckConstraintOp)
    assert str(op.to_constraint().sqltext) == "id > 0"
    assert op.reverse().constraint_type == "check"


def test_drop_constraint_without_original():
    op = ops.DropConstraintOp("c", "t", type_="unique")
    with pytest.raises(ValueError, match="original constraint"):
        op.to_constraint()


def test_table_comment_ops():
    op = ops.CreateTableCommentOp("t", "new", existing_comment="old", schema="s")
    rev = op.reverse()
    assert isinstance(rev, ops.CreateTableCommentOp) and (rev.comment, rev.existing_comment) == ("old", "new")
    first = ops.CreateTableCommentOp("t", "new").reverse()
    assert isinstance(first, ops.DropTableCommentOp) and first.existing_comment == "new"
    assert isinstance(first.reverse(), ops.CreateTableCommentOp)
    assert op.to_diff_tuple()[0] == "add_table_comment" and op.to_table().comment == "new"
    assert first.to_diff_tuple()[0] == "remove_table_comment"


def test_rename_table_reverse():
    op = ops.RenameTableOp("a", "b", schema="s")
    rev = op.reverse()
    assert (rev.table_name, rev.new_table_name, rev.schema) == ("b", "a", "s")


def test_execute_and_bulk_insert():
    assert ops.ExecuteSQLOp("select 1").to_diff_tuple() == ("execute", "select 1")
    t = sa.table("t", sa.column("a"))
    op = ops.BulkInsertOp(t, [{"a": 1}], multiinsert=False)
    assert op.multiinsert is False
    with pytest.raises(NotImplementedError):
        op.reverse()


def test_containers():
    add = ops.AddColumnOp("t", Column("x", Integer))
    alter = ops.AlterColumnOp("t", "y", modify_nullable=False, existing_nullable=True)
    mod = ops.ModifyTableOps("t", [add, alter])
    up = ops.UpgradeOps([mod, ops.CreateIndexOp("ix", "t", ["x"])])
    assert not up.is_empty() and ops.UpgradeOps().is_empty()
    diffs = up.as_diffs()
    assert diffs[0][0] == "add_column"
    assert isinstance(diffs[1], list) and diffs[1][0][0] == "modify_nullable"
    assert diffs[2][0] == "add_index"
    down = up.reverse()
    assert isinstance(down, ops.DowngradeOps)
    assert isinstance(down.ops[0], ops.DropIndexOp)
    rmod = down.ops[1]
    assert isinstance(rmod, ops.ModifyTableOps)
    assert [type(o) for o in rmod.ops] == [ops.AlterColumnOp, ops.DropColumnOp]
    assert isinstance(down.reverse(), ops.UpgradeOps)
    target = ops.DowngradeOps(ops=[])
    assert up.reverse_into(target) is target and len(target.ops) == 2


def test_migration_script_lists():
    up, down = ops.UpgradeOps(), ops.DowngradeOps()
    script = ops.MigrationScript("abc", up, down, message="m")
    assert script.upgrade_ops is up and script.upgrade_ops_list == [up]
    assert script.downgrade_ops is down and script.downgrade_ops_list == [down]
    script.upgrade_ops = [ops.UpgradeOps(upgrade_token="a"), ops.UpgradeOps(upgrade_token="b")]
    assert [u.upgrade_token for u in script.upgrade_ops_list] == ["a", "b"]
    with pytest.raises(ValueError, match="upgrade_ops_list"):
        script.upgrade_ops
    script.upgrade_ops = []
    assert script.upgrade_ops is None
    with pytest.raises(TypeError):
        script.downgrade_ops = [up]


def test_info_and_describe():
    op = ops.AddColumnOp("t", Column("x", Integer), schema="s")
    op.info["k"] = 1
    assert op.info == {"k": 1}
    assert op.describe() == "add column x to table s.t"
    assert "alter column y" in ops.AlterColumnOp("t", "y", modify_nullable=True).describe()
    every = [
        ops.CreateTableOp("t", []),
        ops.DropTableOp("t"),
        ops.RenameTableOp("a", "b"),
        ops.CreateTableCommentOp("t", "c"),
        ops.DropTableCommentOp("t"),
        ops.DropColumnOp("t", "c"),
        ops.CreateIndexOp("ix", "t", ["a"]),
        ops.DropIndexOp("ix"),
        ops.CreatePrimaryKeyOp("pk", "t", ["a"]),
        ops.CreateUniqueConstraintOp("uq", "t", ["a"]),
        ops.CreateForeignKeyOp("fk", "t", "o", ["a"], ["b"]),
        ops.CreateCheckConstraintOp("ck", "t", "a > 1"),
        ops.CreateExcludeConstraintOp("ex", "t", [("a", "=")]),
        ops.DropConstraintOp("c", "t"),
        ops.BulkInsertOp(sa.table("t"), []),
        ops.ExecuteSQLOp("select 1"),
        ops.ModifyTableOps("t", []),
        ops.MigrationScript("r", ops.UpgradeOps(), ops.DowngradeOps(), message="m"),
    ]
    for op in every:
        text = op.describe()
        assert text and "\n" not in text
        assert type(op).__name__ in repr(op)


def test_exclude_constraint_op_builds_constraint():
    op = ops.CreateExcludeConstraintOp(
        "ex", "room", [("room", "="), (sa.text("tsrange(a, b)"), "&&")], where="room > 0", using="gist"
    )
    c = op.to_constraint()
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    assert isinstance(c, ExcludeConstraint) and c.using == "gist" and c.table.name == "room"
    assert isinstance(ops.AddConstraintOp.from_constraint(c), ops.CreateExcludeConstraintOp)


def test_naming_convention_from_target_metadata():
    class Ctx:
        opts = {"target_metadata": MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})}

    c = ops.CreateUniqueConstraintOp(None, "t", ["a"]).to_constraint(Ctx())
    assert c.name == "uq_t_a"
    from sqlalchemy.sql.elements import conv

    kept = ops.CreateUniqueConstraintOp(conv("my_name"), "t", ["a"]).to_constraint(Ctx())
    assert kept.name == "my_name"


# -- properties -----------------------------------------------------------------

from hypothesis import assume, given
from hypothesis import strategies as st

_types = st.sampled_from([None, Integer(), String(10), sa.Boolean()])
_defaults = st.sampled_from([False, None, "x", "0"])
_nullables = st.sampled_from([None, True, False])
_comments = st.sampled_from([False, None, "a", "b"])


@given(
    existing_type=_types,
    modify_type=_types,
    existing_nullable=_nullables,
    modify_nullable=_nullables,
    existing_default=_defaults,
    modify_default=_defaults,
    existing_comment=st.sampled_from([None, "a"]),
    modify_comment=_comments,
    rename=st.booleans(),
)
def test_alter_column_reverse_twice_is_identity(
    existing_type, modify_type, existing_nullable, modify_nullable, existing_default, modify_default,
    existing_comment, modify_comment, rename,
):
    # a change can only be undone when the current state is known
    assume(modify_type is None or existing_type is not None)
    assume(modify_nullable is None or existing_nullable is not None)
    assume(modify_default is False or existing_default is not False)
    op = ops.AlterColumnOp(
        "t",
        "c",
        schema="s",
        existing_type=existing_type,
        modify_type=modify_type,
        existing_nullable=existing_nullable,
        modify_nullable=modify_nullable,
        existing_server_default=existing_default,
        modify_server_default=modify_default,
        existing_comment=existing_comment,
        modify_comment=modify_comment,
        modify_name="d" if rename else None,
    )
    twice = op.reverse().reverse()
    fields = [
        "table_name", "column_name", "schema", "existing_type", "modify_type", "existing_nullable",
        "modify_nullable", "existing_server_default", "modify_server_default", "existing_comment",
        "modify_comment", "modify_name",
    ]
    assert {f: getattr(twice, f) for f in fields} == {f: getattr(op, f) for f in fields}
    # the diff tuples of the reverse describe the opposite change
    for diff, back in zip(op.to_diff_tuple(), op.reverse().to_diff_tuple()):
        assert diff[0] == back[0] and diff[5:] == back[5:][::-1]


_op_makers = [
    lambda i: ops.AddColumnOp(f"t{i}", Column(f"c{i}", Integer)),
    lambda i: ops.CreateIndexOp(f"ix{i}", f"t{i}", [f"c{i}"]),
    lambda i: ops.CreateTableOp.from_table(Table(f"t{i}", MetaData(), Column("id", Integer, primary_key=True))),
    lambda i: ops.CreateUniqueConstraintOp(f"uq{i}", f"t{i}", ["a"]),
    lambda i: ops.CreateTableCommentOp(f"t{i}", "c", existing_comment=None),
    lambda i: ops.RenameTableOp(f"t{i}", f"u{i}"),
]


@given(st.lists(st.integers(0, len(_op_makers) - 1), max_size=8))
def test_upgrade_ops_reverse_twice_keeps_kinds_and_order(kinds):
    up = ops.UpgradeOps([_op_makers[k](i) for i, k in enumerate(kinds)])
    down = up.reverse()
    assert len(down.ops) == len(up.ops)
    again = down.reverse()
    assert [type(o) for o in again.ops] == [type(o) for o in up.ops]
    names = [getattr(o, "table_name", None) for o in again.ops]
    assert names == [getattr(o, "table_name", None) for o in up.ops]
