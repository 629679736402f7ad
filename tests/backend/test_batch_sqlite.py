"""Batch mode on SQLite: move-and-copy keeps every row and everything it is not told to change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.migration import MigrationContext
from retort.operations import Operations
from retort.util.exc import BatchError, CommandError

PARENT = "CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20))"
ITEM = """
CREATE TABLE item (
    id INTEGER NOT NULL,
    code VARCHAR(10) NOT NULL,
    qty INTEGER DEFAULT '3',
    price NUMERIC(10, 2),
    parent_id INTEGER,
    other_id INTEGER,
    note TEXT,
    CONSTRAINT pk_item PRIMARY KEY (id),
    CONSTRAINT uq_item_code UNIQUE (code),
    UNIQUE (note),
    CONSTRAINT ck_item_qty CHECK (qty >= 0),
    CHECK (price > 0),
    CONSTRAINT fk_item_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE,
    FOREIGN KEY (other_id) REFERENCES parent (id)
)"""
ROWS = [
    (1, "a", 1, 9.5, 1, None, "n1"),
    (2, "b", 0, 2.25, 1, 2, "n2"),
    (3, "c", 7, 1.0, 2, 2, None),
]


def setup_schema(conn: sa.Connection) -> None:
    conn.exec_driver_sql(PARENT)
    conn.exec_driver_sql(ITEM)
    conn.exec_driver_sql("CREATE INDEX ix_item_qty ON item (qty)")
    conn.exec_driver_sql("CREATE UNIQUE INDEX ix_item_pc ON item (parent_id, code)")
    conn.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES item (id))")
    conn.exec_driver_sql("INSERT INTO parent VALUES (1, 'p1'), (2, 'p2')")
    conn.exec_driver_sql("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    conn.exec_driver_sql("INSERT INTO child VALUES (10, 1), (11, 3)")


@pytest.fixture
def engine(sqlite_engine):
    with sqlite_engine.begin() as conn:
        setup_schema(conn)
    return sqlite_engine


def ops(conn: sa.Connection, **opts) -> Operations:
    return Operations(MigrationContext.configure(conn, opts=opts))


def rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def columns(engine: sa.Engine, table: str = "item") -> dict:
    return {c["name"]: c for c in sa.inspect(engine).get_columns(table)}


def table_names(engine: sa.Engine) -> list[str]:
    return sorted(sa.inspect(engine).get_table_names())


def schema_of(engine: sa.Engine, table: str = "item") -> dict:
    """Everything a user could check about the table, except its columns."""
    insp = sa.inspect(engine)
    return {
        "pk": insp.get_pk_constraint(table),
        "uq": sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
        "ck": sorted((c["name"] or "", c["sqltext"]) for c in insp.get_check_constraints(table)),
        "fk": sorted(
            (f["name"] or "", tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
             f["options"].get("ondelete"))
            for f in insp.get_foreign_keys(table)
        ),
        "ix": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
    }


class StatementLog:
    """The SQL really sent to the database while in the block."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _listen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(" ".join(statement.split()))

    def __enter__(self) -> "StatementLog":
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)


# ------------------------------------------------------------------ the basics


def test_add_drop_rename_retype_keeps_rows(engine):
    before = schema_of(engine)
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.String(5), server_default="x"))
            batch_op.alter_column("qty", new_column_name="quantity", existing_type=sa.Integer)
            batch_op.alter_column("price", type_=sa.String(20))
            batch_op.alter_column("note", nullable=True, existing_type=sa.Text)
    cols = columns(engine)
    assert list(cols) == ["id", "code", "quantity", "price", "parent_id", "other_id", "note", "extra"]
    assert isinstance(cols["price"]["type"], sa.String) and cols["price"]["type"].length == 20
    assert cols["quantity"]["default"] == "'3'"
    assert rows(engine, "SELECT id, code, quantity, price, parent_id, other_id, note, extra FROM item ORDER BY id") == [
        (1, "a", 1, "9.5", 1, None, "n1", "x"),
        (2, "b", 0, "2.25", 1, 2, "n2", "x"),
        (3, "c", 7, "1", 2, 2, None, "x"),
    ]
    after = schema_of(engine)
    # the rename reached the CHECK and the index that name the column
    assert after["ck"] == [("", "price > 0"), ("ck_item_qty", "quantity >= 0")]
    assert ("ix_item_qty", ("quantity",), False) in after["ix"]
    for key in ("pk", "uq", "fk"):
        assert after[key] == before[key]
    assert table_names(engine) == ["child", "item", "parent"]


def test_everything_not_told_to_change_survives(engine):
    before = schema_of(engine)
    before_cols = columns(engine)
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("flag", sa.Integer))
            batch_op.drop_column("flag")
    assert schema_of(engine) == before
    after_cols = columns(engine)
    for name, col in before_cols.items():
        assert (str(after_cols[name]["type"]), after_cols[name]["nullable"], after_cols[name]["default"]) == (
            str(col["type"]), col["nullable"], col["default"])
    assert rows(engine, "SELECT * FROM item ORDER BY id") == [
        (1, "a", 1, 9.5, 1, None, "n1"), (2, "b", 0, 2.25, 1, 2, "n2"), (3, "c", 7, 1, 2, 2, None)]
    # the server default and the constraints still work
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (id, code, price) VALUES (4, 'd', 1)")
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                conn.exec_driver_sql("INSERT INTO item (id, code, qty, price) VALUES (5, 'e', -1, 1)")
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                conn.exec_driver_sql("INSERT INTO item (id, code, price) VALUES (6, 'a', 1)")
    assert rows(engine, "SELECT qty FROM item WHERE id = 4") == [(3,)]


def test_referring_foreign_keys_still_point_at_the_table(engine):
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.drop_column("note")
    fks = sa.inspect(engine).get_foreign_keys("child")
    assert [(f["referred_table"], f["referred_columns"]) for f in fks] == [("item", ["id"])]
    assert rows(engine, "SELECT * FROM child ORDER BY id") == [(10, 1), (11, 3)]
    assert rows(engine, "SELECT id FROM item ORDER BY id") == [(1,), (2,), (3,)]


def test_foreign_keys_on_outside_a_transaction_are_switched_off_and_back(sqlite_engine):
    @sa.event.listens_for(sqlite_engine, "connect")
    def fk_on(dbapi_conn, record):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    with sqlite_engine.begin() as conn:
        setup_schema(conn)
    with sqlite_engine.connect() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.alter_column("code", type_=sa.String(30))
        conn.commit()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # ON DELETE actions did not fire, no child row lost
    assert rows(sqlite_engine, "SELECT * FROM child ORDER BY id") == [(10, 1), (11, 3)]
    assert rows(sqlite_engine, "SELECT count(*) FROM item") == [(3,)]
    assert columns(sqlite_engine)["code"]["type"].length == 30


def test_foreign_keys_on_inside_a_transaction_is_refused_untouched(sqlite_engine):
    @sa.event.listens_for(sqlite_engine, "connect")
    def fk_on(dbapi_conn, record):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    with sqlite_engine.begin() as conn:
        setup_schema(conn)
    before = schema_of(sqlite_engine)
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO parent VALUES (3, 'p3')")  # the driver BEGINs here
        with pytest.raises(BatchError, match="PRAGMA foreign_keys") as err:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.drop_column("note")
        assert "child(item_id)" in str(err.value)
        conn.rollback()
    assert schema_of(sqlite_engine) == before
    assert rows(sqlite_engine, "SELECT count(*) FROM item") == [(3,)]


def test_self_referential_foreign_key(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE node (id INTEGER PRIMARY KEY, parent_id INTEGER, label TEXT,"
            " CONSTRAINT fk_node_parent FOREIGN KEY (parent_id) REFERENCES node (id))"
        )
        conn.exec_driver_sql("INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'leaf')")
        with ops(conn).batch_alter_table("node") as batch_op:
            batch_op.alter_column("label", new_column_name="title")
    fks = sa.inspect(sqlite_engine).get_foreign_keys("node")
    assert [(f["name"], f["referred_table"], f["constrained_columns"]) for f in fks] == [
        ("fk_node_parent", "node", ["parent_id"])]
    assert rows(sqlite_engine, "SELECT * FROM node ORDER BY id") == [(1, None, "root"), (2, 1, "leaf")]


# --------------------------------------------------------------- constraints


def test_drop_named_constraints_and_index(engine):
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.drop_constraint("uq_item_code", type_="unique")
            batch_op.drop_constraint("ck_item_qty", type_="check")
            batch_op.drop_constraint("fk_item_parent", type_="foreignkey")
            batch_op.drop_index("ix_item_qty")
    after = schema_of(engine)
    assert ("uq_item_code", ("code",)) not in after["uq"]
    assert [c[0] for c in after["ck"]] == [""]
    assert [f[1] for f in after["fk"]] == [("other_id",)]
    assert "ix_item_qty" not in [i[0] for i in after["ix"]]
    assert rows(engine, "SELECT count(*) FROM item") == [(3,)]


def test_create_constraints_and_index(engine):
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.create_unique_constraint("uq_item_price", ["price"])
            batch_op.create_check_constraint("ck_item_code", sa.text("length(code) < 5"))
            batch_op.create_foreign_key("fk_item_qty", "parent", ["qty"], ["id"], ondelete="SET NULL")
            batch_op.create_index("ix_item_note", ["note"])
            # child.item_id still needs a unique key on item.id
            batch_op.create_unique_constraint("uq_item_id", ["id"])
            batch_op.create_primary_key("pk_item2", ["id", "code"])
    after = schema_of(engine)
    assert ("uq_item_price", ("price",)) in after["uq"]
    assert ("ck_item_code", "length(code) < 5") in after["ck"]
    assert ("fk_item_qty", ("qty",), "parent", ("id",), "SET NULL") in after["fk"]
    assert ("ix_item_note", ("note",), False) in after["ix"]
    assert after["pk"] == {"constrained_columns": ["id", "code"], "name": "pk_item2"}


def test_unnamed_constraints_dropped_through_naming_convention(engine):
    convention = {
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item", naming_convention=convention) as batch_op:
            batch_op.drop_constraint("uq_item_note", type_="unique")
            batch_op.drop_constraint("fk_item_other_id_parent", type_="foreignkey")
    after = schema_of(engine)
    assert after["uq"] == [("uq_item_code", ("code",))]
    assert [f[0] for f in after["fk"]] == ["fk_item_parent"]


def test_dropping_a_column_drops_what_depends_on_it(engine):
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.drop_column("qty")
            batch_op.drop_column("parent_id")
    after = schema_of(engine)
    assert [c[1] for c in after["ck"]] == ["price > 0"]
    assert [i[0] for i in after["ix"]] == []
    assert [f[1] for f in after["fk"]] == [("other_id",)]
    assert list(columns(engine)) == ["id", "code", "price", "other_id", "note"]


def test_unknown_constraint_is_a_value_error_and_table_untouched(engine):
    before = schema_of(engine)
    with pytest.raises(ValueError, match="No such constraint: 'nope'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.drop_column("note")
                batch_op.drop_constraint("nope", type_="unique")
    assert schema_of(engine) == before
    with pytest.raises(CommandError, match="no column 'nope'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.alter_column("nope", nullable=True)
    assert "note" in columns(engine)


# ------------------------------------------------------------ column order


def test_insert_before_after_and_partial_reordering(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 2, 3, 4)")
        with ops(conn).batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("x", sa.Integer), insert_before="b")
            batch_op.add_column(sa.Column("y", sa.Integer), insert_after="c")
            batch_op.alter_column("a", insert_after="d")
    assert list(columns(sqlite_engine, "t")) == ["x", "b", "c", "y", "d", "a"]
    with sqlite_engine.begin() as conn:
        with ops(conn).batch_alter_table(
            "t", recreate="always", partial_reordering=[("a", "b", "c", "d", "x", "y")]
        ):
            pass
    assert list(columns(sqlite_engine, "t")) == ["a", "b", "c", "d", "x", "y"]
    assert rows(sqlite_engine, "SELECT a, b, c, d, x, y FROM t") == [(1, 2, 3, 4, None, None)]


def _int(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer)


# each expected order is what Alembic 1.20 produces for the same batch
_ORDERS = {
    "before_then_after": (
        lambda b: (b.add_column(_int("y"), insert_before="name"), b.add_column(_int("z"), insert_after="id")),
        {},
        ["id", "y", "z", "name", "x", "pid"],
    ),
    "two_after_one": (
        lambda b: (b.add_column(_int("y"), insert_after="id"), b.add_column(_int("z"), insert_after="id")),
        {},
        ["id", "y", "z", "name", "x", "pid"],
    ),
    "before_a_new_column": (
        lambda b: (b.add_column(_int("y")), b.add_column(_int("z")), b.add_column(_int("w"), insert_before="z")),
        {},
        ["id", "name", "x", "pid", "y", "w", "z"],
    ),
    "add_rename_drop": (
        lambda b: (
            b.add_column(_int("y")),
            b.alter_column("name", new_column_name="title", existing_type=sa.Integer),
            b.drop_column("pid"),
        ),
        {},
        ["id", "y", "title", "x"],
    ),
    "add_then_drop_last": (lambda b: (b.add_column(_int("y")), b.drop_column("pid")), {}, ["id", "y", "name", "x"]),
    "drop_last_then_add": (lambda b: (b.drop_column("pid"), b.add_column(_int("y"))), {}, ["id", "name", "x", "y"]),
    "partial": (lambda b: b.add_column(_int("y")), {"partial_reordering": [("name", "id")]}, ["name", "x", "pid", "y", "id"]),
    "partial_before": (
        lambda b: b.add_column(_int("y"), insert_before="x"),
        {"partial_reordering": [("name", "id")]},
        ["name", "pid", "y", "id", "x"],
    ),
    "partial_original_name": (
        lambda b: b.alter_column("name", new_column_name="title", existing_type=sa.Integer),
        {"partial_reordering": [("name", "id")]},
        ["title", "x", "pid", "id"],
    ),
}


@pytest.mark.parametrize("case", list(_ORDERS))
def test_column_order_matches_alembic(sqlite_engine, case):
    fn, kw, expected = _ORDERS[case]
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name INTEGER, x INTEGER, pid INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 2, 3, 4)")
        with ops(conn).batch_alter_table("t", recreate="always", **kw) as batch_op:
            fn(batch_op)
    assert list(columns(sqlite_engine, "t")) == expected
    kept = [c for c in expected if c in ("id", "x")]
    assert rows(sqlite_engine, f"SELECT {', '.join(kept)} FROM t") == [tuple(1 if c == "id" else 3 for c in kept)]


def test_partial_reordering_needs_recreate_always(sqlite_engine):
    with sqlite_engine.begin() as conn:
        with pytest.raises(ValueError, match="partial_reordering"):
            with ops(conn).batch_alter_table("t", partial_reordering=[("a", "b")]):
                pass


# ------------------------------------------------------------ recreate modes


def test_auto_with_only_add_column_is_a_plain_alter(engine):
    with StatementLog(engine) as log, engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.Integer))
            batch_op.create_index("ix_item_extra", ["extra"])
    assert not any("_retort_tmp" in s for s in log.statements)
    assert any(s.startswith("ALTER TABLE item ADD COLUMN extra") for s in log.statements)
    assert ("ix_item_extra", ("extra",), False) in schema_of(engine)["ix"]


def test_never_passes_alters_through(engine):
    with pytest.raises(NotImplementedError):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item", recreate="never") as batch_op:
                batch_op.alter_column("qty", type_=sa.String(5))
    assert str(columns(engine)["qty"]["type"]) == "INTEGER"


def test_always_recreates_even_for_add_column(engine):
    with StatementLog(engine) as log, engine.begin() as conn:
        with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.Integer))
    ddl = [s.split(" (")[0] for s in log.statements if s.startswith(("CREATE", "INSERT", "DROP", "ALTER"))]
    assert ddl == [
        "CREATE TABLE _alembic_tmp_item",
        "INSERT INTO _alembic_tmp_item",
        "DROP TABLE item",
        "ALTER TABLE _alembic_tmp_item RENAME TO item",
        "CREATE UNIQUE INDEX ix_item_pc ON item",
        "CREATE INDEX ix_item_qty ON item",
    ]
    assert "extra" in columns(engine)


# ----------------------------------------------------------------- options


def test_copy_from_online_and_table_args_kwargs(sqlite_engine):
    meta = sa.MetaData()
    t = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(10)))
    with sqlite_engine.begin() as conn:
        t.create(conn)
        conn.execute(t.insert(), [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
        with ops(conn).batch_alter_table(
            "t",
            copy_from=t,
            table_args=(sa.CheckConstraint("length(v) < 5", name="ck_t_v"),),
            table_kwargs={"sqlite_autoincrement": True},
        ) as batch_op:
            batch_op.add_column(sa.Column("w", sa.Integer, nullable=False, server_default="0"))
            batch_op.alter_column("v", nullable=False)
    assert rows(sqlite_engine, "SELECT * FROM t ORDER BY id") == [(1, "a", 0), (2, "b", 0)]
    sql = rows(sqlite_engine, "SELECT sql FROM sqlite_master WHERE name = 't'")[0][0]
    assert "AUTOINCREMENT" in sql and "CONSTRAINT ck_t_v CHECK (length(v) < 5)" in sql
    assert columns(sqlite_engine, "t")["v"]["nullable"] is False
    assert list(t.c.keys()) == ["id", "v"]  # the caller's Table is left alone


def test_reflect_args_and_listeners(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN, mood VARCHAR(5))")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 1, 'sad')")
        seen = []

        def listen(inspector, table, column_info):
            seen.append(column_info["name"])

        with ops(conn).batch_alter_table(
            "t",
            reflect_args=[sa.Column("flag", sa.Boolean(create_constraint=False))],
            reflect_kwargs={"listeners": [("column_reflect", listen)]},
        ) as batch_op:
            batch_op.alter_column("flag", new_column_name="bflag", existing_type=sa.Boolean)
    assert "mood" in seen
    assert rows(sqlite_engine, "SELECT * FROM t") == [(1, 1, "sad")]
    assert list(columns(sqlite_engine, "t")) == ["id", "bflag", "mood"]


def test_json_survives_a_type_change(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT)")
        conn.exec_driver_sql("""INSERT INTO t VALUES (1, '{"a": [1, 2]}')""")
        with ops(conn).batch_alter_table("t") as batch_op:
            batch_op.alter_column("doc", type_=sa.JSON)
    assert rows(sqlite_engine, "SELECT doc FROM t") == [('{"a": [1, 2]}',)]


def test_triggers_and_views_survive(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, junk TEXT)")
        conn.exec_driver_sql("CREATE TABLE log (v TEXT)")
        conn.exec_driver_sql("CREATE VIEW tv AS SELECT id, v FROM t")
        conn.exec_driver_sql("CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); END")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 'a', 'x')")
        with ops(conn).batch_alter_table("t") as batch_op:
            batch_op.drop_column("junk")
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (2, 'b')")
    assert rows(sqlite_engine, "SELECT * FROM tv ORDER BY id") == [(1, "a"), (2, "b")]
    assert rows(sqlite_engine, "SELECT v FROM log ORDER BY v") == [("a",), ("b",)]


def test_same_op_objects_invoked_in_batch_for_two_tables(sqlite_engine):
    from retort.operations import ops as ops_mod

    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY, old TEXT)")
        conn.exec_driver_sql("CREATE TABLE b (id INTEGER PRIMARY KEY, old TEXT)")
        conn.exec_driver_sql("INSERT INTO a VALUES (1, 'x')")
        add = ops_mod.AddColumnOp("ignored", sa.Column("new", sa.Integer, server_default="7"))
        drop = ops_mod.DropColumnOp("ignored", "old")
        operations = ops(conn)
        for name in ("a", "b"):
            with operations.batch_alter_table(name) as batch_op:
                batch_op.invoke(add)
                batch_op.invoke(drop)
    assert rows(sqlite_engine, "SELECT * FROM a") == [(1, 7)]
    assert list(columns(sqlite_engine, "b")) == ["id", "new"]


# ------------------------------------------------------------ failing batch


def test_failure_during_the_copy_leaves_table_and_rows(engine):
    before = schema_of(engine)
    before_rows = rows(engine, "SELECT * FROM item ORDER BY id")
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.drop_column("qty")
                batch_op.alter_column("other_id", nullable=False)  # row 1 has NULL
    assert schema_of(engine) == before
    assert rows(engine, "SELECT * FROM item ORDER BY id") == before_rows
    assert table_names(engine) == ["child", "item", "parent"]


@pytest.mark.parametrize("fail_on", ["DROP TABLE item", "ALTER TABLE _alembic_tmp_item RENAME", "CREATE INDEX"])
def test_failure_after_the_copy_rolls_back_to_the_original(engine, fail_on):
    before = schema_of(engine)
    before_rows = rows(engine, "SELECT * FROM item ORDER BY id")

    def inject(conn, cursor, statement, parameters, context, executemany):
        if " ".join(statement.split()).startswith(fail_on):
            raise RuntimeError(f"injected failure at {fail_on}")

    sa.event.listen(engine, "before_cursor_execute", inject)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            with engine.connect() as conn:
                with ops(conn).batch_alter_table("item") as batch_op:
                    batch_op.alter_column("code", type_=sa.String(40))
                    batch_op.drop_column("note")
                conn.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", inject)
    assert schema_of(engine) == before
    assert rows(engine, "SELECT * FROM item ORDER BY id") == before_rows
    assert table_names(engine) == ["child", "item", "parent"]
    assert str(columns(engine)["code"]["type"]) == "VARCHAR(10)"


def test_schema_type_checks_follow_the_type(sqlite_engine):
    meta = sa.MetaData()
    t = sa.Table(
        "t", meta, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_flag")),
    )
    with sqlite_engine.begin() as conn:
        t.create(conn)
        conn.execute(t.insert(), [{"id": 1, "flag": True}, {"id": 2, "flag": False}])
        with ops(conn).batch_alter_table("t") as batch_op:
            batch_op.alter_column(
                "flag", type_=sa.Integer, existing_type=sa.Boolean(create_constraint=True, name="ck_t_flag")
            )
            batch_op.add_column(sa.Column("other", sa.Boolean(create_constraint=True, name="ck_t_other")))
    checks = sa.inspect(sqlite_engine).get_check_constraints("t")
    assert [c["name"] for c in checks] == ["ck_t_other"]
    assert rows(sqlite_engine, "SELECT id, flag FROM t ORDER BY id") == [(1, 1), (2, 0)]
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (id, flag) VALUES (3, 5)")  # no CHECK on flag any more


def test_generated_columns_and_a_constraint_name_convention(sqlite_engine):
    convention = {"ck": "ck_%(table_name)s_%(constraint_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER UNIQUE CONSTRAINT a_positive CHECK (a > 0),"
            " b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL)"
        )
        conn.exec_driver_sql("INSERT INTO t (id, a) VALUES (1, 3)")
        with ops(conn).batch_alter_table("t", naming_convention=convention) as batch_op:
            batch_op.drop_constraint("uq_t_a", type_="unique")
            batch_op.add_column(sa.Column("z", sa.Integer))
    insp = sa.inspect(sqlite_engine)
    assert insp.get_unique_constraints("t") == []
    # a named constraint keeps its name: %(constraint_name)s conventions only name new ones
    assert [c["name"] for c in insp.get_check_constraints("t")] == ["a_positive"]
    assert rows(sqlite_engine, "SELECT id, a, b, z FROM t") == [(1, 3, 6, None)]


def test_attached_database_as_schema(sqlite_engine, tmp_path):
    other = tmp_path / "other.db"

    @sa.event.listens_for(sqlite_engine, "connect")
    def attach(dbapi_conn, record):
        dbapi_conn.execute(f"ATTACH DATABASE '{other}' AS other")

    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE other.t (id INTEGER PRIMARY KEY, v TEXT, w TEXT)")
        conn.exec_driver_sql("CREATE INDEX other.ix_t_v ON t (v)")
        conn.exec_driver_sql("INSERT INTO other.t VALUES (1, 'a', 'b')")
        with ops(conn).batch_alter_table("t", schema="other") as batch_op:
            batch_op.drop_column("w")
    insp = sa.inspect(sqlite_engine)
    assert insp.get_table_names(schema="other") == ["t"]
    assert [i["name"] for i in insp.get_indexes("t", schema="other")] == ["ix_t_v"]
    assert rows(sqlite_engine, "SELECT * FROM other.t") == [(1, "a")]


def test_bad_input_names_what_is_wrong(engine):
    before = schema_of(engine)
    with pytest.raises(BatchError, match="no such table"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("nope") as batch_op:
                batch_op.drop_column("x")
    with pytest.raises(ValueError, match="insert_before='zz'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.add_column(sa.Column("x", sa.Integer), insert_before="zz")
    with pytest.raises(ValueError, match="partial_reordering.*'zz'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item", recreate="always", partial_reordering=[("zz", "id")]):
                pass
    with pytest.raises(ValueError, match="already has a column 'code'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.alter_column("qty", new_column_name="code")
    with pytest.raises(ValueError, match="recreate"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item", recreate="sometimes"):
                pass
    assert schema_of(engine) == before
    assert table_names(engine) == ["child", "item", "parent"]


def test_inside_the_migration_transaction(engine):
    before = schema_of(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with pytest.raises(sa.exc.IntegrityError):
            with ctx.begin_transaction():
                operations = Operations(ctx)
                operations.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))
                with operations.batch_alter_table("item") as batch_op:
                    batch_op.alter_column("other_id", nullable=False)  # row 1 has NULL
        conn.rollback()
    assert schema_of(engine) == before
    assert table_names(engine) == ["child", "item", "parent"]  # the whole revision rolled back
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            operations = Operations(ctx)
            operations.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))
            with operations.batch_alter_table("item") as batch_op:
                batch_op.alter_column("note", new_column_name="remark")
    assert table_names(engine) == ["audit", "child", "item", "parent"]
    assert "remark" in columns(engine)
    assert rows(engine, "SELECT count(*) FROM item") == [(3,)]


def test_a_column_other_tables_refer_to_cannot_be_renamed_away(engine):
    before = schema_of(engine)
    with pytest.raises(BatchError, match="'child' has a foreign key to item\\(id\\)"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.alter_column("id", new_column_name="item_id")
    assert schema_of(engine) == before
    assert "id" in columns(engine)


def test_a_referenced_column_may_change_type(engine):
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.alter_column("id", type_=sa.BigInteger)
    assert str(columns(engine)["id"]["type"]) == "BIGINT"
    assert rows(engine, "SELECT * FROM child ORDER BY id") == [(10, 1), (11, 3)]


def test_foreign_key_check_before_switching_enforcement_back_on(sqlite_engine):
    @sa.event.listens_for(sqlite_engine, "connect")
    def fk_on(dbapi_conn, record):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    with sqlite_engine.begin() as conn:
        setup_schema(conn)
    before = schema_of(sqlite_engine)
    with sqlite_engine.connect() as conn:
        with pytest.raises(BatchError, match="break foreign keys"):
            with ops(conn).batch_alter_table("item") as batch_op:
                # qty 0 and 7 are no parent ids: enforcement would have refused these rows
                batch_op.create_foreign_key("fk_item_qty", "parent", ["qty"], ["id"])
        conn.rollback()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert schema_of(sqlite_engine) == before
    assert rows(sqlite_engine, "SELECT count(*) FROM item") == [(3,)]


def test_autoincrement_and_its_counter_survive(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)")
        conn.exec_driver_sql("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')")
        conn.exec_driver_sql("DELETE FROM t WHERE id = 3")
        with ops(conn).batch_alter_table("t") as batch_op:
            batch_op.alter_column("v", nullable=False)
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (v) VALUES ('d')")
    assert rows(sqlite_engine, "SELECT id, v FROM t ORDER BY id") == [(1, "a"), (2, "b"), (4, "d")]
    assert "AUTOINCREMENT" in rows(sqlite_engine, "SELECT sql FROM sqlite_master WHERE name = 't'")[0][0]
