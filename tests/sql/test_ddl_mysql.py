"""MySQL / MariaDB DDL text through an offline impl: (what the migration asks, the SQL emitted)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ddl_helpers import column, constraint, emitted, index, offline, table
from retort.util.exc import CommandError

BOTH = [
    (
        "add_column: MySQL puts NOT NULL before DEFAULT",
        lambda i: i.add_column("t", column("c", sa.String(20), nullable=False, server_default="x'y", schema="s"), schema="s"),
        ["ALTER TABLE s.t ADD COLUMN c VARCHAR(20) NOT NULL DEFAULT 'x''y';"],
    ),
    (
        "inline REFERENCES carry no constraint name",
        lambda i: i.add_column(
            "t", column("x", sa.Integer, sa.ForeignKey("b.id", ondelete="CASCADE", name="fk_x")), inline_references=True
        ),
        ["ALTER TABLE t ADD COLUMN x INTEGER REFERENCES b (id) ON DELETE CASCADE;"],
    ),
    (
        "inline PRIMARY KEY",
        lambda i: i.add_column("t", column("id", sa.Integer, primary_key=True), inline_primary_key=True),
        ["ALTER TABLE t ADD COLUMN id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY;"],
    ),
    (
        "backtick quoting",
        lambda i: i.add_column("select", column("from", table_name="select")),
        ["ALTER TABLE `select` ADD COLUMN `from` INTEGER;"],
    ),
    (
        "nullable re-states the existing type",
        lambda i: i.alter_column("t", "c", nullable=False, existing_type=sa.Integer()),
        ["ALTER TABLE t MODIFY c INTEGER NOT NULL;"],
    ),
    (
        "type keeps existing nullability",
        lambda i: i.alter_column("t", "c", type_=sa.String(30), existing_type=sa.Integer, existing_nullable=False),
        ["ALTER TABLE t MODIFY c VARCHAR(30) NOT NULL;"],
    ),
    (
        "type keeps existing default and comment",
        lambda i: i.alter_column(
            "t", "c", type_=sa.String(30), existing_type=sa.Integer, existing_nullable=True,
            existing_server_default="a'b", existing_comment="note",
        ),
        ["ALTER TABLE t MODIFY c VARCHAR(30) NULL DEFAULT 'a''b' COMMENT 'note';"],
    ),
    (
        "rename is CHANGE with the full definition",
        lambda i: i.alter_column(
            "t", "c", name="d", existing_type=sa.Integer, existing_nullable=False,
            existing_server_default="5", existing_comment="hi",
        ),
        ["ALTER TABLE t CHANGE c d INTEGER NOT NULL DEFAULT '5' COMMENT 'hi';"],
    ),
    (
        "rename with autoincrement",
        lambda i: i.alter_column(
            "t", "id", name="pk", existing_type=sa.Integer, existing_nullable=False, existing_autoincrement=True
        ),
        ["ALTER TABLE t CHANGE id pk INTEGER NOT NULL AUTO_INCREMENT;"],
    ),
    (
        "everything at once is one CHANGE",
        lambda i: i.alter_column(
            "t", "c", name="d", type_=sa.String(5), nullable=True, server_default="q",
            comment="cmt", existing_type=sa.Integer, schema="s",
        ),
        ["ALTER TABLE s.t CHANGE c d VARCHAR(5) NULL DEFAULT 'q' COMMENT 'cmt';"],
    ),
    (
        "comment only is a MODIFY",
        lambda i: i.alter_column("t", "c", comment="it's", existing_type=sa.Integer, existing_nullable=False),
        ["ALTER TABLE t MODIFY c INTEGER NOT NULL COMMENT 'it''s';"],
    ),
    (
        "autoincrement",
        lambda i: i.alter_column("t", "c", autoincrement=True, existing_type=sa.Integer, existing_nullable=False),
        ["ALTER TABLE t MODIFY c INTEGER NOT NULL AUTO_INCREMENT;"],
    ),
    (
        "default alone uses ALTER COLUMN SET DEFAULT",
        lambda i: i.alter_column("t", "c", server_default="it's"),
        ["ALTER TABLE t ALTER COLUMN c SET DEFAULT 'it''s';"],
    ),
    (
        "default dropped",
        lambda i: i.alter_column("t", "c", server_default=None),
        ["ALTER TABLE t ALTER COLUMN c DROP DEFAULT;"],
    ),
    (
        "rename table keeps the schema on both names",
        lambda i: i.rename_table("a", "b", schema="s"),
        ["ALTER TABLE s.a RENAME TO s.b;"],
    ),
    (
        "create_table has inline comments",
        lambda i: i.create_table(
            table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.String(10), comment="xc"), comment="tc")
        ),
        ["CREATE TABLE t (\n    id INTEGER NOT NULL AUTO_INCREMENT, \n    x VARCHAR(10) COMMENT 'xc', \n    PRIMARY KEY (id)\n)COMMENT='tc';"],
    ),
    ("drop fk", lambda i: i.drop_constraint(constraint("foreignkey")), ["ALTER TABLE a DROP FOREIGN KEY fk1;"]),
    ("drop unique", lambda i: i.drop_constraint(constraint("unique")), ["ALTER TABLE a DROP INDEX uq1;"]),
    ("drop primary", lambda i: i.drop_constraint(constraint("primary")), ["ALTER TABLE a DROP PRIMARY KEY;"]),
    (
        "column comment re-states the column",
        lambda i: i.create_column_comment(column("c", sa.String(5), nullable=False, server_default="z", comment="why")),
        ["ALTER TABLE t MODIFY c VARCHAR(5) NOT NULL DEFAULT 'z' COMMENT 'why';"],
    ),
    ("table comment", lambda i: i.create_table_comment(table("t", comment="it's")), ["ALTER TABLE t COMMENT 'it''s';"]),
    ("drop table comment", lambda i: i.drop_table_comment(table("t")), ["ALTER TABLE t COMMENT '';"]),
    ("drop index names its table", lambda i: i.drop_index(index("ix", "a")), ["DROP INDEX ix ON t;"]),
    (
        "bulk_insert escapes quotes and backslashes",
        lambda i: i.bulk_insert(
            sa.table("t", sa.column("a", sa.Integer), sa.column("b", sa.String)),
            [{"a": 1, "b": "it's"}, {"a": 2, "b": "x\\y%"}],
        ),
        ["INSERT INTO t (a, b) VALUES (1, 'it''s');", "INSERT INTO t (a, b) VALUES (2, 'x\\\\y%');"],
    ),
]

MYSQL_ONLY = [
    (
        "index with mysql_length",
        lambda i: i.create_index(index("ix", "a", mysql_length=10)),
        ["CREATE INDEX ix ON t (a(10));"],
    ),
    (
        "create_table if_not_exists leaves indexes plain (MySQL has no IF NOT EXISTS there)",
        lambda i: i.create_table(table("t", sa.Column("a", sa.Integer, index=True)), if_not_exists=True),
        ["CREATE TABLE IF NOT EXISTS t (\n    a INTEGER\n);", "CREATE INDEX ix_t_a ON t (a);"],
    ),
    ("drop check is DROP CHECK", lambda i: i.drop_constraint(constraint("check")), ["ALTER TABLE a DROP CHECK ck1;"]),
]

MARIADB_ONLY = [
    ("drop check is DROP CONSTRAINT", lambda i: i.drop_constraint(constraint("check")), ["ALTER TABLE a DROP CONSTRAINT ck1;"]),
    (
        "add_column if_not_exists",
        lambda i: i.add_column("t", column("c"), if_not_exists=True),
        ["ALTER TABLE t ADD COLUMN IF NOT EXISTS c INTEGER;"],
    ),
    (
        "drop_column if_exists",
        lambda i: i.drop_column("t", column("c"), if_exists=True),
        ["ALTER TABLE t DROP COLUMN IF EXISTS c;"],
    ),
    (
        "drop fk if_exists",
        lambda i: i.drop_constraint(constraint("foreignkey"), if_exists=True),
        ["ALTER TABLE a DROP FOREIGN KEY IF EXISTS fk1;"],
    ),
    (
        "create index if_not_exists",
        lambda i: i.create_index(index("ix", "a"), if_not_exists=True),
        ["CREATE INDEX IF NOT EXISTS ix ON t (a);"],
    ),
]


@pytest.mark.parametrize("act, expected", [c[1:] for c in BOTH], ids=[c[0] for c in BOTH])
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_mysql_family_sql(dialect, act, expected):
    assert emitted(dialect, act) == expected


@pytest.mark.parametrize("act, expected", [c[1:] for c in MYSQL_ONLY], ids=[c[0] for c in MYSQL_ONLY])
def test_mysql_sql(act, expected):
    assert emitted("mysql", act) == expected


@pytest.mark.parametrize("act, expected", [c[1:] for c in MARIADB_ONLY], ids=[c[0] for c in MARIADB_ONLY])
def test_mariadb_sql(act, expected):
    assert emitted("mariadb", act) == expected


@pytest.mark.parametrize(
    "act",
    [
        lambda i: i.alter_column("t", "c", nullable=False),
        lambda i: i.alter_column("t", "c", name="d"),
        lambda i: i.alter_column("t", "c", comment="x"),
    ],
    ids=["nullable", "rename", "comment"],
)
def test_missing_existing_type_names_the_argument(act):
    with pytest.raises(CommandError, match="existing_type="):
        emitted("mysql", act)


def test_generic_drop_constraint_asks_for_type():
    with pytest.raises(NotImplementedError, match="type_="):
        emitted("mysql", lambda i: i.drop_constraint(constraint("generic")))


@pytest.mark.parametrize(
    "act",
    [
        lambda i: i.add_column("t", column("c"), if_not_exists=True),
        lambda i: i.drop_column("t", column("c"), if_exists=True),
        lambda i: i.create_index(index("ix", "a"), if_not_exists=True),
        lambda i: i.drop_index(index("ix", "a"), if_exists=True),
        lambda i: i.drop_constraint(constraint("unique"), if_exists=True),
    ],
    ids=["add_column", "drop_column", "create_index", "drop_index", "drop_constraint"],
)
def test_mysql_refuses_if_exists_it_lacks(act):
    with pytest.raises(NotImplementedError, match="MariaDB"):
        emitted("mysql", act)


def test_transactional_ddl_default():
    impl, _ = offline("mysql")
    assert impl.transactional_ddl is False
