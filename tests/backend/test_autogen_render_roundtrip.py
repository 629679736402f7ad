"""Rendered code re-creates what was compared: produce the migration for an empty
database, render it, exec the rendered upgrade() online, and read the schema back."""

from __future__ import annotations

import sqlalchemy as sa

from retort.autogenerate import compare_metadata, produce_migrations
from retort.autogenerate.render import render_python_code_with_imports
from retort.migration import MigrationContext
from retort.operations import Operations


def _model(with_comments: bool) -> sa.MetaData:
    m = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    comment = {"comment": "who"} if with_comments else {}
    sa.Table(
        "author",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, server_default="anon", **comment),
        sa.Column("rating", sa.Numeric(5, 2), server_default=sa.text("0")),
        sa.Column("born", sa.Date()),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("bio", sa.Text()),
        sa.Column("score", sa.Float()),
        sa.UniqueConstraint("name"),
        **({"comment": "authors"} if with_comments else {}),
    )
    sa.Table(
        "book",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id", ondelete="CASCADE"), nullable=False),
        sa.Column("published", sa.DateTime()),
        sa.Column("pages", sa.BigInteger()),
        sa.Index(None, "title"),
        sa.Index("ix_book_pub_author", "published", "author_id", unique=True),
    )
    return m


def _exec_rendered(connection, container, **render_kw) -> None:
    ctx = MigrationContext.configure(connection)
    text, imports = render_python_code_with_imports(container, migration_context=ctx, **render_kw)
    source = "\n".join(["import sqlalchemy as sa", *sorted(imports), "def run():", "    " + text, "run()"])
    exec(compile(source, "<rendered>", "exec"), {"op": Operations(ctx)})


def test_rendered_migration_recreates_the_model(engine):
    comments = engine.dialect.name != "sqlite"
    model = _model(comments)
    with engine.begin() as conn:
        script = produce_migrations(MigrationContext.configure(conn), model)
        _exec_rendered(conn, script.upgrade_ops)

    insp = sa.inspect(engine)
    assert set(insp.get_table_names()) >= {"author", "book"}
    cols = {c["name"]: c for c in insp.get_columns("author")}
    assert list(cols) == ["id", "name", "rating", "born", "active", "bio", "score"]
    assert cols["name"]["nullable"] is False
    assert "anon" in str(cols["name"]["default"])
    assert isinstance(cols["rating"]["type"], sa.Numeric)
    assert cols["rating"]["type"].precision == 5
    if comments:
        assert cols["name"]["comment"] == "who"
        assert insp.get_table_comment("author")["text"] == "authors"
    uniques = {u["name"] for u in insp.get_unique_constraints("author")}
    # MariaDB reports a UNIQUE constraint as a unique index
    uq_index_names = {i["name"] for i in insp.get_indexes("author") if i["unique"]}
    assert "uq_author_name" in uniques | uq_index_names
    fks = insp.get_foreign_keys("book")
    assert [(fk["referred_table"], fk["constrained_columns"]) for fk in fks] == [("author", ["author_id"])]
    assert fks[0]["options"].get("ondelete") == "CASCADE"
    indexes = {i["name"]: i for i in insp.get_indexes("book")}
    assert indexes["ix_book_title"]["column_names"] == ["title"]
    assert indexes["ix_book_pub_author"]["unique"]

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), model) == []

    with engine.begin() as conn:
        _exec_rendered(conn, script.downgrade_ops)
    assert not {"author", "book"} & set(sa.inspect(engine).get_table_names())


def _before() -> sa.MetaData:
    m = sa.MetaData()
    sa.Table(
        "item",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=True),
        sa.Column("legacy", sa.Integer),
    )
    return m


def _after() -> sa.MetaData:
    m = sa.MetaData()
    sa.Table("owner", m, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "item",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("owner.id", name="fk_item_owner")),
        sa.Column("note", sa.Text(), server_default="none"),
        sa.Index("ix_item_name", "name"),
        sa.UniqueConstraint("owner_id", "name", name="uq_item_owner_name"),
    )
    return m


def test_rendered_batch_migration_alters_tables(engine):
    _before().create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO item (id, name, legacy) VALUES (1, 'a', 5)"))
    target = _after()
    with engine.begin() as conn:
        script = produce_migrations(MigrationContext.configure(conn), target)
        _exec_rendered(conn, script.upgrade_ops, render_as_batch=True)

    insp = sa.inspect(engine)
    cols = {c["name"]: c for c in insp.get_columns("item")}
    assert set(cols) == {"id", "name", "owner_id", "note"}
    assert cols["name"]["nullable"] is False
    assert [fk["name"] for fk in insp.get_foreign_keys("item")] == ["fk_item_owner"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, name FROM item")).all() == [(1, "a")]
        assert compare_metadata(MigrationContext.configure(conn), target) == []

    with engine.begin() as conn:
        _exec_rendered(conn, script.downgrade_ops, render_as_batch=True)
    insp = sa.inspect(engine)
    assert {c["name"] for c in insp.get_columns("item")} == {"id", "name", "legacy"}
    assert "owner" not in insp.get_table_names()


def test_sqlite_reflected_defaults_render_as_alembic_and_recreate_the_table(sqlite_engine):
    # SQLite's inspector strips the parentheses of DEFAULT (expr); the rendered
    # downgrade puts them back as Alembic does (a single digit, a quoted literal
    # and text already in parentheses stay bare) and keeps unique=1 as reflected
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a DATETIME DEFAULT (CURRENT_TIMESTAMP), b INT DEFAULT 1,"
            " c INT DEFAULT 10, d TEXT DEFAULT 'q', e TEXT DEFAULT '', f INT DEFAULT (1+1), g INT DEFAULT ((1)))"
        )
        conn.exec_driver_sql("CREATE UNIQUE INDEX ix_t_b ON t (b)")
    with sqlite_engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), sa.MetaData())
    text, _ = render_python_code_with_imports(script.downgrade_ops)
    for expected in (
        "sa.Column('a', sa.DATETIME(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=True)",
        "sa.Column('b', sa.INTEGER(), server_default=sa.text('1'), nullable=True)",
        "sa.Column('c', sa.INTEGER(), server_default=sa.text('(10)'), nullable=True)",
        "sa.Column('d', sa.TEXT(), server_default=sa.text(\"'q'\"), nullable=True)",
        "sa.Column('e', sa.TEXT(), server_default=sa.text(\"('')\"), nullable=True)",
        "sa.Column('f', sa.INTEGER(), server_default=sa.text('(1+1)'), nullable=True)",
        "sa.Column('g', sa.INTEGER(), server_default=sa.text('(1)'), nullable=True)",
        "op.create_index(op.f('ix_t_b'), 't', ['b'], unique=1)",
    ):
        assert expected in text
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE t")
        _exec_rendered(conn, script.downgrade_ops)
        conn.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
        row = conn.exec_driver_sql("SELECT b, c, d, e, f, g, a IS NOT NULL FROM t").one()
    assert tuple(row) == (1, 10, "q", "", 2, 1, 1)
    with sqlite_engine.connect() as conn:
        assert [i["unique"] for i in sa.inspect(conn).get_indexes("t")] == [1]
        # the parentheses do not make compare_server_default see a change
        target = sa.MetaData()
        sa.Table(
            "t", target, sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
            sa.Column("b", sa.Integer, server_default="1"), sa.Column("c", sa.Integer, server_default="10"),
            sa.Column("d", sa.Text, server_default="q"), sa.Column("e", sa.Text, server_default=""),
            sa.Column("f", sa.Integer, server_default=sa.text("1+1")),
            sa.Column("g", sa.Integer, server_default=sa.text("1")),
            sa.Index("ix_t_b", "b", unique=True),
        )
        ctx = MigrationContext.configure(conn, opts={"compare_server_default": True})
        assert compare_metadata(ctx, target) == []


def test_postgresql_reflected_unique_constraint_options_as_alembic(postgresql_engine):
    # a dropped table's re-create keeps the options PostgreSQL reports
    # (postgresql_include=[]); a removed constraint's re-create leaves the empty one out
    with postgresql_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE gone (id INT PRIMARY KEY, code INT CONSTRAINT gone_code_key UNIQUE)")
        conn.exec_driver_sql("CREATE TABLE t (id INT PRIMARY KEY, a INT CONSTRAINT uq_t_a UNIQUE)")
    target = sa.MetaData()
    sa.Table("t", target, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), sa.Column("a", sa.Integer))
    with postgresql_engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), target)
    down, _ = render_python_code_with_imports(script.downgrade_ops)
    assert (
        "sa.UniqueConstraint('code', name=op.f('gone_code_key'), postgresql_include=[], "
        "postgresql_nulls_not_distinct=False)" in down
    )
    assert (
        "op.create_unique_constraint(op.f('uq_t_a'), 't', ['a'], postgresql_nulls_not_distinct=False)" in down
    )
    with postgresql_engine.begin() as conn:
        _exec_rendered(conn, script.upgrade_ops)
        _exec_rendered(conn, script.downgrade_ops)
    with postgresql_engine.connect() as conn:
        insp = sa.inspect(conn)
        assert [u["name"] for u in insp.get_unique_constraints("gone")] == ["gone_code_key"]
        assert [u["name"] for u in insp.get_unique_constraints("t")] == ["uq_t_a"]


def test_sqlite_server_default_expressions_rendered_in_parentheses(sqlite_engine):
    # rendered for SQLite (a migration context), SQL defaults are spelled as
    # SQLite's DEFAULT needs them, as Alembic does: expressions in parentheses
    target = sa.MetaData()
    sa.Table(
        "t", target, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.DateTime, server_default=sa.func.now()),
        sa.Column("b", sa.Integer, server_default=sa.text("1+1")),
        sa.Column("c", sa.Integer, server_default=sa.text("10")),
        sa.Column("d", sa.Boolean, server_default=sa.true()),
        sa.Column("e", sa.String(5), server_default=sa.text("'q'")),
    )
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        script = produce_migrations(ctx, target)
        up, _ = render_python_code_with_imports(script.upgrade_ops, migration_context=ctx)
    for expected in (
        "sa.Column('a', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=True)",
        "sa.Column('b', sa.Integer(), server_default=sa.text('(1+1)'), nullable=True)",
        "sa.Column('c', sa.Integer(), server_default=sa.text('(10)'), nullable=True)",
        "sa.Column('d', sa.Boolean(), server_default=sa.text('1'), nullable=True)",
        "sa.Column('e', sa.String(length=5), server_default=sa.text(\"'q'\"), nullable=True)",
    ):
        assert expected in up
    with sqlite_engine.begin() as conn:
        _exec_rendered(conn, script.upgrade_ops)
        conn.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
        assert tuple(conn.exec_driver_sql("SELECT a IS NOT NULL, b, c, d, e FROM t").one()) == (1, 2, 10, 1, "q")
