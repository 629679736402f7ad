"""MigrationContext / EnvironmentContext API: configure forms, offline output,
transactions, autocommit_block, version table options, the migration lock, multidb."""

from __future__ import annotations

import io
from argparse import Namespace

import pytest
import sqlalchemy as sa

from retort import command
from retort.migration import MigrationContext
from retort.runtime.environment import EnvironmentContext
from retort.util.exc import CommandError, MigrationLockTimeout
from test_runtime_support import (
    add_revision,
    config_for,
    create_table_code,
    make_project,
    table_names,
    version_rows,
)


# -- configure -------------------------------------------------------------------


def test_configure_forms(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.bind is conn and ctx.connection is conn
        assert ctx.dialect.name == "sqlite" and ctx.impl.dialect is ctx.dialect
        assert ctx.as_sql is False and ctx.config is None
        assert ctx.get_current_revision() is None and ctx.get_current_heads() == ()
    ctx = MigrationContext.configure(url="postgresql://u@h/db", opts={"as_sql": True})
    assert ctx.dialect.name == "postgresql" and ctx.as_sql
    ctx = MigrationContext.configure(dialect_name="mysql", opts={"as_sql": True})
    assert ctx.dialect.name == "mysql"
    # the generic env.py's offline configure passes dialect_opts
    ctx = MigrationContext.configure(
        url="postgresql://u@h/db", dialect_opts={"paramstyle": "named"}, opts={"as_sql": True}
    )
    assert ctx.dialect.paramstyle == "named"
    with pytest.raises(CommandError, match="required"):
        MigrationContext.configure()
    with pytest.raises(CommandError, match="Engine"):
        MigrationContext.configure(sqlite_engine)  # type: ignore[arg-type]
    with sqlite_engine.connect() as conn, pytest.raises(CommandError, match="literal_binds"):
        MigrationContext.configure(conn, opts={"literal_binds": True})


def test_current_revision_reads_version_table(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE retort_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO retort_version VALUES ('abc')")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == "abc"
        conn.exec_driver_sql("INSERT INTO retort_version VALUES ('def')")
        assert ctx.get_current_heads() == ("abc", "def")
        with pytest.raises(CommandError, match="more than one head"):
            ctx.get_current_revision()
        conn.rollback()
        other = MigrationContext.configure(conn, opts={"version_table": "elsewhere"})
        assert other.get_current_heads() == ()


def test_version_table_schema_postgresql(tmp_path, postgresql_engine):
    with postgresql_engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA vers")
    ini = make_project(tmp_path / "p", postgresql_engine.url, env_extra=", version_table_schema='vers'")
    add_revision(ini, "a", None)
    command.upgrade(config_for(ini), "head")
    assert version_rows(postgresql_engine, schema="vers") == ["a"]
    with postgresql_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table_schema": "vers"})
        assert ctx.get_current_revision() == "a"


def test_offline_starting_rev():
    ctx = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True, "starting_rev": "abc"})
    assert ctx.get_current_heads() == ("abc",)
    ctx = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True, "starting_rev": "base"})
    assert ctx.get_current_heads() == ()


# -- transactions -----------------------------------------------------------------


def offline(dialect: str, **opts) -> tuple[MigrationContext, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts})
    return ctx, buf


def test_offline_begin_commit_and_autocommit_block():
    ctx, buf = offline("postgresql")
    with ctx.begin_transaction():
        ctx.execute("CREATE TABLE a (x INTEGER)")
        with ctx.autocommit_block():
            ctx.execute("ALTER TYPE mood ADD VALUE 'soso'")
        ctx.execute("DROP TABLE a")
    statements = [s.strip() for s in buf.getvalue().split(";") if s.strip()]
    assert statements == [
        "BEGIN",
        "CREATE TABLE a (x INTEGER)",
        "COMMIT",
        "ALTER TYPE mood ADD VALUE 'soso'",
        "BEGIN",
        "DROP TABLE a",
        "COMMIT",
    ]


def test_offline_non_transactional_and_per_migration():
    ctx, buf = offline("mysql")
    with ctx.begin_transaction():
        ctx.execute("CREATE TABLE a (x INTEGER)")
    assert "BEGIN" not in buf.getvalue() and "COMMIT" not in buf.getvalue()
    ctx, buf = offline("postgresql", transaction_per_migration=True)
    with ctx.begin_transaction():  # the outer block is not the transaction then
        with ctx.begin_transaction(_per_migration=True):
            ctx.execute("SELECT 1")
        with ctx.begin_transaction(_per_migration=True):
            ctx.execute("SELECT 2")
    assert buf.getvalue().count("BEGIN;") == 2 and buf.getvalue().count("COMMIT;") == 2


def test_online_transaction_rolls_back_on_error(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with pytest.raises(RuntimeError):
            with ctx.begin_transaction():
                ctx.execute("CREATE TABLE maybe (x INTEGER)")
                raise RuntimeError("stop")
    created = "maybe" in table_names(engine)
    # PostgreSQL and SQLite (retort begins the transaction itself) roll DDL back
    assert created == (engine.dialect.name == "mysql")


def test_autocommit_block_online_postgresql(tmp_path, postgresql_engine):
    ini = make_project(tmp_path / "p", postgresql_engine.url)
    add_revision(ini, "a", None, "op.execute(\"CREATE TYPE mood AS ENUM ('sad', 'ok')\")")
    add_revision(
        ini,
        "b",
        "a",
        # ALTER TYPE ... ADD VALUE cannot run inside a transaction block
        "with op.get_context().autocommit_block():\n    op.execute(\"ALTER TYPE mood ADD VALUE 'happy'\")\n"
        + create_table_code("after_block"),
    )
    command.upgrade(config_for(ini), "head")
    assert version_rows(postgresql_engine) == ["b"]
    with postgresql_engine.connect() as conn:
        labels = conn.exec_driver_sql("SELECT unnest(enum_range(NULL::mood))::text").scalars().all()
    assert labels == ["sad", "ok", "happy"]
    assert "after_block" in table_names(postgresql_engine)


# -- the migration lock ------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgresql", "mysql", "sqlite"])
def test_lock_timeout_when_another_run_holds_it(tmp_path, request, backend):
    engine = request.getfixturevalue(f"{backend}_engine")
    ini = make_project(tmp_path / "p", engine.url, ini_extra="migration_lock_timeout = 0.3")
    add_revision(ini, "a", None, create_table_code("never"))
    cfg = config_for(ini)
    with engine.connect() as holder_conn:
        holder = MigrationContext.configure(holder_conn)
        # the same lock an upgrade of this project takes
        holder.impl.acquire_migration_lock(holder.migration_lock_name, 5)
        try:
            with pytest.raises(MigrationLockTimeout) as info:
                command.upgrade(cfg, "head")
        finally:
            holder.impl.release_migration_lock(holder.migration_lock_name)
            if holder_conn.in_transaction():
                holder_conn.commit()
    assert info.value.lock_name == holder.migration_lock_name
    assert "never" not in table_names(engine)
    command.upgrade(cfg, "head")
    assert version_rows(engine) == ["a"]


def test_read_only_commands_do_not_lock_or_create(tmp_path, sqlite_engine, capsys):
    ini = make_project(tmp_path / "p", sqlite_engine.url)
    add_revision(ini, "a", None)
    command.current(config_for(ini))
    assert "retort_version" not in table_names(sqlite_engine)


# -- EnvironmentContext ----------------------------------------------------------------


def test_environment_context_arguments(tmp_path, sqlite_engine):
    ini = make_project(tmp_path / "p", sqlite_engine.url)
    add_revision(ini, "a", None)
    add_revision(ini, "b", "a")
    cfg = config_for(ini, cmd_opts=Namespace(x=["data=1", "flag", "k=v=w"]))
    from retort.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg)
    env = EnvironmentContext(cfg, script, as_sql=True, destination_rev="head", starting_rev="a", tag="T")
    from retort import context

    with pytest.raises(NameError):
        context.get_x_argument()
    with env:
        assert context.config is cfg and context.script is script
        assert context.get_x_argument() == ["data=1", "flag", "k=v=w"]
        assert context.get_x_argument(as_dictionary=True) == {"data": "1", "flag": "", "k": "v=w"}
        assert context.is_offline_mode() is True
        assert context.get_tag_argument() == "T"
        assert context.get_revision_argument() == "b"
        assert context.get_starting_revision_argument() == "a"
        assert context.get_head_revision() == "b"
        assert context.get_head_revisions() == ("b",)
        with pytest.raises(CommandError, match="No context"):
            context.get_context()
        context.configure(dialect_name="sqlite", output_buffer=io.StringIO())
        assert context.get_context().opts["tag"] == "T"
        assert context.get_bind() is context.get_context().connection
        assert context.is_transactional_ddl() is context.get_context().impl.transactional_ddl
    with pytest.raises(NameError):
        context.get_x_argument()


MULTIDB_ENV = '''
from sqlalchemy import create_engine
from retort import context

config = context.config
for name in ("one", "two"):
    engine = create_engine(config.get_main_option(name + ".url"))
    with engine.connect() as connection:
        context.configure(connection=connection, upgrade_token=name + "_upgrades")
        with context.begin_transaction():
            context.run_migrations(engine_name=name)
    engine.dispose()
'''


def test_multidb_run_migrations_twice(tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    ini = make_project(
        tmp_path / "p",
        "sqlite://",
        ini_extra=f"one.url = sqlite:///{one}\ntwo.url = sqlite:///{two}",
    )
    (ini.parent / "migrations" / "env.py").write_text(MULTIDB_ENV)
    add_revision(
        ini,
        "a",
        None,
        "pass",
    )
    path = ini.parent / "migrations" / "versions" / "a_rev.py"
    path.write_text(
        path.read_text().replace(
            "def upgrade():\n    pass",
            "def upgrade(engine_name):\n    op.create_table('only_' + engine_name, sa.Column('x', sa.Integer))",
        ).replace("def downgrade():\n    pass", "def downgrade(engine_name):\n    pass")
    )
    command.upgrade(config_for(ini), "head")
    e1, e2 = sa.create_engine(f"sqlite:///{one}"), sa.create_engine(f"sqlite:///{two}")
    try:
        assert table_names(e1) == {"only_one", "retort_version"}
        assert table_names(e2) == {"only_two", "retort_version"}
        assert version_rows(e1) == version_rows(e2) == ["a"]
    finally:
        e1.dispose()
        e2.dispose()


EXTERNAL_TXN_ENV = '''
from sqlalchemy import create_engine
from retort import context

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.begin() as connection:  # the caller's own transaction
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''

NO_BEGIN_ENV = '''
from sqlalchemy import create_engine
from retort import context

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    context.run_migrations()  # no begin_transaction(): per-migration transactions
engine.dispose()
'''


@pytest.mark.parametrize("env_py", [EXTERNAL_TXN_ENV, NO_BEGIN_ENV], ids=["external", "no_begin"])
def test_env_py_transaction_styles(tmp_path, engine, env_py):
    ini = make_project(tmp_path / "p", engine.url)
    (ini.parent / "migrations" / "env.py").write_text(env_py)
    add_revision(ini, "a", None, create_table_code("ta"))
    add_revision(ini, "b", "a", create_table_code("tb") + "\nraise RuntimeError('broken b')")
    cfg = config_for(ini)
    command.upgrade(cfg, "a")
    assert version_rows(engine) == ["a"] and "ta" in table_names(engine)
    with pytest.raises(CommandError, match="broken b"):
        command.upgrade(cfg, "head")
    assert version_rows(engine) == ["a"]
    assert ("tb" in table_names(engine)) == (engine.dialect.name == "mysql")


def test_migration_context_stamp(tmp_path, engine):
    ini = make_project(tmp_path / "p", engine.url)
    add_revision(ini, "a", None)
    add_revision(ini, "b", "a")
    from retort.script import ScriptDirectory

    script = ScriptDirectory.from_config(config_for(ini))
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            ctx.stamp(script, "b")
        assert ctx.get_current_revision() == "b"
        with ctx.begin_transaction():
            ctx.stamp(script, "a")
    assert version_rows(engine) == ["a"]


@pytest.mark.parametrize("env_py", [EXTERNAL_TXN_ENV, NO_BEGIN_ENV], ids=["external", "no_begin"])
def test_autocommit_block_outside_our_transactions(tmp_path, engine, env_py):
    ini = make_project(tmp_path / "p", engine.url)
    (ini.parent / "migrations" / "env.py").write_text(env_py)
    add_revision(
        ini,
        "a",
        None,
        create_table_code("before")
        + "\nwith op.get_context().autocommit_block():\n    op.execute('CREATE TABLE inside (x INTEGER)')\n"
        + create_table_code("after"),
    )
    add_revision(ini, "b", "a", create_table_code("later"))
    if env_py is EXTERNAL_TXN_ENV:
        # SQLAlchemy can't commit a transaction inside the caller's "with begin()"
        with pytest.raises(CommandError, match="autocommit_block"):
            command.upgrade(config_for(ini), "head")
        return
    command.upgrade(config_for(ini), "head")
    assert {"before", "inside", "after", "later"} <= table_names(engine)
    assert version_rows(engine) == ["b"]


def test_unknown_dialect_name_lists_the_known_ones():
    from retort.util.exc import UnknownDialectError

    for kw in ({"dialect_name": "nosuchdb"}, {"url": "nosuchdb://host/db"}):
        with pytest.raises(UnknownDialectError, match="known dialects: .*postgresql.*sqlite"):
            MigrationContext.configure(**kw)
