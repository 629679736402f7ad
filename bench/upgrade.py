"""upgrade: `upgrade head` online over N one-op revisions, against the same DDL run by hand."""

from __future__ import annotations

import os
import sys
import tempfile

import databases
from harness import Case, bin_path, run_process

REVISION = '''"""create t{i}"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))


def downgrade():
    op.drop_table("t{i}")
'''

ENV_PY = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''

FLOOR = '''import sys
import sqlalchemy as sa

n = int(sys.argv[2])
engine = sa.create_engine(sys.argv[1])
# one transaction for the whole run, as env.py's begin_transaction() does
with engine.begin() as conn:
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")  # pysqlite would otherwise autocommit each DDL
    conn.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))"
    )
    for i in range(n):
        conn.exec_driver_sql(f"CREATE TABLE t{i} (id INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (id))")
        if i == 0:
            conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('r0000')")
        else:
            conn.exec_driver_sql(
                f"UPDATE alembic_version SET version_num='r{i:04d}' "
                f"WHERE alembic_version.version_num = 'r{i - 1:04d}'"
            )
'''


def make_project(root: str, n: int, url: str) -> None:
    versions = os.path.join(root, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(root, "migrations", "script.py.mako"), "w") as f:
        f.write("")
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url.replace('%', '%%')}\n")
    for i in range(n):
        down = "None" if i == 0 else f'"r{i - 1:04d}"'
        with open(os.path.join(versions, f"r{i:04d}_t{i}.py"), "w") as f:
            f.write(REVISION.format(i=i, rev=f"r{i:04d}", down=down))
    with open(os.path.join(root, "floor.py"), "w") as f:
        f.write(FLOOR)


def cases(quick: bool, backends: list[str]) -> list[Case]:
    out = []
    for backend in backends:
        for n in ((100,) if quick else (100, 500)):
            root = tempfile.mkdtemp(prefix=f"retort-bench-upgrade-{backend}-{n}-")
            url = databases.url_for(backend, root)
            make_project(root, n, url)
            out.append(Case(
                "upgrade", f"{backend} {n} revisions",
                retort=run_process([bin_path("retort"), "-c", "alembic.ini", "upgrade", "head"], cwd=root),
                alembic=run_process([bin_path("alembic"), "-c", "alembic.ini", "upgrade", "head"], cwd=root),
                floor=run_process([sys.executable, "floor.py", url, str(n)], cwd=root),
                before_each=lambda b=backend, u=url: databases.empty(b, u),
                teardown=lambda b=backend, u=url: databases.empty(b, u),
                target="retort/floor <= 1.3",
            ))
    return out
