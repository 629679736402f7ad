"""Alembic projects run unchanged: ``alembic`` imports resolve to retort during a run,
the ``alembic_version`` table is shared with real Alembic, and the alias is gone afterwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from retort import command
from test_runtime_support import (
    add_revision,
    config_for,
    create_table_code,
    make_project,
    table_names,
    version_rows,
)

IMPORTS_CHECK = """
import alembic
import alembic.migration
from alembic import op as op2, context as ctx2
from alembic.operations import Operations, ops
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from alembic.config import Config
from alembic import command as cmd
from alembic.runtime.migration import MigrationContext as MC2
assert alembic.__name__ == "retort", alembic
assert op2.__name__ == "retort.op" and op is op2
assert ctx2.__name__ == "retort.context"
assert Operations.__module__.startswith("retort.")
assert ops.__name__ == "retort.operations.ops"
assert MigrationContext.__module__ == "retort.runtime.migration" and MC2 is MigrationContext
assert ScriptDirectory.__module__.startswith("retort.script")
assert CommandError.__module__ == "retort.util.exc"
assert Config.__module__ == "retort.config" and cmd.__name__ == "retort.command"
assert ctx2.get_context() is op.get_context()
""" + create_table_code("checked")


def alembic_project(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url, flavor="alembic")
    add_revision(ini, "a1", None, IMPORTS_CHECK)
    add_revision(ini, "a2", "a1", create_table_code("second"), "op.drop_table('second')")
    return ini


def test_alembic_imports_resolve_to_retort(tmp_path, engine):
    ini = alembic_project(tmp_path, engine)
    before_meta_path = list(sys.meta_path)
    real = sys.modules.get("alembic")
    command.upgrade(config_for(ini), "head")
    assert version_rows(engine, "alembic_version") == ["a2"]
    assert "retort_version" not in table_names(engine)
    assert {"checked", "second"} <= table_names(engine)
    # the alias is gone: the process sees what it saw before
    assert sys.meta_path == before_meta_path
    assert sys.modules.get("alembic") is real


def test_real_alembic_and_retort_share_alembic_version(tmp_path, sqlite_engine):
    alembic_config = pytest.importorskip("alembic.config")
    alembic_command = pytest.importorskip("alembic.command")
    ini = make_project(tmp_path / "proj", sqlite_engine.url, flavor="alembic")
    add_revision(ini, "a1", None, create_table_code("t1"), "op.drop_table('t1')")
    add_revision(ini, "a2", "a1", create_table_code("t2"), "op.drop_table('t2')")
    add_revision(ini, "a3", "a2", create_table_code("t3"), "op.drop_table('t3')")
    # real Alembic goes first, retort continues, real Alembic goes back
    alembic_command.upgrade(alembic_config.Config(str(ini)), "a1")
    assert version_rows(sqlite_engine, "alembic_version") == ["a1"]
    command.upgrade(config_for(ini), "head")
    assert version_rows(sqlite_engine, "alembic_version") == ["a3"]
    alembic_command.downgrade(alembic_config.Config(str(ini)), "a1")
    assert version_rows(sqlite_engine, "alembic_version") == ["a1"]
    assert "t3" not in table_names(sqlite_engine)
    assert sys.modules["alembic"].__name__ == "alembic"


BLOCKED_RUN = """
import importlib.abc, sys

class HideAlembic(importlib.abc.MetaPathFinder):
    # pretend the alembic distribution is not installed
    def find_spec(self, name, path=None, target=None):
        if name == "alembic" or name.startswith("alembic."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideAlembic())
try:
    import alembic
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("alembic should be hidden")

from retort import command
from retort.config import Config
command.upgrade(Config(sys.argv[1]), "head")
try:
    import alembic
except ModuleNotFoundError:
    print("OK: alias removed")
"""


def test_alembic_project_without_alembic_installed(tmp_path, sqlite_engine):
    ini = alembic_project(tmp_path, sqlite_engine)
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(BLOCKED_RUN))
    result = subprocess.run(
        [sys.executable, str(script), str(ini)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "OK: alias removed" in result.stdout
    assert version_rows(sqlite_engine, "alembic_version") == ["a2"]


def test_retort_project_uses_retort_version(tmp_path, sqlite_engine):
    ini = make_project(tmp_path / "proj", sqlite_engine.url)
    add_revision(ini, "r1", None, "from alembic import op as aop\nassert aop is op")
    command.upgrade(config_for(ini), "head")
    assert version_rows(sqlite_engine) == ["r1"]
    assert "alembic_version" not in table_names(sqlite_engine)


SEQUENCE = [
    ("upgrade", "b"), ("upgrade", "d"), ("upgrade", "x"), ("upgrade", "heads"),
    ("downgrade", "c"), ("downgrade", "a"), ("stamp", "m"), ("stamp", "c"), ("stamp", "y"),
    ("downgrade", "base"), ("upgrade", "d"), ("stamp", "heads"), ("stamp", "base"),
    ("upgrade", "y"), ("upgrade", "m"),
]


def test_version_table_moves_like_alembic(tmp_path):
    """Branches, a merge, depends_on and stamps: retort leaves the same rows as Alembic 1.20."""
    alembic_config = pytest.importorskip("alembic.config")
    alembic_command = pytest.importorskip("alembic.command")
    urls = {tool: f"sqlite:///{tmp_path / tool}.db" for tool in ("alembic", "retort")}
    ini = make_project(tmp_path / "proj", urls["alembic"], flavor="alembic")
    add_revision(ini, "a", None)
    add_revision(ini, "b", "a")
    add_revision(ini, "c", "b")
    add_revision(ini, "d", "a")
    add_revision(ini, "m", ["c", "d"])
    add_revision(ini, "x", None, depends="b")
    add_revision(ini, "y", "x")
    seen = {}
    for tool in ("alembic", "retort"):
        ini.write_text(ini.read_text().replace(urls["alembic"], urls[tool]))
        engine = sa.create_engine(urls[tool])
        rows = []
        for name, arg in SEQUENCE:
            if tool == "alembic":
                getattr(alembic_command, name)(alembic_config.Config(str(ini)), arg)
            else:
                getattr(command, name)(config_for(ini), arg)
            rows.append(version_rows(engine, "alembic_version"))
        engine.dispose()
        seen[tool] = rows
    assert seen["retort"] == seen["alembic"]
