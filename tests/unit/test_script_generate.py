"""ScriptDirectory.generate_revision, file templates, and from_config."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from retort.config import Config
from retort.script import ScriptDirectory
from retort.script.generate import make_slug, rev_path
from retort.script.revision import MultipleHeads
from retort.util.exc import CommandError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scripts"


@pytest.fixture
def linear(tmp_path) -> Path:
    dest = tmp_path / "linear"
    shutil.copytree(FIXTURES / "linear", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_generate_on_the_head(linear):
    sd = ScriptDirectory(linear)
    script = sd.generate_revision("4444dddd", "Add a Table!")
    assert script.revision == "4444dddd"
    assert script.down_revision == "3333cccc"
    assert os.path.basename(script.path) == "4444dddd_add_a_table.py"
    text = Path(script.path).read_text()
    assert '"""Add a Table!\n\nRevision ID: 4444dddd\nRevises: 3333cccc\nCreate Date: ' in text
    assert "revision: str = '4444dddd'" in text
    assert "down_revision: Union[str, Sequence[str], None] = '3333cccc'" in text
    assert sd.get_heads() == ["4444dddd"]  # the map knows it at once
    assert ScriptDirectory(linear).get_heads() == ["4444dddd"]  # and so does a fresh read
    assert callable(script.module.upgrade)


def test_generate_empty_message_and_template_args(linear):
    (linear / "script.py.mako").write_text(
        '"""${message}"""\nrevision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n'
        "branch_labels = ${repr(branch_labels)}\ndepends_on = ${repr(depends_on)}\n# ${extra}\n"
    )
    script = ScriptDirectory(linear).generate_revision("4444dddd", None, extra="hello")
    text = Path(script.path).read_text()
    assert text.startswith('"""empty message"""')
    assert "# hello" in text


def test_generate_new_base_and_branch_label(linear):
    sd = ScriptDirectory(linear)
    script = sd.generate_revision("5555eeee", "other base", head="base", branch_labels="other")
    assert script.down_revision is None
    assert script.branch_labels == {"other"}
    assert set(sd.get_heads()) == {"3333cccc", "5555eeee"}
    assert sd.get_revisions("other@head")[0].revision == "5555eeee"
    with pytest.raises(MultipleHeads, match="merge"):
        sd.generate_revision("6666ffff", "ambiguous")


def test_generate_merge_and_depends_on(linear):
    sd = ScriptDirectory(linear)
    sd.generate_revision("5555eeee", "other base", head="base", branch_labels="other")
    dep = sd.generate_revision("6666ffff", "uses core", head="other@head", depends_on="2222")
    assert dep.dependencies == "2222bbbb"  # a partial id is written out in full
    merge = sd.generate_revision("7777aaaa", "merge", head=["3333cccc", "6666ffff"])
    assert merge.down_revision == ("3333cccc", "6666ffff")
    assert "Revises: 3333cccc, 6666ffff" in Path(merge.path).read_text()
    assert sd.get_heads() == ["7777aaaa"]


def test_generate_not_a_head_needs_splice(linear):
    sd = ScriptDirectory(linear)
    with pytest.raises(CommandError, match="not a head revision; please specify --splice"):
        sd.generate_revision("5555eeee", "branch", head="2222bbbb")
    script = sd.generate_revision("5555eeee", "branch", head="2222bbbb", splice=True)
    assert script.down_revision == "2222bbbb"
    assert sd.get_revision("2222bbbb").is_branch_point


def test_generate_existing_id_and_unknown_head(linear):
    sd = ScriptDirectory(linear)
    with pytest.raises(CommandError, match="not allowed"):
        sd.generate_revision("bad-id", "dash")
    assert not list((linear / "versions").glob("bad*"))
    with pytest.raises(CommandError, match="already exists"):
        sd.generate_revision("3333cccc", "again")
    with pytest.raises(CommandError, match="nothere"):
        sd.generate_revision("5555eeee", "x", head="nothere")


def test_file_template_tokens_and_dated_folders(linear):
    sd = ScriptDirectory(
        linear,
        file_template="%(year)d/%(month).2d/%(day).2d_%(hour).2d%(minute).2d%(second).2d_%(epoch)s_%(rev)s_%(slug)s",
        truncate_slug_length=10,
        recursive_version_locations=True,
        timezone="UTC",
    )
    script = sd.generate_revision("4444dddd", "a rather long message here")
    rel = os.path.relpath(script.path, linear / "versions")
    m = re.fullmatch(r"(\d{4})/(\d\d)/(\d\d)_(\d{6})_(\d+)_4444dddd_a_rather_\.py", rel)
    assert m, rel
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs(int(m.group(5)) - now.timestamp()) < 300
    assert "+00:00" in Path(script.path).read_text()  # the timezone-aware Create Date
    assert ScriptDirectory(linear, recursive_version_locations=True).get_heads() == ["4444dddd"]


def test_slug():
    assert make_slug("Hello, World! this is a long-ish message indeed", 20) == "hello_world_this_is_"
    assert make_slug("short", 40) == "short"
    assert make_slug(None, 40) == ""


def test_rev_path_epoch(linear):
    sd = ScriptDirectory(linear, file_template="%(epoch)s_%(rev)s")
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert rev_path(sd, "/v", "abc", "m", when) == "/v/%d_abc.py" % when.timestamp()


def test_bad_timezone(linear):
    with pytest.raises(CommandError, match="Can't locate timezone: Not/AZone"):
        ScriptDirectory(linear, timezone="Not/AZone").generate_revision("4444dddd", "x")


def test_output_encoding(linear):
    mako = linear / "script.py.mako"
    mako.write_text("# a latin-1 file\n# -*- coding: latin-1 -*-\n" + mako.read_text())
    script = ScriptDirectory(linear, output_encoding="latin-1").generate_revision("4444dddd", "café")
    assert "café".encode("latin-1") in Path(script.path).read_bytes()
    assert script.doc == "café"
    assert script.module.__doc__.startswith("café")


def test_several_version_locations_need_a_version_path(tmp_path):
    shutil.copytree(FIXTURES / "multiloc", tmp_path / "multiloc", ignore=shutil.ignore_patterns("__pycache__"))
    d = tmp_path / "multiloc"
    sd = ScriptDirectory(d, version_locations=[str(d / "versions"), str(d / "plugins")])
    # extending a branch: the file goes where that branch's head lives
    script = sd.generate_revision("5555dddd", "more plugin", head="plugin@head")
    assert Path(script.path).parent == d / "plugins"
    with pytest.raises(CommandError, match="Multiple version locations present"):
        sd.generate_revision("5555eeee", "new base", head="base")
    with pytest.raises(CommandError, match="not represented"):
        sd.generate_revision("5555eeee", "new base", head="base", version_path=str(d / "elsewhere"))
    script = sd.generate_revision("5555eeee", "new base", head="base", version_path=str(d / "versions"))
    assert Path(script.path).parent == d / "versions"


# -- from_config ----------------------------------------------------------


def write_ini(path: Path, body: str) -> Config:
    path.write_text("[alembic]\n" + body)
    return Config(str(path))


def test_from_config(tmp_path, linear):
    (linear / "extra").mkdir()
    cfg = write_ini(
        tmp_path / "alembic.ini",
        "script_location = %(here)s/linear\n"
        "version_locations = %(here)s/linear/versions %(here)s/linear/extra\n"
        "path_separator = space\n"
        "file_template = %%(year)d_%%(rev)s\n"
        "truncate_slug_length = 12\n"
        "timezone = UTC\n"
        "recursive_version_locations = true\n"
        "sourceless = false\n"
        "output_encoding = latin-1\n",
    )
    sd = ScriptDirectory.from_config(cfg)
    assert os.path.samefile(sd.dir, linear)
    assert [os.path.basename(v) for v in sd._version_locations] == ["versions", "extra"]
    assert sd.file_template == "%(year)d_%(rev)s"
    assert sd.truncate_slug_length == 12
    assert sd.timezone == "UTC"
    assert sd.recursive_version_locations is True
    assert sd.sourceless is False
    assert sd.output_encoding == "latin-1"
    assert sd.get_heads() == ["3333cccc"]
    assert sd.env_py_location == str(linear / "env.py")


def test_from_config_missing_script_location(tmp_path):
    cfg = write_ini(tmp_path / "alembic.ini", "sqlalchemy.url = sqlite://\n")
    with pytest.raises(CommandError, match="script_location"):
        ScriptDirectory.from_config(cfg)


def test_from_config_package_location_and_prepend_sys_path(tmp_path, monkeypatch):
    pkg = tmp_path / "src" / "myapp_retort_pkg"
    shutil.copytree(FIXTURES / "linear", pkg / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", list(sys.path))
    cfg = write_ini(
        tmp_path / "alembic.ini",
        "script_location = myapp_retort_pkg:migrations\nprepend_sys_path = %(here)s/src\npath_separator = os\n",
    )
    sd = ScriptDirectory.from_config(cfg)
    assert os.path.samefile(sd.dir, pkg / "migrations")
    assert str(tmp_path / "src") in sys.path
    assert sd.get_heads() == ["3333cccc"]
