"""Bad input: one line on stderr naming what and where, exit code 1, nothing written."""

from __future__ import annotations

import sqlalchemy as sa

REV_OK = '''"""create one

Revision ID: aaa
Revises:
Create Date: 2026-01-01 00:00:00

"""
from retort import op
import sqlalchemy as sa

revision = "aaa"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("one", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("one")
'''

REV_FAILS = '''"""create two, then fail

Revision ID: bbb
Revises: aaa
Create Date: 2026-01-01 00:00:01

"""
from retort import op
import sqlalchemy as sa

revision = "bbb"
down_revision = "aaa"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("two", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO no_such_table (x) VALUES (1)")


def downgrade():
    op.drop_table("two")
'''

REV_SYNTAX = '''"""broken

Revision ID: ccc
Revises: aaa
"""
revision = "ccc"
down_revision = "aaa"

def upgrade(:
    pass
'''


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def setup(project, engine):
    project.run("init", "migrations")
    project.set_ini_option("sqlalchemy.url", url_of(engine))
    project.write("migrations/versions/aaa_create_one.py", REV_OK)


def table_names(engine) -> set[str]:
    engine.dispose()
    return set(sa.inspect(engine).get_table_names())


def version_rows(engine) -> list[str]:
    if "retort_version" not in table_names(engine):
        return []
    engine.dispose()
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT version_num FROM retort_version"))]


def test_unknown_revision(project, engine):
    setup(project, engine)
    result = project.fails("upgrade", "nosuchrev")
    assert "nosuchrev" in result.stderr
    assert table_names(engine) == set()
    result = project.fails("show", "nosuchrev")
    assert "nosuchrev" in result.stderr


def test_syntax_error_in_revision_file(project, sqlite_engine):
    setup(project, sqlite_engine)
    project.write("migrations/versions/ccc_broken.py", REV_SYNTAX)
    result = project.fails("upgrade", "head")
    assert "ccc_broken.py" in result.stderr
    assert "ccc" not in version_rows(sqlite_engine)


def test_broken_env_py(project, sqlite_engine):
    setup(project, sqlite_engine)
    env = project.read("migrations/env.py")
    project.write("migrations/env.py", "import no_such_module_for_retort_test\n" + env)
    result = project.fails("upgrade", "head")
    assert "env.py" in result.stderr
    assert "no_such_module_for_retort_test" in result.stderr
    assert table_names(sqlite_engine) == set()


def test_env_py_syntax_error(project, sqlite_engine):
    setup(project, sqlite_engine)
    project.write("migrations/env.py", "def broken(:\n")
    result = project.fails("current")
    assert "env.py" in result.stderr


def test_missing_script_directory(project, sqlite_engine):
    setup(project, sqlite_engine)
    project.set_ini_option("script_location", "%(here)s/nowhere")
    result = project.fails("heads")
    assert "nowhere" in result.stderr


def test_failed_upgrade_keeps_last_completed_revision(project, engine):
    setup(project, engine)
    project.write("migrations/versions/bbb_create_two.py", REV_FAILS)
    result = project.fails("upgrade", "head")
    assert "bbb_create_two.py" in result.stderr
    assert version_rows(engine) == ["aaa"]
    names = table_names(engine)
    assert "one" in names
    if engine.dialect.name in ("sqlite", "postgresql"):
        # transactional DDL: the failed revision's CREATE TABLE was rolled back
        assert "two" not in names
    else:
        # MariaDB commits DDL implicitly: the message says what ran
        assert "two" in names
        assert "CREATE TABLE two" in result.stderr


def test_raiseerr_gives_traceback(project, sqlite_engine):
    setup(project, sqlite_engine)
    result = project.run("--raiseerr", "upgrade", "nosuchrev", check=False)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_stamp_purge_refuses_sql_mode(project, sqlite_engine):
    setup(project, sqlite_engine)
    result = project.fails("stamp", "--purge", "--sql", "head")
    assert "Can't use --purge with --sql mode" in result.stderr
