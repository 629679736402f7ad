"""The Python API (Config(stdout=...), command.*, ScriptDirectory) on the branched project, retort vs Alembic."""

from __future__ import annotations

import io
import os

import pytest

from .cli_project import TOOLS, build

pytest.importorskip("alembic")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("parity_api") / "project"
    build(path)
    return path


def _api(kind: str, project) -> list:
    if kind == "alembic":
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory
    else:
        from retort import command
        from retort.config import Config
        from retort.script import ScriptDirectory
    buf = io.StringIO()
    old = os.getcwd()
    os.chdir(project)
    try:
        cfg = Config("alembic.ini", stdout=buf)
        out: list = []
        for fn, args in [(command.heads, ()), (command.heads, ("--verbose",)), (command.history, ()),
                         (command.history, ("b2:",)), (command.show, ("m6",)), (command.show, ("feat@head",))]:
            buf.seek(0)
            buf.truncate()
            if args == ("--verbose",):
                fn(cfg, verbose=True)
            else:
                fn(cfg, *args)
            out.append(buf.getvalue())
        sd = ScriptDirectory.from_config(cfg)
        out += [
            sorted(sd.get_heads()),
            [s.revision for s in sd.walk_revisions()],
            [s.revision for s in sd.iterate_revisions("m6", "a1")],
            sorted(sd.get_bases()),
            sd.get_revision("feat@head").revision,
            sd.get_revision("lib@head").down_revision,
            sorted(sd.get_revision("b2").nextrev),
            sd.get_revision("m6").is_merge_point,
            sd.get_revision("b2").is_branch_point,
        ]
        return out
    finally:
        os.chdir(old)


def test_command_api_same_as_alembic(project):
    assert TOOLS["alembic"].exists()
    assert _api("retort", project) == _api("alembic", project)
