"""Side by side with Alembic 1.20 on one Alembic project: the graph commands print the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ALEMBIC = Path(sys.executable).with_name("alembic")

pytestmark = pytest.mark.skipif(not ALEMBIC.exists(), reason="alembic (for comparison) is not installed")


def alembic(project, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ALEMBIC_CONFIG"}
    proc = subprocess.run([str(ALEMBIC), *args], cwd=project.path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def branched(tmp_path_factory, project_class):
    """An Alembic project made by alembic itself: a branch point, a label, a merge."""
    project = project_class(tmp_path_factory.mktemp("alembic_parity"))
    alembic(project, "init", "alembic")
    ini = project.read("alembic.ini")
    ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname", "sqlalchemy.url = sqlite:///%(here)s/app.db")
    project.write("alembic.ini", ini)
    alembic(project, "revision", "-m", "first one", "--rev-id", "aaa")
    alembic(project, "revision", "-m", "second", "--rev-id", "bbb", "--branch-label", "lab")
    alembic(project, "revision", "-m", "third", "--rev-id", "ccc", "--head", "aaa", "--splice")
    alembic(project, "revision", "-m", "fourth", "--rev-id", "eee", "--head", "ccc", "--depends-on", "bbb")
    alembic(project, "merge", "-m", "merge it", "bbb", "eee", "--rev-id", "ddd")
    return project


@pytest.mark.parametrize(
    "args",
    [
        ("history",),
        ("history", "-v"),
        ("history", "-r", "bbb:"),
        ("history", "-r", ":ccc"),
        ("heads",),
        ("heads", "-v"),
        ("heads", "--resolve-dependencies"),
        ("branches",),
        ("branches", "-v"),
        ("show", "ddd"),
        ("show", "lab@head"),
        ("show", "aaa"),
    ],
)
def test_graph_commands_match_alembic(branched, args):
    expected = alembic(branched, *args)
    got = branched.run(*args).stdout
    if "-v" in args or args in (("show", "aaa"), ("branches",)):
        # Alembic lists a branch point's children in set order, which changes
        # from run to run (string hash randomisation): compare as a multiset
        def lines(text: str) -> list[str]:
            return sorted(line for line in text.splitlines() if not line.startswith("Branches into: "))

        assert lines(got) == lines(expected)
        assert _children(got) == _children(expected)
    else:
        assert got == expected


def test_current_matches_alembic_after_upgrade(branched):
    commands = [("current",), ("current", "-v"), ("history", "-i"), ("show", "current")]
    try:
        alembic(branched, "upgrade", "bbb")
        for args in commands:
            assert branched.run(*args).stdout == alembic(branched, *args), args
        branched.run("upgrade", "heads")
        for args in commands:
            assert branched.run(*args).stdout == alembic(branched, *args), args
    finally:
        (branched.path / "app.db").unlink(missing_ok=True)


def test_upgrade_sql_statements_match_alembic(branched):
    shutil.rmtree(branched.path / "alembic" / "versions" / "__pycache__", ignore_errors=True)
    expected = alembic(branched, "upgrade", "head", "--sql")
    got = branched.run("upgrade", "head", "--sql").stdout
    assert _statements(got) == _statements(expected)


def _children(text: str) -> list[set[str]]:
    return [
        set(line.split(": ", 1)[1].split(", "))
        for line in text.splitlines()
        if line.startswith("Branches into: ")
    ]


def _statements(text: str) -> list[str]:
    """The DDL of the run: retort's version-table moves and BEGIN/COMMIT differ by design."""
    return [
        line
        for line in text.splitlines()
        if line
        and not line.startswith("--")
        and line not in ("BEGIN;", "COMMIT;")
        and not line.startswith(("INSERT INTO alembic_version", "UPDATE alembic_version", "DELETE FROM alembic_version"))
    ]
