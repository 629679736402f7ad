"""A second Alembic project, written the way real projects write env.py and revisions (no tests here).

env.py: fileConfig, get_x_argument, include_object, compare_type, render_as_batch,
process_revision_directives (drops empty autogenerate), a custom version table,
transaction_per_migration, tag.  Revisions: create_table's return value fed to
bulk_insert, context.is_offline_mode(), op.get_bind() with a Session, batch with
reflect_args, op.get_context().dialect, inline_literal, execute with text().
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .cli_project import TOOLS

ENV = '''
import logging
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
log = logging.getLogger("alembic.env")

from models import metadata as target_metadata

xargs = context.get_x_argument(as_dictionary=True)
if context.get_tag_argument():
    print("tag", context.get_tag_argument())
if xargs.get("say"):
    print("env says", xargs["say"], config.get_main_option("custom_option"))


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name.startswith("tmp_"))


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            log.info("No changes in schema detected.")


COMMON = dict(
    target_metadata=target_metadata,
    include_object=include_object,
    compare_type=True,
    render_as_batch=True,
    process_revision_directives=process_revision_directives,
    version_table="my_versions",
    transaction_per_migration=True,
)


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **COMMON)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, **COMMON)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

MODEL = '''
import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(120)),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_accounts_email", "email"),
)
sa.Table(
    "notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
    sa.Column("body", sa.Text),
)
'''

R1 = '''"""accounts

Revision ID: 1a
Revises:
Create Date: 2024-01-02 03:04:05.000000

"""
from alembic import context, op
import sqlalchemy as sa

revision = "1a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    accounts = op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.bulk_insert(accounts, [
        {"id": 1, "name": "ann", "active": True},
        {"id": 2, "name": "o'neil", "active": False},
    ])
    if context.is_offline_mode():
        op.execute("-- generated offline")


def downgrade():
    op.drop_table("accounts")
'''

R2 = '''"""email

Revision ID: 2b
Revises: 1a
Create Date: 2024-01-02 03:04:05.000000

"""
from alembic import context, op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "2b"
down_revision = "1a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts", reflect_args=[sa.Column("name", sa.String(50))]) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(120)))
        batch_op.create_index("ix_accounts_email", ["email"])
    accounts = sa.table("accounts", sa.column("name", sa.String), sa.column("email", sa.String))
    op.execute(accounts.update().where(accounts.c.name == op.inline_literal("ann"))
               .values(email=op.inline_literal("ann@example.com")))
    if not context.is_offline_mode():
        session = Session(bind=op.get_bind())
        session.execute(sa.text("UPDATE accounts SET email = name || '@x' WHERE email IS NULL"))
        session.flush()


def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index("ix_accounts_email")
        batch_op.drop_column("email")
'''

R3 = '''"""notes

Revision ID: 3c
Revises: 2b
Create Date: 2024-01-02 03:04:05.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "3c"
down_revision = "2b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", name=op.f("fk_notes_account_id_accounts"))),
        sa.Column("body", sa.Text),
    )
    if op.get_context().dialect.name == "sqlite":
        op.execute(sa.text("INSERT INTO notes (id, account_id, body) VALUES (1, 1, 'hello: world')"))


def downgrade():
    op.drop_table("notes")
'''


def build(path: Path) -> None:
    """``alembic init``, then the env.py, model and revisions above, a custom option and a file_template."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(TOOLS["alembic"]), "init", "migrations"], cwd=path, check=True, capture_output=True)
    ini = (path / "alembic.ini").read_text()
    ini = re.sub(r"(?m)^sqlalchemy\.url = .*$", "sqlalchemy.url = sqlite:///%(here)s/app.db\ncustom_option = 42", ini)
    ini = ini.replace(
        "# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
        "file_template = %%(rev)s_%%(slug)s_%%(year)d",
    ).replace("# truncate_slug_length = 40", "truncate_slug_length = 12")
    (path / "alembic.ini").write_text(ini)
    (path / "migrations" / "env.py").write_text(ENV)
    (path / "models.py").write_text(MODEL)
    versions = path / "migrations" / "versions"
    for name, text in (("1a_accounts.py", R1), ("2b_email.py", R2), ("3c_notes.py", R3)):
        (versions / name).write_text(text)
