"""SQL Server offline DDL: GO batches, default-constraint handling, sp_rename."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ddl_helpers import column, constraint, emitted, offline, table
from retort.util.exc import CommandError


def drop_default(table_ref: str, column_name: str, kind: str = "default") -> str:
    lookup = {
        "default": (
            "select @const_name = QUOTENAME([name]) from sys.default_constraints\n"
            f"where parent_object_id = object_id('{table_ref}')\n"
            f"and col_name(parent_object_id, parent_column_id) = '{column_name}'"
        ),
        "check": (
            "select @const_name = QUOTENAME([name]) from sys.check_constraints\n"
            f"where parent_object_id = object_id('{table_ref}')\n"
            f"and col_name(parent_object_id, parent_column_id) = '{column_name}'"
        ),
        "foreign_key": (
            "select @const_name = QUOTENAME([name]) from\n"
            "sys.foreign_keys fk join sys.foreign_key_columns fkc\n"
            "on fk.object_id=fkc.constraint_object_id\n"
            f"where fkc.parent_object_id = object_id('{table_ref}')\n"
            f"and col_name(fkc.parent_object_id, fkc.parent_column_id) = '{column_name}'"
        ),
    }[kind]
    return (
        "declare @const_name varchar(256)\n"
        f"{lookup}\n"
        f"exec('alter table {table_ref} drop constraint ' + @const_name);"
    )


CASES = [
    (
        "add_column has no COLUMN keyword",
        lambda i: i.add_column("t", column("c", sa.String(20), nullable=False, server_default="x'y", schema="s"), schema="s"),
        ["ALTER TABLE s.t ADD c VARCHAR(20) NOT NULL DEFAULT 'x''y';", "GO"],
    ),
    (
        "inline REFERENCES",
        lambda i: i.add_column("t", column("x", sa.Integer, sa.ForeignKey("b.id", name="fk_x")), inline_references=True),
        ["ALTER TABLE t ADD x INTEGER NULL CONSTRAINT fk_x REFERENCES b (id);", "GO"],
    ),
    (
        "bracket quoting",
        lambda i: i.add_column("select", column("from", table_name="select")),
        ["ALTER TABLE [select] ADD [from] INTEGER NULL;", "GO"],
    ),
    ("drop_column", lambda i: i.drop_column("t", column("c")), ["ALTER TABLE t DROP COLUMN c;", "GO"]),
    (
        "drop_column dropping its default, check and foreign key first",
        lambda i: i.drop_column(
            "t", column("c"), mssql_drop_default=True, mssql_drop_check=True, mssql_drop_foreign_key=True
        ),
        [
            drop_default("t", "c"), "GO",
            drop_default("t", "c", "check"), "GO",
            drop_default("t", "c", "foreign_key"), "GO",
            "ALTER TABLE t DROP COLUMN c;", "GO",
        ],
    ),
    (
        "nullable re-states the type",
        lambda i: i.alter_column("t", "c", nullable=False, existing_type=sa.Integer()),
        ["ALTER TABLE t ALTER COLUMN c INTEGER NOT NULL;", "GO"],
    ),
    (
        "type keeps existing nullability",
        lambda i: i.alter_column("t", "c", type_=sa.String(30), existing_nullable=True),
        ["ALTER TABLE t ALTER COLUMN c VARCHAR(30) NULL;", "GO"],
    ),
    (
        "new default",
        lambda i: i.alter_column("t", "c", server_default="it's"),
        ["ALTER TABLE t ADD DEFAULT 'it''s' FOR c;", "GO"],
    ),
    (
        "changed default drops the old constraint first",
        lambda i: i.alter_column("t", "c", server_default="new", existing_server_default="old", schema="s"),
        [drop_default("s.t", "c"), "GO", "ALTER TABLE s.t ADD DEFAULT 'new' FOR c;", "GO"],
    ),
    (
        "type change with default change: old default dropped before ALTER COLUMN",
        lambda i: i.alter_column(
            "t", "c", type_=sa.String(10), existing_nullable=False, server_default="z",
            existing_server_default="y", comment="cm",
        ),
        [
            drop_default("t", "c"), "GO",
            "ALTER TABLE t ALTER COLUMN c VARCHAR(10) NOT NULL;", "GO",
            "exec sp_addextendedproperty 'MS_Description', N'cm', 'schema', dbo, 'table', t, 'column', c;", "GO",
            "ALTER TABLE t ADD DEFAULT 'z' FOR c;", "GO",
        ],
    ),
    (
        "default removed",
        lambda i: i.alter_column("t", "c", server_default=None),
        [drop_default("t", "c"), "GO"],
    ),
    (
        # existing_server_default=None is "stated: none recorded" -- the column may
        # still have one, and ADD DEFAULT fails while it does, so it is looked up
        "new default with existing_server_default=None drops any default first",
        lambda i: i.alter_column(
            "t", "c", nullable=False, server_default="0", existing_type=sa.Integer,
            existing_server_default=None, existing_nullable=True,
        ),
        [
            drop_default("t", "c"), "GO",
            "ALTER TABLE t ALTER COLUMN c INTEGER NOT NULL;", "GO",
            "ALTER TABLE t ADD DEFAULT '0' FOR c;", "GO",
        ],
    ),
    (
        "default removed with existing_server_default=None",
        lambda i: i.alter_column("t", "c", server_default=None, existing_server_default=None, schema="s"),
        [drop_default("s.t", "c"), "GO"],
    ),
    (
        "rename column via sp_rename",
        lambda i: i.alter_column("t", "c", name="d", schema="s"),
        ["EXEC sp_rename 's.t.c', d, 'COLUMN';", "GO"],
    ),
    ("rename table via sp_rename", lambda i: i.rename_table("a", "b", schema="s"), ["EXEC sp_rename 's.a', b;", "GO"]),
    (
        "new column comment",
        lambda i: i.alter_column("t", "c", comment="it's"),
        ["exec sp_addextendedproperty 'MS_Description', N'it''s', 'schema', dbo, 'table', t, 'column', c;", "GO"],
    ),
    (
        "changed column comment",
        lambda i: i.alter_column("t", "c", comment="new", existing_comment="old", schema="s"),
        ["exec sp_updateextendedproperty 'MS_Description', N'new', 'schema', s, 'table', t, 'column', c;", "GO"],
    ),
    (
        "table comment",
        lambda i: i.create_table_comment(table("t", comment="hi")),
        ["execute sp_addextendedproperty 'MS_Description', N'hi', 'schema', dbo, 'table', t;", "GO"],
    ),
    ("drop fk", lambda i: i.drop_constraint(constraint("foreignkey")), ["ALTER TABLE a DROP CONSTRAINT fk1;", "GO"]),
    (
        "bulk_insert into an identity column",
        lambda i: i.bulk_insert(
            table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("b", sa.String(5))),
            [{"id": 1, "b": "it's"}],
        ),
        [
            "SET IDENTITY_INSERT t ON;", "GO",
            "INSERT INTO t (id, b) VALUES (1, 'it''s');", "GO",
            "SET IDENTITY_INSERT t OFF;", "GO",
        ],
    ),
    (
        # table() says nothing about IDENTITY: always wrapped, as Alembic does
        "bulk_insert into a lightweight table()",
        lambda i: i.bulk_insert(sa.table("t", sa.column("a", sa.Integer)), [{"a": 1}]),
        ["SET IDENTITY_INSERT t ON;", "GO", "INSERT INTO t (a) VALUES (1);", "GO", "SET IDENTITY_INSERT t OFF;", "GO"],
    ),
    (
        "bulk_insert no rows into a lightweight table()",
        lambda i: i.bulk_insert(sa.table("t", sa.column("a", sa.Integer)), []),
        ["SET IDENTITY_INSERT t ON;", "GO", "SET IDENTITY_INSERT t OFF;", "GO"],
    ),
    (
        "bulk_insert into an identity Table without its value",
        lambda i: i.bulk_insert(table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("b", sa.Integer)), [{"b": 1}]),
        ["INSERT INTO t (b) VALUES (1);", "GO"],
    ),
    (
        "bulk_insert into a Table without identity (SQL Server would reject SET IDENTITY_INSERT)",
        lambda i: i.bulk_insert(
            table("t", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)), [{"id": 1}]
        ),
        ["INSERT INTO t (id) VALUES (1);", "GO"],
    ),
    (
        "bulk_insert into a Table with a string key",
        lambda i: i.bulk_insert(table("t", sa.Column("id", sa.String(5), primary_key=True)), [{"id": "a"}]),
        ["INSERT INTO t (id) VALUES ('a');", "GO"],
    ),
    (
        "bulk_insert into a Table with a composite key (no IDENTITY)",
        lambda i: i.bulk_insert(
            table("t", sa.Column("a", sa.Integer, primary_key=True), sa.Column("b", sa.Integer, primary_key=True)),
            [{"a": 1, "b": 2}],
        ),
        ["INSERT INTO t (a, b) VALUES (1, 2);", "GO"],
    ),
    (
        "bulk_insert into an Identity() column that is not the key, schema-qualified",
        lambda i: i.bulk_insert(
            table("t", sa.Column("n", sa.Integer, sa.Identity()), sa.Column("b", sa.Integer), schema="s"),
            [{"n": 5, "b": 1}],
        ),
        ["SET IDENTITY_INSERT s.t ON;", "GO", "INSERT INTO s.t (n, b) VALUES (5, 1);", "GO", "SET IDENTITY_INSERT s.t OFF;", "GO"],
    ),
]


@pytest.mark.parametrize("act, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mssql_sql(act, expected):
    assert emitted("mssql", act) == expected


def test_nullable_without_type_names_the_argument():
    with pytest.raises(CommandError, match="existing_type="):
        emitted("mssql", lambda i: i.alter_column("t", "c", nullable=True))


def test_begin_and_commit():
    impl, buf = offline("mssql")
    impl.emit_begin()
    impl.emit_commit()
    assert buf.getvalue() == "BEGIN TRANSACTION;\n\nCOMMIT;\n\nGO\n\n"
    assert impl.transactional_ddl is True
    assert impl.batch_separator == "GO"


def test_bulk_insert_bad_rows_write_nothing():
    impl, buf = offline("mssql")
    with pytest.raises(TypeError, match="list of dictionaries"):
        impl.bulk_insert(sa.table("t", sa.column("a")), [(1,)])
    assert buf.getvalue() == ""


def _op_sql(act) -> list[str]:
    """What ``act(op)`` writes through op.alter_column in --sql mode on mssql."""
    import io

    from retort.operations import Operations
    from retort.runtime.migration import MigrationContext

    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name="mssql", opts={"as_sql": True, "output_buffer": buf})
    act(Operations(ctx))
    return [c for c in buf.getvalue().split("\n\n") if c.strip()]


@pytest.mark.parametrize(
    "kw, drops",
    [
        (dict(existing_server_default=None), True),  # stated as None: look the constraint up
        (dict(existing_server_default="1"), True),
        ({}, False),  # not stated: Alembic writes ADD DEFAULT alone
    ],
    ids=["existing-none", "existing-value", "existing-not-given"],
)
def test_op_alter_column_default_lookup(kw, drops):
    got = _op_sql(lambda op: op.alter_column("t", "c", server_default="0", existing_type=sa.Integer, **kw))
    expected = ["ALTER TABLE t ADD DEFAULT '0' FOR c;", "GO"]
    assert got == ([drop_default("t", "c"), "GO"] + expected if drops else expected)


def test_op_alter_column_default_set_to_none_drops_it():
    got = _op_sql(lambda op: op.alter_column("t", "c", server_default=None, existing_type=sa.Integer))
    assert got == [drop_default("t", "c"), "GO"]
