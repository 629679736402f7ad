"""Demo: the everyday retort workflow on SQLite, in a temporary directory.

    init → revision --autogenerate (from a sample model) → upgrade → history
    → change the model → check → revision --autogenerate → upgrade → downgrade

Each step runs the real ``retort`` command line, printed before its output,
so the demo reads like a terminal session.  Nothing is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

MODEL = '''\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
'''

MODEL_V2 = '''\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(100)),
)
sa.Index("ix_account_email", account.c.email)
'''


def retort(workdir: Path, *args: str, expect_failure: bool = False) -> str:
    """Run ``retort <args>`` in ``workdir`` like a user would, echoing it."""
    print(f"\n$ retort {' '.join(args)}")
    # stderr (log lines, errors) merged into stdout in the order they were written
    proc = subprocess.run(
        [sys.executable, "-m", "retort", *args],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout.rstrip()
    if out:
        print(out)
    if (proc.returncode != 0) != expect_failure:
        raise SystemExit(f"demo: 'retort {' '.join(args)}' exited {proc.returncode}")
    return proc.stdout


def schema(db: Path) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db}")
    insp = sa.inspect(engine)
    parts = []
    for table in sorted(insp.get_table_names()):
        cols = ", ".join(c["name"] for c in insp.get_columns(table))
        parts.append(f"{table}({cols})")
    engine.dispose()
    return "; ".join(parts) or "(no tables)"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="retort-demo-") as tmp:
        work = Path(tmp)
        db = work / "app.db"
        (work / "model.py").write_text(MODEL)

        retort(work, "init", "migrations")
        ini = (work / "retort.ini").read_text()
        ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname", f"sqlalchemy.url = sqlite:///{db}")
        (work / "retort.ini").write_text(ini)
        env = (work / "migrations" / "env.py").read_text()
        env = env.replace("target_metadata = None", "from model import metadata as target_metadata")
        (work / "migrations" / "env.py").write_text(env)
        print("\n# retort.ini: sqlalchemy.url = sqlite:///app.db; env.py: target_metadata = model.metadata")

        retort(work, "revision", "--autogenerate", "-m", "create account")
        (first,) = sorted((work / "migrations" / "versions").glob("*.py"))
        print(f"\n# {first.name}:")
        body = first.read_text()
        print(body[body.index("def upgrade"):].rstrip())

        retort(work, "upgrade", "head")
        print(f"# database: {schema(db)}")
        retort(work, "history")

        (work / "model.py").write_text(MODEL_V2)
        print("\n# model.py: account gains an email column and an index")
        retort(work, "check", expect_failure=True)
        retort(work, "revision", "--autogenerate", "-m", "add email")
        retort(work, "upgrade", "head", "--sql")
        retort(work, "upgrade", "head")
        print(f"# database: {schema(db)}")
        retort(work, "current")

        retort(work, "downgrade", "-1")
        print(f"# database: {schema(db)}")
        retort(work, "downgrade", "base")
        print(f"# database: {schema(db)}")
        print("\ndemo finished")


if __name__ == "__main__":
    os.environ.pop("RETORT_CONFIG", None)
    main()
