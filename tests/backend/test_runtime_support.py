"""Helpers for the runtime tests: tiny project directories written into tmp_path.

(No tests here; the name keeps the file among the runtime tests it serves.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Sequence

import sqlalchemy as sa

ENV_PY = '''
from sqlalchemy import engine_from_config, pool
from {package} import context

config = context.config
target_metadata = None


def run_migrations_offline():
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True{extra})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {{}}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata{extra})
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

REVISION = '''"""{message}

Revision ID: {rev}
Revises: {down_text}
Create Date: 2026-01-01 00:00:00

"""
from {package} import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def make_project(
    root: Path,
    url: str | sa.URL,
    *,
    flavor: str = "retort",
    env_extra: str = "",
    ini_extra: str = "",
) -> Path:
    """Write an ini file, env.py and an empty versions/ folder; return the ini path."""
    root.mkdir(parents=True, exist_ok=True)
    package = "alembic" if flavor == "alembic" else "retort"
    section = "alembic" if flavor == "alembic" else "retort"
    (root / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "env.py").write_text(ENV_PY.format(package=package, extra=env_extra))
    url_text = url.render_as_string(hide_password=False) if isinstance(url, sa.URL) else url
    ini = root / f"{section}.ini"
    ini.write_text(
        f"[{section}]\nscript_location = %(here)s/migrations\n"
        f"sqlalchemy.url = {url_text}\n{ini_extra}\n"
    )
    return ini


def add_revision(
    ini: Path,
    rev: str,
    down: str | Sequence[str] | None,
    upgrade: str = "pass",
    downgrade: str = "pass",
    *,
    labels: str | None = None,
    depends: str | Sequence[str] | None = None,
    message: str | None = None,
) -> Path:
    """Write a revision file whose upgrade()/downgrade() bodies are the given code."""
    package = "alembic" if ini.name == "alembic.ini" else "retort"
    if isinstance(down, list):
        down = tuple(down)
    down_text = ", ".join(down) if isinstance(down, tuple) else (down or "")
    path = ini.parent / "migrations" / "versions" / f"{rev}_rev.py"
    path.write_text(
        REVISION.format(
            message=message or f"revision {rev}",
            rev=rev,
            down=down,
            down_text=down_text,
            labels=labels,
            depends=tuple(depends) if isinstance(depends, list) else depends,
            package=package,
            upgrade=textwrap.indent(textwrap.dedent(upgrade).strip() or "pass", "    "),
            downgrade=textwrap.indent(textwrap.dedent(downgrade).strip() or "pass", "    "),
        )
    )
    return path


def config_for(ini: Path, **kw):
    from retort.config import Config

    return Config(str(ini), **kw)


def version_rows(engine: sa.Engine, table: str = "retort_version", schema: str | None = None) -> list[str]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(table, schema=schema):
            return []
        name = f"{schema}.{table}" if schema else table
        return sorted(r[0] for r in conn.exec_driver_sql(f"SELECT version_num FROM {name}"))


def table_names(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def create_table_code(name: str) -> str:
    return f"op.create_table({name!r}, sa.Column('id', sa.Integer, primary_key=True))"


def drop_table_code(name: str) -> str:
    return f"op.drop_table({name!r})"
