"""``--sql`` output of ``upgrade`` / ``downgrade`` / ``stamp`` is Alembic 1.20's, byte for byte.

The same Alembic-layout project (``alembic.ini``, the env.py ``alembic init``
writes, hand-made revision graphs with branches, merges and ``depends_on``) is
run with ``alembic`` and with ``retort``, per dialect; stdout must be equal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
TOOLS = {"alembic": BIN / "alembic", "retort": BIN / "retort"}

pytestmark = pytest.mark.skipif(not TOOLS["alembic"].exists(), reason="alembic (for comparison) is not installed")

URLS = {
    "sqlite": "sqlite:///%(here)s/app.db",
    "postgresql": "postgresql://u@localhost/db",
    "mysql": "mysql+pymysql://u@localhost/db",
    "mssql": "mssql+pyodbc://u@localhost/db",
    "oracle": "oracle+oracledb://u@localhost/db",
}

_REVISION = '''"""{rev}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-01-02 03:04:05.000000

"""
from alembic import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {deps!r}


def upgrade():
    op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t_{rev}")
'''

# rev: (down_revision, depends_on, branch_labels)
Graph = dict[str, tuple[Any, Any, Any]]

LINEAR: Graph = {"a1": (None, None, None), "b2": ("a1", None, None), "c3": ("b2", None, None)}

# a1 -> b2 -> c3 ---------> m6 (merge) -> n7
#        \-> d4 (feat) -> e5 /
# x8 (lib, own base, depends_on b2) -> y9
BRANCHY: Graph = {
    "a1": (None, None, None),
    "b2": ("a1", None, None),
    "c3": ("b2", None, None),
    "d4": ("b2", None, ("feat",)),
    "e5": ("d4", None, None),
    "m6": (("c3", "e5"), None, None),
    "n7": ("m6", None, None),
    "x8": (None, "b2", ("lib",)),
    "y9": ("x8", None, None),
}

# three-way merge, a dependency on a merge parent, and an unrelated second base
TRIPLE: Graph = {
    "a1": (None, None, None),
    "b2": ("a1", None, None),
    "c3": ("a1", None, None),
    "d4": ("a1", "c3", None),
    "m5": (("b2", "c3", "d4"), None, None),
    "p1": (None, None, ("other",)),
    "p2": ("p1", "b2", None),
}


def build(path: Path, graph: Graph, dialect: str) -> Path:
    """An Alembic project in ``path`` (``alembic init``) holding ``graph``'s revisions."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(TOOLS["alembic"]), "init", "alembic"], cwd=path, check=True, capture_output=True)
    ini = (path / "alembic.ini").read_text()
    ini = re.sub(r"(?m)^sqlalchemy\.url = .*$", lambda m: "sqlalchemy.url = " + URLS[dialect], ini)
    (path / "alembic.ini").write_text(ini)
    versions = path / "alembic" / "versions"
    for rev, (down, deps, labels) in graph.items():
        revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
        text = _REVISION.format(rev=rev, revises=revises, down=down, deps=deps, labels=labels)
        (versions / f"{rev}_rev.py").write_text(text)
    return path


def run(tool: str, path: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "RETORT_CONFIG")}
    proc = subprocess.run(
        [str(TOOLS[tool]), "-c", "alembic.ini", *args], cwd=path, capture_output=True, text=True, env=env,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


_VERSION_ROW = re.compile(
    r"^(?:INSERT INTO alembic_version \(version_num\)(?: OUTPUT inserted\.version_num)? VALUES \('(?P<ins>[^']*)'\)"
    r"|UPDATE alembic_version SET version_num='(?P<new>[^']*)' WHERE alembic_version\.version_num = '(?P<old>[^']*)'"
    r"|DELETE FROM alembic_version WHERE alembic_version\.version_num = '(?P<dele>[^']*)')"
)


def merge_moves_as_effect(out: str) -> list[str]:
    """``out``'s lines, where a step moving several rows is reduced to what it removes and adds.

    Alembic picks which parent row of a merge (or unmerge) it UPDATEs and which
    it DELETEs (INSERTs) from a set, so its choice changes with the hash seed
    whenever other heads are in the table; the rows that result do not.
    """
    result: list[str] = []
    block: list[str] = []

    def flush() -> None:
        moves = [m for m in (_VERSION_ROW.match(line) for line in block) if m]
        if len(moves) < 2:
            result.extend(block)
        else:
            removed = sorted(m["old"] or m["dele"] for m in moves if m["old"] or m["dele"])
            added = sorted(m["new"] or m["ins"] for m in moves if m["new"] or m["ins"])
            result.extend(line for line in block if not _VERSION_ROW.match(line))
            result.append(f"<version rows {removed} -> {added}>")
        block.clear()

    for line in out.splitlines():
        if line.startswith("-- Running"):
            flush()
        block.append(line)
    flush()
    return result


CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # (graph, dialects, command)
    *[
        ("LINEAR", ("sqlite", "postgresql", "mysql", "mssql", "oracle"), cmd)
        for cmd in (
            ("upgrade", "head", "--sql"),
            ("downgrade", "head:base", "--sql"),
            ("downgrade", "c3:a1", "--sql"),
            ("upgrade", "a1:c3", "--sql"),
            ("stamp", "head", "--sql"),
            ("stamp", "c3:a1", "--sql"),
            ("stamp", "b2:base", "--sql"),
        )
    ],
    *[
        ("BRANCHY", ("sqlite", "postgresql"), cmd)
        for cmd in (
            ("upgrade", "heads", "--sql"),
            ("upgrade", "base:m6", "--sql"),
            ("upgrade", "e5:heads", "--sql"),
            ("upgrade", "x8:n7", "--sql"),
            ("upgrade", "b2:x8", "--sql"),
            ("upgrade", "c3:y9", "--sql"),
            ("downgrade", "n7:base", "--sql"),
            ("downgrade", "n7:b2", "--sql"),
            ("downgrade", "m6:e5", "--sql"),
            ("downgrade", "y9:a1", "--sql"),
            ("downgrade", "x8:base", "--sql"),
            ("stamp", "heads", "--sql"),
            ("stamp", "c3", "y9", "--sql"),
            ("stamp", "e5:n7", "--sql"),
            ("stamp", "n7:a1", "--sql"),
            ("stamp", "c3:e5", "--sql"),
        )
    ],
    *[
        ("TRIPLE", ("postgresql", "mssql"), cmd)
        for cmd in (
            ("upgrade", "heads", "--sql"),
            ("upgrade", "a1:heads", "--sql"),
            ("upgrade", "c3:heads", "--sql"),
            ("downgrade", "m5:a1", "--sql"),
            ("downgrade", "m5:c3", "--sql"),
            ("downgrade", "p2:a1", "--sql"),
        )
    ],
]

PARAMS = [
    pytest.param(graph, dialect, cmd, id=f"{graph}-{dialect}-{' '.join(cmd)}")
    for graph, dialects, cmd in CASES
    for dialect in dialects
]


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    made: dict[tuple[str, str], Path] = {}

    def get(graph: str, dialect: str) -> Path:
        if (graph, dialect) not in made:
            made[graph, dialect] = build(tmp_path_factory.mktemp(f"{graph}_{dialect}"), globals()[graph], dialect)
        return made[graph, dialect]

    return get


@pytest.mark.parametrize(("graph", "dialect", "cmd"), PARAMS)
def test_sql_output_is_alembics(projects, graph, dialect, cmd):
    path = projects(graph, dialect)
    a_code, a_out, a_err = run("alembic", path, *cmd)
    r_code, r_out, r_err = run("retort", path, *cmd)
    assert a_code == 0, a_err
    assert r_code == 0, r_err
    assert merge_moves_as_effect(r_out) == merge_moves_as_effect(a_out)
    # the log lines too (Context impl, Generating static SQL, Will assume ..., Running ...)
    assert [line for line in r_err.splitlines() if line.startswith("INFO")] == [
        line for line in a_err.splitlines() if line.startswith("INFO")
    ]


@pytest.mark.parametrize(
    ("graph", "cmd", "target"),
    [
        ("BRANCHY", ("downgrade", "y9:b2", "--sql"), "b2"),  # b2 only applied as x8's dependency
        ("BRANCHY", ("downgrade", "c3:e5", "--sql"), "e5"),  # another branch
        ("BRANCHY", ("downgrade", "n7:x8", "--sql"), "x8"),  # another base
        ("TRIPLE", ("downgrade", "p2:b2", "--sql"), "b2"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_downgrade_to_a_revision_no_head_stands_on_fails_as_in_alembic(projects, graph, cmd, target):
    path = projects(graph, "postgresql")
    a_code, a_out, a_err = run("alembic", path, *cmd)
    r_code, r_out, r_err = run("retort", path, *cmd)
    message = f"Destination {target} is not a valid downgrade target from current head(s)"
    assert a_code != 0 and message in a_out + a_err
    assert r_code == 1 and message in r_err
    assert "alembic_version" not in r_out  # nothing written
