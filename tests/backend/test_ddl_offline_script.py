"""Offline (--sql) output really runs: generate a script per dialect, play it on the database, reflect."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from retort.ddl.impl import DefaultImpl, impl_for


def offline_for(engine: sa.Engine) -> tuple[DefaultImpl, io.StringIO]:
    buf = io.StringIO()
    dialect = engine.dialect
    return impl_for(dialect.name)(dialect, None, True, None, buf, {}), buf


def statements(impl: DefaultImpl, text: str) -> list[str]:
    """Split a script the way psql / mysql would: each piece ends with the terminator."""
    out = []
    for chunk in text.split("\n\n"):
        chunk = chunk.strip()
        if not chunk or chunk == impl.batch_separator:
            continue
        assert chunk.endswith(impl.command_terminator), chunk
        out.append(chunk[: len(chunk) - len(impl.command_terminator)] if impl.command_terminator else chunk)
    return out


def play(engine: sa.Engine, impl: DefaultImpl, text: str) -> None:
    with engine.begin() as conn:
        for stmt in statements(impl, text):
            # exec_driver_sql with no parameters: the text goes to the driver as written,
            # except that pyformat drivers want a literal % doubled
            if engine.dialect.paramstyle in ("format", "pyformat"):
                stmt = stmt.replace("%", "%%")
            conn.exec_driver_sql(stmt)


def test_offline_script_runs(engine):
    impl, buf = offline_for(engine)
    md = sa.MetaData()
    t = sa.Table(
        "acct",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(40), nullable=False, server_default="it's 100%"),
        sa.Column("code", sa.String(10), index=True),
    )
    impl.create_table(t)
    note = sa.Column("note", sa.String(30), server_default="o'k")
    sa.Table("acct", sa.MetaData(), note)
    impl.add_column("acct", note)
    impl.bulk_insert(t, [{"id": 1, "name": "quote ' and back\\slash", "code": "a%b"}, {"id": 2, "name": "x", "code": None}])
    impl.create_index(sa.Index("ix_acct_name", t.c.name))
    impl.rename_table("acct", "account")
    play(engine, impl, buf.getvalue())

    insp = sa.inspect(engine)
    assert insp.get_table_names() == ["account"]
    assert {c["name"] for c in insp.get_columns("account")} == {"id", "name", "code", "note"}
    assert {i["name"] for i in insp.get_indexes("account")} == {"ix_acct_code", "ix_acct_name"}
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name, code, note FROM account ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        (1, "quote ' and back\\slash", "a%b", "o'k"),
        (2, "x", None, "o'k"),
    ]


def test_offline_alter_script_runs(engine):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite alters columns in batch mode")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER NOT NULL, v VARCHAR(10) NOT NULL)")
    impl, buf = offline_for(engine)
    impl.alter_column(
        "t", "v", name="value", type_=sa.String(20), nullable=True, server_default="d'f",
        comment="50% done", existing_type=sa.String(10), existing_nullable=False,
    )
    pk = sa.PrimaryKeyConstraint("id", name="pk_t")
    sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer), pk)
    impl.add_constraint(pk)
    play(engine, impl, buf.getvalue())

    col = {c["name"]: c for c in sa.inspect(engine).get_columns("t")}["value"]
    assert col["nullable"] is True and col["type"].length == 20
    assert col["comment"] == "50% done"
    assert "d''f" in str(col["default"]) or "d'f" in str(col["default"])
    assert sa.inspect(engine).get_pk_constraint("t")["constrained_columns"] == ["id"]


def test_offline_bytes_and_json_round_trip(engine):
    md = sa.MetaData()
    t = sa.Table("blobs", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                 sa.Column("b", sa.LargeBinary), sa.Column("j", sa.JSON))
    with engine.begin() as conn:
        md.create_all(conn)
    impl, buf = offline_for(engine)
    payload = bytes(range(256))
    impl.bulk_insert(t, [{"id": 1, "b": payload, "j": {"k": ["it's", 100, "50%"]}}])
    play(engine, impl, buf.getvalue())
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.c.b, t.c.j)).one()
    assert bytes(row.b) == payload
    assert row.j == {"k": ["it's", 100, "50%"]}
