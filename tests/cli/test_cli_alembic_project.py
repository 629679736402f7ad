"""An unmodified Alembic project directory runs under retort: alembic.ini, env.py and
revisions doing ``from alembic import context, op``, the alembic_version table."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

ALEMBIC_INI = """\
# A generic, single database configuration.

[alembic]
script_location = %(here)s/alembic
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = """\
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''

REV_1 = '''"""create account

Revision ID: 1975ea83b712
Revises:
Create Date: 2011-11-08 11:40:27.089406

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '1975ea83b712'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('description', sa.Unicode(200)),
    )


def downgrade():
    op.drop_table('account')
'''

REV_2 = '''"""Add a column

Revision ID: ae1027a6acf
Revises: 1975ea83b712
Create Date: 2011-11-08 12:37:36.714947

"""
import alembic
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'ae1027a6acf'
down_revision = '1975ea83b712'


def upgrade():
    alembic.op.add_column('account', sa.Column('last_transaction_date', sa.DateTime))


def downgrade():
    op.drop_column('account', 'last_transaction_date')
'''


def make_alembic_project(project, engine):
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    project.write("alembic.ini", ALEMBIC_INI.format(url=url))
    project.write("alembic/env.py", ENV_PY)
    project.write("alembic/script.py.mako", SCRIPT_MAKO)
    project.write("alembic/README", "Generic single-database configuration.\n")
    project.write("alembic/versions/1975ea83b712_create_account.py", REV_1)
    project.write("alembic/versions/ae1027a6acf_add_a_column.py", REV_2)


def versions(engine, table):
    engine.dispose()
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text(f"SELECT version_num FROM {table}"))]


def test_alembic_project_runs_unchanged(project, engine):
    make_alembic_project(project, engine)
    project.run("-c", "alembic.ini", "upgrade", "head")
    engine.dispose()
    insp = sa.inspect(engine)
    names = set(insp.get_table_names())
    assert "alembic_version" in names and "retort_version" not in names
    assert {c["name"] for c in insp.get_columns("account")} == {
        "id", "name", "description", "last_transaction_date"
    }
    assert versions(engine, "alembic_version") == ["ae1027a6acf"]

    assert project.run("-c", "alembic.ini", "current").stdout.strip() == "ae1027a6acf (head)"
    project.run("-c", "alembic.ini", "downgrade", "-1")
    assert versions(engine, "alembic_version") == ["1975ea83b712"]


def test_alembic_ini_found_without_c(project, sqlite_engine):
    make_alembic_project(project, sqlite_engine)
    project.run("upgrade", "head")
    assert versions(sqlite_engine, "alembic_version") == ["ae1027a6acf"]
    history = project.run("history").stdout.splitlines()
    assert history == [
        "1975ea83b712 -> ae1027a6acf (head), Add a column",
        "<base> -> 1975ea83b712, create account",
    ]


def test_new_revision_uses_project_template(project, sqlite_engine):
    make_alembic_project(project, sqlite_engine)
    project.run("-c", "alembic.ini", "revision", "-m", "third one", "--rev-id", "ccc")
    path = project.path / "alembic/versions/ccc_third_one.py"
    text = path.read_text()
    assert "from alembic import op" in text
    assert "# revision identifiers, used by Alembic." in text
    assert "Revises: ae1027a6acf" in text
    assert re.search(r"down_revision: .* = 'ae1027a6acf'", text)
    project.run("-c", "alembic.ini", "upgrade", "head")
    assert versions(sqlite_engine, "alembic_version") == ["ccc"]


def test_alembic_project_offline(project, sqlite_engine):
    make_alembic_project(project, sqlite_engine)
    out = project.run("-c", "alembic.ini", "upgrade", "head", "--sql").stdout
    assert "CREATE TABLE alembic_version" in out
    assert "CREATE TABLE account" in out
    assert "ae1027a6acf" in out


BLOCK_ALEMBIC = """
import sys, importlib.abc

class NoAlembic(importlib.abc.MetaPathFinder):
    # stands in for an environment where the alembic package is not installed
    def find_spec(self, name, path=None, target=None):
        if name == "alembic" or name.startswith("alembic."):
            raise ModuleNotFoundError("No module named 'alembic' (blocked by the test)")
        return None

sys.meta_path.insert(0, NoAlembic())
try:
    import alembic
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("alembic still importable")
from retort.cli import main
main()
"""


def test_alembic_project_without_alembic_installed(project, sqlite_engine):
    import subprocess
    import sys

    make_alembic_project(project, sqlite_engine)
    env_py = project.read("alembic/env.py").replace(
        "config = context.config",
        "import alembic.op\nassert context.__name__ == 'retort.context', context\n"
        "assert alembic.op.__name__ == 'retort.op', alembic.op\nconfig = context.config",
    )
    project.write("alembic/env.py", env_py)
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_ALEMBIC, "-c", "alembic.ini", "upgrade", "head"],
        cwd=project.path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert versions(sqlite_engine, "alembic_version") == ["ae1027a6acf"]


def test_alembic_config_env_var(project, sqlite_engine):
    make_alembic_project(project, sqlite_engine)
    (project.path / "alembic.ini").rename(project.path / "deploy.ini")
    project.run("upgrade", "head", env={"ALEMBIC_CONFIG": "deploy.ini"})
    assert versions(sqlite_engine, "alembic_version") == ["ae1027a6acf"]


MODEL = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("description", sa.Unicode(200)),
    sa.Column("last_transaction_date", sa.DateTime),
    sa.Column("balance", sa.Numeric(10, 2)),
)
"""


def test_autogenerate_and_check_in_alembic_project(project, sqlite_engine):
    make_alembic_project(project, sqlite_engine)
    project.write("model.py", MODEL)
    env = project.read("alembic/env.py").replace(
        "target_metadata = None", "from model import metadata as target_metadata"
    )
    project.write("alembic/env.py", env)
    project.run("upgrade", "head")
    result = project.fails("check")
    assert "balance" in result.stderr
    project.run("revision", "--autogenerate", "-m", "add balance", "--rev-id", "ccc")
    text = (project.path / "alembic/versions/ccc_add_balance.py").read_text()
    assert "from alembic import op" in text
    assert "op.add_column('account', sa.Column('balance'" in text
    project.run("upgrade", "head")
    assert project.run("check").stdout.strip() == "No new upgrade operations detected."
    assert versions(sqlite_engine, "alembic_version") == ["ccc"]
