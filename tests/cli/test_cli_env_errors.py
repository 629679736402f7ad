"""env.py that fails while running vs. one that cannot be imported; ``alembic`` imports while the graph is read."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest


@pytest.fixture
def retort_project(project):
    project.run("init", "migrations")
    return project


def _env(project) -> str:
    return str(project.path / "migrations" / "env.py")


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("nosuchdialect://x/y", "NoSuchModuleError"),  # a bad URL
        ("postgresql+psycopg://postgres@127.0.0.1:1/none", "OperationalError"),  # connection refused
    ],
    ids=["bad-url", "refused"],
)
def test_env_py_failing_while_running_is_not_an_import_error(retort_project, url, error):
    retort_project.set_ini_option("sqlalchemy.url", url)
    result = retort_project.fails("upgrade", "head")
    line = result.err_lines[0]
    assert "Could not import" not in line
    assert f"FAILED: {_env(retort_project)} failed: {error}" in line


def test_env_py_raising_its_own_error(retort_project):
    env = retort_project.read("migrations/env.py")
    retort_project.write("migrations/env.py", "raise RuntimeError('no deploy today')\n" + env)
    result = retort_project.fails("current")
    assert result.err_lines[0] == f"FAILED: {_env(retort_project)} failed: RuntimeError: no deploy today"


def test_env_py_syntax_error_is_an_import_error(retort_project):
    retort_project.write("migrations/env.py", "def broken(:\n    pass\n")
    result = retort_project.fails("upgrade", "head")
    assert result.err_lines[0].startswith(f"FAILED: Could not import {_env(retort_project)}: line 1")


def test_env_py_missing_module_is_an_import_error(retort_project):
    env = retort_project.read("migrations/env.py")
    retort_project.write("migrations/env.py", "import no_such_module_here\n" + env)
    result = retort_project.fails("upgrade", "head")
    assert result.err_lines[0] == (
        f"FAILED: Could not import {_env(retort_project)}: "
        "ModuleNotFoundError: No module named 'no_such_module_here'"
    )


COMPUTED = '''"""computed identifiers"""
from alembic import op
import sqlalchemy as sa

revision = "ab" + "c1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("computed", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("computed")
'''


def test_revision_with_computed_ids_imported_while_reading_graph_gets_retort_op(project):
    # an Alembic project: its revision file says `from alembic import op`, and
    # its revision id is computed, so reading the graph imports it
    subprocess.run([sys.executable, "-m", "alembic", "init", "alembic"], cwd=project.path, check=True,
                   capture_output=True)
    project.set_ini_option("sqlalchemy.url", f"sqlite:///{project.path / 'app.db'}", ini="alembic.ini")
    project.write("alembic/versions/abc1_computed.py", COMPUTED)
    assert project.run("-c", "alembic.ini", "heads").stdout.strip() == "abc1 (head)"
    project.run("-c", "alembic.ini", "upgrade", "head")
    with sqlite3.connect(project.path / "app.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"computed", "alembic_version"} <= tables
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("abc1",)]


def test_revision_import_binds_retort_op_and_restores_real_alembic(tmp_path):
    import alembic as real_alembic

    import retort.op
    from retort.util import pyfiles

    path = tmp_path / "abc1_computed.py"
    path.write_text(COMPUTED, encoding="utf-8")
    module = pyfiles.load_module_py("abc1_computed_py", path)
    assert module.op is retort.op
    assert module.revision == "abc1"
    assert sys.modules["alembic"] is real_alembic  # the process's own alembic is back
