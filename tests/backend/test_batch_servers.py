"""Batch mode on PostgreSQL and MariaDB: "auto" is plain ALTERs, "always" moves and copies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.migration import MigrationContext
from retort.operations import Operations
from retort.util.exc import CommandError

pytestmark = pytest.mark.backend


@pytest.fixture(params=["postgresql", "mysql"])
def engine(request):
    return request.getfixturevalue(f"{request.param}_engine")


def make_tables(conn: sa.Connection) -> tuple[sa.Table, sa.Table]:
    meta = sa.MetaData()
    parent = sa.Table("parent", meta, sa.Column("id", sa.Integer, primary_key=True))
    item = sa.Table(
        "item",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("qty", sa.Integer, server_default="3"),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_item_parent")),
        sa.Column("note", sa.String(50)),
        sa.UniqueConstraint("code", name="uq_item_code"),
        sa.CheckConstraint("qty >= 0", name="ck_item_qty"),
        sa.Index("ix_item_qty", "qty"),
        comment="items",
    )
    meta.create_all(conn)
    conn.execute(parent.insert(), [{"id": 1}, {"id": 2}])
    conn.execute(
        item.insert(),
        [
            {"code": "a", "qty": 1, "parent_id": 1, "note": "n1"},
            {"code": "b", "qty": 5, "parent_id": None, "note": None},
            {"code": "c", "qty": 0, "parent_id": 2, "note": "n3"},
        ],
    )
    return parent, item


def ops(conn: sa.Connection) -> Operations:
    return Operations(MigrationContext.configure(conn))


def rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def described(engine: sa.Engine, table: str = "item") -> dict:
    insp = sa.inspect(engine)
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"], c["default"] if "nextval" not in str(c["default"]) else "seq")
            for c in insp.get_columns(table)
        ],
        "pk": insp.get_pk_constraint(table)["constrained_columns"],
        "uq": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
        "ck": sorted(c["name"] for c in insp.get_check_constraints(table)),
        "fk": sorted(
            (f["name"], tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)
        ),
        "ix": sorted(
            (i["name"], tuple(i["column_names"])) for i in insp.get_indexes(table) if not i.get("duplicates_constraint")
        ),
        "comment": insp.get_table_comment(table)["text"],
    }


class StatementLog:
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


def test_auto_passes_plain_alters_through(engine):
    with engine.begin() as conn:
        make_tables(conn)
    with StatementLog(engine) as log, engine.begin() as conn:
        with ops(conn).batch_alter_table("item") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.Integer))
            batch_op.alter_column("note", type_=sa.String(80), existing_type=sa.String(50), existing_nullable=True)
            batch_op.alter_column("code", new_column_name="sku", existing_type=sa.String(10), existing_nullable=False)
            batch_op.drop_constraint("ck_item_qty", type_="check")
            batch_op.create_index("ix_item_extra", ["extra"])
    assert not any("_retort_tmp" in s for s in log.statements)
    assert any(s.startswith("ALTER TABLE item ADD") for s in log.statements)
    after = described(engine)
    assert [c[0] for c in after["columns"]] == ["id", "sku", "qty", "parent_id", "note", "extra"]
    assert after["columns"][4][1] == "VARCHAR(80)"
    assert after["ck"] == []
    assert ("ix_item_extra", ("extra",)) in after["ix"]
    assert rows(engine, "SELECT sku FROM item ORDER BY id") == [("a",), ("b",), ("c",)]


def test_always_moves_and_copies_keeping_everything(engine):
    with engine.begin() as conn:
        _, item = make_tables(conn)
    before = described(engine)
    with StatementLog(engine) as log, engine.begin() as conn:
        with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("extra", sa.Integer, server_default="7"), insert_after="code")
            batch_op.alter_column("note", type_=sa.String(80), existing_type=sa.String(50))
    assert any(s.startswith("CREATE TABLE _alembic_tmp_item") for s in log.statements)
    after = described(engine)
    assert [c[0] for c in after["columns"]] == ["id", "code", "extra", "qty", "parent_id", "note"]
    assert after["columns"][5][1] == "VARCHAR(80)"
    for key in ("pk", "uq", "ck", "fk", "ix", "comment"):
        assert after[key] == before[key], key
    keep = [c for c in after["columns"] if c[0] not in ("extra", "note")]
    assert keep == [c for c in before["columns"] if c[0] != "note"]
    assert rows(engine, "SELECT id, code, extra, qty, parent_id, note FROM item ORDER BY id") == [
        (1, "a", 7, 1, 1, "n1"), (2, "b", 7, 5, None, None), (3, "c", 7, 0, 2, "n3")]
    # the primary key keeps counting from where it was, the server default still applies
    with engine.begin() as conn:
        conn.execute(item.insert().values(code="d"))
    assert rows(engine, "SELECT id, qty FROM item WHERE code = 'd'") == [(4, 3)]
    assert sorted(sa.inspect(engine).get_table_names()) == ["item", "parent"]


def test_always_failing_copy_leaves_the_original(engine):
    with engine.begin() as conn:
        make_tables(conn)
    before = described(engine)
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
                batch_op.alter_column("parent_id", nullable=False, existing_type=sa.Integer)  # a row has NULL
    assert described(engine) == before
    assert rows(engine, "SELECT count(*) FROM item") == [(3,)]
    assert sorted(sa.inspect(engine).get_table_names()) == ["item", "parent"]


def test_always_on_a_referenced_table_keeps_the_referring_foreign_keys(engine):
    with engine.begin() as conn:
        make_tables(conn)
    before = described(engine, "item")
    with engine.begin() as conn:
        with ops(conn).batch_alter_table("parent", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("name", sa.String(10)))
    assert described(engine, "item") == before
    assert rows(engine, "SELECT id, name FROM parent ORDER BY id") == [(1, None), (2, None)]
    assert rows(engine, "SELECT count(*) FROM item") == [(3,)]
    # the foreign key is enforced against the new table
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO item (code, parent_id) VALUES ('z', 99)")
    assert sorted(sa.inspect(engine).get_table_names()) == ["item", "parent"]


@pytest.mark.parametrize("change", ["drop", "rename"])
def test_changing_a_referenced_column(engine, change):
    """PostgreSQL re-points the referring foreign key at a renamed column; what cannot be followed is refused."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE p (id INTEGER PRIMARY KEY, k INTEGER UNIQUE)")
        conn.exec_driver_sql(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, pk INTEGER, CONSTRAINT fk_c_p FOREIGN KEY (pk) REFERENCES p (k))"
        )
        conn.exec_driver_sql("INSERT INTO p VALUES (1, 10)")
    before = described(engine, "p"), described(engine, "c")

    def run() -> None:
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("p", recreate="always") as batch_op:
                if change == "drop":
                    batch_op.drop_column("k")
                else:
                    batch_op.alter_column("k", new_column_name="kk", existing_type=sa.Integer)

    if change == "rename" and engine.dialect.name == "postgresql":
        run()
        fks = sa.inspect(engine).get_foreign_keys("c")
        assert [(f["name"], f["referred_table"], f["referred_columns"]) for f in fks] == [("fk_c_p", "p", ["kk"])]
        assert rows(engine, "SELECT * FROM p") == [(1, 10)]
        return
    with pytest.raises(CommandError, match="fk_c_p"):
        run()
    assert (described(engine, "p"), described(engine, "c")) == before
    assert rows(engine, "SELECT * FROM p") == [(1, 10)]
    assert sorted(sa.inspect(engine).get_table_names()) == ["c", "p"]


def test_postgresql_failure_after_the_drop_rolls_back(postgresql_engine):
    engine = postgresql_engine
    with engine.begin() as conn:
        make_tables(conn)
    before = described(engine)

    def inject(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("ALTER TABLE _alembic_tmp_item RENAME"):
            raise RuntimeError("injected failure at the rename")

    sa.event.listen(engine, "before_cursor_execute", inject)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            with engine.begin() as conn:
                with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
                    batch_op.drop_column("note")
    finally:
        sa.event.remove(engine, "before_cursor_execute", inject)
    assert described(engine) == before
    assert rows(engine, "SELECT count(*) FROM item") == [(3,)]


def test_always_in_a_schema_with_comments(engine):
    schema = "batch_other"
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        else:
            schema = f"{engine.url.database}_other"  # removed by the fixture's reset
            conn.exec_driver_sql(f"CREATE DATABASE {schema}")
        meta = sa.MetaData()
        t = sa.Table(
            "t", meta,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("v", sa.String(10), comment="old"),
            sa.Column("self_id", sa.Integer, sa.ForeignKey(f"{schema}.t.id", name="fk_t_self")),
            schema=schema,
        )
        meta.create_all(conn)
        conn.execute(t.insert(), [{"id": 1, "v": "a", "self_id": None}, {"id": 2, "v": "b", "self_id": 1}])
        with ops(conn).batch_alter_table("t", schema=schema, recreate="always") as batch_op:
            batch_op.alter_column("v", comment="new", existing_type=sa.String(10))
            batch_op.create_table_comment("the table")
            batch_op.add_column(sa.Column("w", sa.Integer))
    insp = sa.inspect(engine)
    assert sorted(insp.get_table_names(schema=schema)) == ["t"]
    cols = {c["name"]: c for c in insp.get_columns("t", schema=schema)}
    assert cols["v"]["comment"] == "new"
    assert insp.get_table_comment("t", schema=schema)["text"] == "the table"
    fks = insp.get_foreign_keys("t", schema=schema)
    assert [(f["name"], f["referred_table"], f["referred_columns"]) for f in fks] == [("fk_t_self", "t", ["id"])]
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.c.id, t.c.v, t.c.self_id).order_by(t.c.id)).all() == [(1, "a", None), (2, "b", 1)]


def test_postgresql_expression_and_partial_indexes_survive(postgresql_engine):
    engine = postgresql_engine
    with engine.begin() as conn:
        make_tables(conn)
        conn.exec_driver_sql("CREATE INDEX ix_item_lower ON item (lower(code))")
        conn.exec_driver_sql("CREATE INDEX ix_item_some ON item (qty) WHERE qty > 1")
        with ops(conn).batch_alter_table("item", recreate="always") as batch_op:
            batch_op.drop_column("note")
    with engine.connect() as conn:
        defs = dict(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'item'").all())
    assert defs["ix_item_lower"].endswith("USING btree (lower((code)::text))")
    assert defs["ix_item_some"].endswith("USING btree (qty) WHERE (qty > 1)")


def test_column_placement_without_a_rebuild_is_refused(engine):
    with engine.begin() as conn:
        make_tables(conn)
    with pytest.raises(CommandError, match="recreate='always'"):
        with engine.begin() as conn:
            with ops(conn).batch_alter_table("item") as batch_op:
                batch_op.add_column(sa.Column("extra", sa.Integer), insert_after="id")
    assert "extra" not in [c["name"] for c in sa.inspect(engine).get_columns("item")]


@pytest.mark.parametrize("kind", ["BY DEFAULT", "ALWAYS"])
def test_postgresql_identity_carries_on(postgresql_engine, kind):
    engine = postgresql_engine
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE it (id INTEGER GENERATED {kind} AS IDENTITY PRIMARY KEY, v TEXT)")
        conn.exec_driver_sql("INSERT INTO it (v) VALUES ('a'), ('b')")
        with ops(conn).batch_alter_table("it", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("w", sa.Integer))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO it (v) VALUES ('c')")
    assert rows(engine, "SELECT id, v FROM it ORDER BY id") == [(1, "a"), (2, "b"), (3, "c")]
    identity = sa.inspect(engine).get_columns("it")[0]["identity"]
    assert identity["always"] is (kind == "ALWAYS")
    assert rows(engine, "SELECT relname FROM pg_class WHERE relkind = 'S'") == [("it_id_seq",)]


def test_postgresql_enum_types_are_kept_and_created(postgresql_engine):
    engine = postgresql_engine
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('happy', 'sad')")
        conn.exec_driver_sql("CREATE TABLE et (id SERIAL PRIMARY KEY, m mood, size TEXT)")
        conn.exec_driver_sql("INSERT INTO et (m, size) VALUES ('sad', 'big')")
        with ops(conn).batch_alter_table("et", recreate="always") as batch_op:
            batch_op.alter_column(
                "size", type_=sa.Enum("big", "small", name="size_kind"), postgresql_using="size::size_kind"
            )
    assert rows(engine, "SELECT id, m::text, size::text FROM et") == [(1, "sad", "big")]
    assert sorted(e["name"] for e in sa.inspect(engine).get_enums()) == ["mood", "size_kind"]
