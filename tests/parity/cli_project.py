"""An Alembic-layout project (alembic.ini, env.py from ``alembic init``, hand-written revisions) — no tests here.

Graph::

    a1 -> b2 -> c3 ------------> m6 (merge)
           \\-> d4 (feat) -> e5 /
    x7 (lib, own base, depends_on b2)
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
TOOLS = {"alembic": BIN / "alembic", "retort": BIN / "retort"}

REVISIONS = {
    "a1": dict(down=None, msg="create users", labels=None, deps=None, up="""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.create_index("ix_users_name", "users", ["name"])
""", down_body="""
    op.drop_index("ix_users_name", table_name="users")
    op.drop_table("users")
"""),
    "b2": dict(down="a1", msg="add email", labels=None, deps=None, up="""
    op.add_column("users", sa.Column("email", sa.String(100), server_default="none"))
    op.bulk_insert(
        sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String)),
        [{"id": 1, "name": "o'brien"}, {"id": 2, "name": "x"}],
    )
""", down_body="""
    op.execute("DELETE FROM users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email")
"""),
    "c3": dict(down="b2", msg="orders", labels=None, deps=None, up="""
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    )
""", down_body="""
    op.drop_table("orders")
"""),
    "d4": dict(down="b2", msg="feature start", labels=("feat",), deps=None, up="""
    op.create_table("feature", sa.Column("id", sa.Integer, primary_key=True))
""", down_body="""
    op.drop_table("feature")
"""),
    "e5": dict(down="d4", msg="feature more", labels=None, deps=None, up="""
    op.execute("INSERT INTO feature (id) VALUES (1)")
""", down_body="""
    op.execute("DELETE FROM feature")
"""),
    "m6": dict(down=("c3", "e5"), msg="merge feature", labels=None, deps=None, up="""
    pass
""", down_body="""
    pass
"""),
    "x7": dict(down=None, msg="library base", labels=("lib",), deps="b2", up="""
    op.create_table("lib", sa.Column("id", sa.Integer, primary_key=True))
""", down_body="""
    op.drop_table("lib")
"""),
}

_TEMPLATE = '''"""{msg}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-01-02 03:04:05.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = {labels!r}
depends_on: Union[str, Sequence[str], None] = {deps!r}


def upgrade() -> None:
    """Upgrade schema."""{up}

def downgrade() -> None:
    """Downgrade schema."""{down_body}
'''


def build(path: Path) -> None:
    """Make the project in ``path`` with ``alembic init`` and the revisions above."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(TOOLS["alembic"]), "init", "alembic"], cwd=path, check=True, capture_output=True)
    ini = (path / "alembic.ini").read_text()
    ini = re.sub(r"(?m)^sqlalchemy\.url = .*$", "sqlalchemy.url = sqlite:///%(here)s/app.db", ini)
    (path / "alembic.ini").write_text(ini)
    versions = path / "alembic" / "versions"
    for rev, r in REVISIONS.items():
        down = r["down"]
        revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
        (versions / f"{rev}_{r['msg'].replace(' ', '_')}.py").write_text(
            _TEMPLATE.format(rev=rev, revises=revises, **{k: v for k, v in r.items() if k != "up"} | {
                "up": r["up"].rstrip() + "\n", "down_body": r["down_body"].rstrip(), "msg": r["msg"],
                "down": down, "labels": r["labels"], "deps": r["deps"],
            })
        )


@dataclass
class Run:
    code: int
    out: str
    err: str


class Twin:
    """Two copies of one project: one driven by ``alembic``, one by ``retort``."""

    def __init__(self, root: Path, template: Path) -> None:
        self.dirs = {}
        for tool in TOOLS:
            dest = root / tool
            shutil.copytree(template, dest)
            self.dirs[tool] = dest

    def run(self, tool: str, *args: str) -> Run:
        env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "RETORT_CONFIG")}
        proc = subprocess.run(
            [str(TOOLS[tool]), "-c", "alembic.ini", *args], cwd=self.dirs[tool], capture_output=True, text=True,
            env=env, timeout=120,
        )
        return Run(proc.returncode, self._norm(tool, proc.stdout), self._norm(tool, proc.stderr))

    def both(self, *args: str) -> tuple[Run, Run]:
        return self.run("alembic", *args), self.run("retort", *args)

    def _norm(self, tool: str, text: str) -> str:
        text = text.replace(str(self.dirs[tool].resolve()), "<P>").replace(str(self.dirs[tool]), "<P>")
        return text

    def versions(self, tool: str, table: str = "alembic_version") -> list[str] | None:
        db = self.dirs[tool] / "app.db"
        if not db.exists():
            return None
        with sqlite3.connect(db) as conn:
            try:
                return sorted(r[0] for r in conn.execute(f"SELECT version_num FROM {table}"))
            except sqlite3.OperationalError:
                return None

    def rows(self, tool: str, sql: str) -> list[tuple]:
        with sqlite3.connect(self.dirs[tool] / "app.db") as conn:
            return [tuple(r) for r in conn.execute(sql)]

    def tables(self, tool: str) -> list[str]:
        db = self.dirs[tool] / "app.db"
        if not db.exists():
            return []
        with sqlite3.connect(db) as conn:
            return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))

    def reset_db(self) -> None:
        for d in self.dirs.values():
            (d / "app.db").unlink(missing_ok=True)


MODEL = '''
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("email", sa.String(100), server_default="none"),
    sa.Column("age", sa.Integer, nullable=True),
    sa.Index("ix_users_email", "email", unique=True),
)
sa.Table(
    "orders", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("total", sa.Numeric(10, 2)),
)
sa.Table("fresh", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("x", sa.Boolean, server_default=sa.false()))
sa.Table("lib", metadata, sa.Column("id", sa.Integer, primary_key=True))
'''


def add_model(path: Path) -> None:
    """Give the project a target MetaData (models.py, imported by env.py)."""
    (path / "models.py").write_text(MODEL)
    env = path / "alembic" / "env.py"
    env.write_text(env.read_text().replace("target_metadata = None", "from models import metadata as target_metadata"))


def revision_text(twin: "Twin", tool: str, rev: str) -> str:
    """The revision file ``rev`` that ``tool`` wrote, without its Create Date."""
    (path,) = (twin.dirs[tool] / "alembic" / "versions").glob(f"{rev}_*.py")
    return re.sub(r"Create Date: .*", "Create Date: <D>", path.read_text())
