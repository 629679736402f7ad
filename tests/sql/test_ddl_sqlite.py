"""SQLite DDL text offline, and the ALTERs SQLite cannot do (they point at batch mode)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from ddl_helpers import column, constraint, emitted, index, offline, table

CASES = [
    (
        "add_column",
        lambda i: i.add_column("t", column("c", sa.String(20), nullable=False, server_default="x'y")),
        ["ALTER TABLE t ADD COLUMN c VARCHAR(20) DEFAULT 'x''y' NOT NULL;"],
    ),
    (
        "add_column with inline REFERENCES",
        lambda i: i.add_column("t", column("x", sa.Integer, sa.ForeignKey("b.id", name="fk_x")), inline_references=True),
        ["ALTER TABLE t ADD COLUMN x INTEGER CONSTRAINT fk_x REFERENCES b (id);"],
    ),
    ("drop_column", lambda i: i.drop_column("t", column("c")), ["ALTER TABLE t DROP COLUMN c;"]),
    (
        "rename column",
        lambda i: i.alter_column("t", "c", name="d", existing_type=sa.Integer),
        ["ALTER TABLE t RENAME COLUMN c TO d;"],
    ),
    ("rename table", lambda i: i.rename_table("a", "b"), ["ALTER TABLE a RENAME TO b;"]),
    (
        "quoting",
        lambda i: i.rename_table("select", "Order"),
        ['ALTER TABLE "select" RENAME TO "Order";'],
    ),
    (
        "create_table skips comments SQLite cannot store",
        lambda i: i.create_table(table("t", sa.Column("id", sa.Integer, primary_key=True, comment="x"), comment="y")),
        ["CREATE TABLE t (\n    id INTEGER NOT NULL, \n    PRIMARY KEY (id)\n);"],
    ),
    (
        "create_index if_not_exists",
        lambda i: i.create_index(index("ix", "a", "b", unique=True), if_not_exists=True),
        ["CREATE UNIQUE INDEX IF NOT EXISTS ix ON t (a, b);"],
    ),
    ("drop_index if_exists", lambda i: i.drop_index(index("ix", "a"), if_exists=True), ["DROP INDEX IF EXISTS ix;"]),
    ("drop_table", lambda i: i.drop_table(table("t")), ["DROP TABLE t;"]),
]


@pytest.mark.parametrize("act, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sqlite_sql(act, expected):
    assert emitted("sqlite", act) == expected


REFUSED = [
    ("nullable", lambda i: i.alter_column("t", "c", nullable=False)),
    ("type", lambda i: i.alter_column("t", "c", type_=sa.String(3))),
    ("default", lambda i: i.alter_column("t", "c", server_default="x")),
    ("comment", lambda i: i.alter_column("t", "c", comment="x")),
    ("rename plus type", lambda i: i.alter_column("t", "c", name="d", type_=sa.String(3))),
    ("add foreign key", lambda i: i.add_constraint(constraint("foreignkey"))),
    ("add unique", lambda i: i.add_constraint(constraint("unique"))),
    ("add check", lambda i: i.add_constraint(constraint("check"))),
    ("drop constraint", lambda i: i.drop_constraint(constraint("unique"))),
    ("add inline primary key column", lambda i: i.add_column("t", column("id", primary_key=True), inline_primary_key=True)),
]


@pytest.mark.parametrize("act", [c[1] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_what_sqlite_cannot_alter_names_batch_mode(act):
    impl, buf = offline("sqlite")
    with pytest.raises(NotImplementedError, match=r"op\.batch_alter_table\('(t|a)'\)"):
        act(impl)
    assert buf.getvalue() == ""


def test_if_not_exists_offline_is_refused():
    with pytest.raises(NotImplementedError, match="if_not_exists"):
        emitted("sqlite", lambda i: i.add_column("t", column("c"), if_not_exists=True))


def _batch(*ops):
    return SimpleNamespace(batch=list(ops))


@pytest.mark.parametrize(
    "ops, recreate",
    [
        ([], False),
        ([("add_column", ("t", sa.Column("c", sa.Integer)), {})], False),
        ([("add_column", ("t", sa.Column("c", sa.Integer, server_default="5")), {})], False),
        ([("add_column", ("t", sa.Column("c", sa.Integer, server_default=sa.text("now()"))), {})], True),
        ([("add_column", ("t", sa.Column("c", sa.Integer)), {"insert_before": "x"})], True),
        ([("add_column", ("t", sa.Column("c", sa.Integer, sa.ForeignKey("b.id"))), {})], True),
        ([("add_column", ("t", sa.Column("c", sa.Integer, sa.ForeignKey("b.id"))), {"inline_references": True})], False),
        ([("add_column", ("t", sa.Column("c", sa.Integer, sa.Computed("a + 1", persisted=True))), {})], True),
        ([("create_index", (sa.Index("ix", sa.column("a")),), {}), ("drop_index", (None,), {})], False),
        ([("alter_column", ("t", "c"), {"nullable": False})], True),
        ([("drop_column", ("t", sa.Column("c")), {})], True),
        ([("add_constraint", (None,), {})], True),
    ],
    ids=[
        "nothing", "plain add", "constant default", "expression default", "positioned",
        "with fk", "with inline fk", "stored computed", "indexes", "alter", "drop column", "constraint",
    ],
)
def test_requires_recreate_in_batch(ops, recreate):
    impl, _ = offline("sqlite")
    assert impl.requires_recreate_in_batch(_batch(*ops)) is recreate


def test_other_dialects_never_recreate():
    impl, _ = offline("postgresql")
    assert impl.requires_recreate_in_batch(_batch(("alter_column", ("t", "c"), {}))) is False


def test_transactional_ddl_default():
    # online retort begins a real transaction (a failed revision's DDL rolls
    # back); an offline script is Alembic's: no BEGIN / COMMIT around it
    impl, _ = offline("sqlite")
    assert impl.transactional_ddl is False
    dialect = impl.dialect
    from retort.ddl.impl import impl_for

    assert impl_for("sqlite").transactional_ddl is True
    assert impl_for("sqlite")(dialect, None, True, True, None, {}).transactional_ddl is True
