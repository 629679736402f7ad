"""ScriptDirectory over the fixture directories: reading, errors, the header cache."""

from __future__ import annotations

import os
import py_compile
import shutil
import sys
from pathlib import Path

import pytest

from retort.script import Script, ScriptDirectory
from retort.script.revision import (
    CycleDetected,
    DependencyCycleDetected,
    LoopDetected,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
)
from retort.util.exc import CommandError, DuplicateRevision, MissingRevision, ScriptFileError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scripts"


@pytest.fixture
def copy_fixture(tmp_path):
    """Copy a fixture directory to tmp_path (so caches and new files stay out of the tree)."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(FIXTURES / name, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest

    return copy


def ids(scripts) -> list[str]:
    return [s.revision for s in scripts]


def test_linear(copy_fixture):
    sd = ScriptDirectory(copy_fixture("linear"))
    assert sd.get_heads() == ["3333cccc"]
    assert sd.get_current_head() == "3333cccc"
    assert sd.get_bases() == ["1111aaaa"]
    assert sd.get_base() == "1111aaaa"
    assert ids(sd.walk_revisions()) == ["3333cccc", "2222bbbb", "1111aaaa"]
    third = sd.get_revision("3333")
    assert isinstance(third, Script)
    assert third.down_revision == "2222bbbb"  # ("2222bbbb",) normalises to a scalar
    assert third.doc == "third"
    assert third.longdoc.startswith("third\n\nRevision ID: 3333cccc")
    assert third.path.endswith("3333cccc_third.py")
    assert sd.as_revision_number("head") == "3333cccc"
    assert sd.as_revision_number("heads") == ("3333cccc",)
    assert sd.as_revision_number("base") is None


def test_graph_commands_do_not_import_revision_modules(copy_fixture):
    sd = ScriptDirectory(copy_fixture("linear"))
    before = set(sys.modules)
    sd.get_heads()
    list(sd.walk_revisions())
    assert not [m for m in set(sys.modules) - before if "1111aaaa" in m or "3333cccc" in m]
    assert all(s._module is None for s in sd.walk_revisions())


def test_module_is_imported_when_used(copy_fixture):
    sd = ScriptDirectory(copy_fixture("linear"))
    script = sd.get_revision("2222bbbb")
    assert callable(script.module.upgrade)
    assert script.module.revision == "2222bbbb"


def test_branches_merges_labels_dependencies(copy_fixture):
    sd = ScriptDirectory(copy_fixture("branches"))
    assert set(sd.get_heads()) == {"5f8e9d0c1b2a", "109ec7d132bf"}
    assert set(sd.get_bases()) == {"1975ea83b712", "3cac04ae8714"}
    with pytest.raises(CommandError, match="multiple bases"):
        sd.get_base()
    with pytest.raises(MultipleHeads, match="multiple heads"):
        sd.get_current_head()
    net2 = sd.get_revision("109ec")
    assert net2.down_revision == "3cac04ae8714"  # read from a multi-line tuple
    assert net2.dependencies == "ae1027a6acf"
    assert ids(sd.get_revisions("networking@head")) == ["109ec7d132bf"]
    assert ids(sd.get_revisions("shoppingcart@head")) == ["5f8e9d0c1b2a"]
    assert "shoppingcart" in sd.get_revision("44aa11bb22cc").branch_labels
    merge = sd.get_revision("5f8e9d0c1b2a")
    assert merge.is_merge_point
    assert merge.cmd_format(False, include_parents=True, include_doc=True) == (
        "44aa11bb22cc, ae1027a6acf -> 5f8e9d0c1b2a (shoppingcart) (head) (mergepoint), merge cart and account"
        if False
        else "44aa11bb22cc, ae1027a6acf -> 5f8e9d0c1b2a (head) (mergepoint), merge cart and account"
    )
    assert str(net2) == "3cac04ae8714 -> 109ec7d132bf (head), add ip number table"
    assert net2.cmd_format(False, include_parents=True, include_branches=True) == (
        "3cac04ae8714 (ae1027a6acf) -> 109ec7d132bf (networking) (head)"
    )
    entry = sd.get_revision("2a6b3e1c0d11").log_entry
    assert entry.startswith("Rev: 2a6b3e1c0d11 (branchpoint)\nParent: 1975ea83b712\n")
    assert "Branches into: 27c6a30d7c24, ae1027a6acf\n" in entry


def test_branches_plans(copy_fixture):
    sd = ScriptDirectory(copy_fixture("branches"))
    plan = sd.upgrade_plan("networking@head", ())
    assert ids(plan)[-1] == "109ec7d132bf"
    assert set(ids(plan)) == {"1975ea83b712", "2a6b3e1c0d11", "ae1027a6acf", "3cac04ae8714", "109ec7d132bf"}
    assert all(isinstance(s, Script) for s in plan)
    down = sd.downgrade_plan("2a6b3e1c0d11", ("5f8e9d0c1b2a", "109ec7d132bf"))
    assert set(ids(down)) == {"5f8e9d0c1b2a", "44aa11bb22cc", "27c6a30d7c24", "ae1027a6acf", "109ec7d132bf"}
    assert ids(down)[0] in ("5f8e9d0c1b2a", "109ec7d132bf")
    with pytest.raises(MultipleHeads, match="'<branchname>@head'"):
        sd.upgrade_plan("head", ())
    assert ids(sd.history(":2a6b")) == ["2a6b3e1c0d11", "1975ea83b712"]
    assert ids(sd.history("current:", current_heads=("44aa11bb22cc",))) == ["5f8e9d0c1b2a", "44aa11bb22cc"]
    assert ids(sd.history("ae1027a6acf:")) == ["5f8e9d0c1b2a", "ae1027a6acf"]


@pytest.mark.parametrize(
    "name, error, words",
    [
        ("cycle", CycleDetected, ["aaaa0001", "aaaa0002", "aaaa0003", "aaaa0001_one.py"]),
        ("depcycle", DependencyCycleDetected, ["cccc0001", "dddd0002", "cccc0001_a.py"]),
        ("selfloop", LoopDetected, ["eeee0001", "eeee0001_loop.py"]),
        ("missing", MissingRevision, ["ffff9999", "ffff0002_b.py"]),
        ("duplicate", DuplicateRevision, ["1234abcd", "1234abcd_one.py", "1234abcd_two.py"]),
        ("unreadable", ScriptFileError, ["8888aaaa_bad.py", "line"]),
        ("norevision", ScriptFileError, ["helpers.py", "revision"]),
    ],
)
def test_broken_directories_name_the_files(copy_fixture, name, error, words):
    sd = ScriptDirectory(copy_fixture(name))
    with pytest.raises(error) as exc:
        sd.get_heads()
    assert isinstance(exc.value, CommandError)
    for word in words:
        assert word in str(exc.value)


def test_syntax_error_is_reported_when_run(copy_fixture):
    sd = ScriptDirectory(copy_fixture("syntax_error"))
    assert sd.get_heads() == ["9999bbbb"]  # the header is readable
    script = sd.get_revision("9999bbbb")
    with pytest.raises(ScriptFileError) as exc:
        script.module
    assert exc.value.path == script.path
    assert "9999bbbb_broken.py" in str(exc.value)
    assert "line" in str(exc.value)


def test_computed_identifiers_fall_back_to_import(copy_fixture):
    sd = ScriptDirectory(copy_fixture("computed"))
    assert sd.get_heads() == ["7777bbbb"]
    script = sd.get_revision("7777bbbb")
    assert script._module is not None  # it had to be imported to be read
    assert script.down_revision == "7777aaaa"


def test_recursive_version_locations(copy_fixture):
    d = copy_fixture("recursive")
    assert ScriptDirectory(d).get_heads() == []
    sd = ScriptDirectory(d, recursive_version_locations=True)
    assert sd.get_heads() == ["6666bbbb"]
    assert ids(sd.walk_revisions()) == ["6666bbbb", "6666aaaa"]


def test_several_version_locations(copy_fixture):
    d = copy_fixture("multiloc")
    sd = ScriptDirectory(d, version_locations=[str(d / "versions"), str(d / "plugins")])
    assert set(sd.get_heads()) == {"5555aaaa", "5555cccc"}
    assert ids(sd.upgrade_plan("plugin@head", ())) == ["5555aaaa", "5555bbbb", "5555cccc"] or set(
        ids(sd.upgrade_plan("plugin@head", ()))
    ) == {"5555aaaa", "5555bbbb", "5555cccc"}
    with pytest.raises(CommandError, match="Multiple version_locations"):
        sd.versions


def test_unknown_revision(copy_fixture):
    sd = ScriptDirectory(copy_fixture("linear"))
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'fffff'"):
        sd.get_revision("fffff")
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'fffff'"):
        sd.upgrade_plan("fffff", ())


@pytest.mark.parametrize(
    "call",
    [
        lambda sd: sd.get_revision("2"),  # ambiguous: 27c6a30d7c24, 2a6b3e1c0d11
        lambda sd: sd.upgrade_plan("2", ()),
        lambda sd: sd.upgrade_plan("2@head", ()),
        lambda sd: sd.generate_revision("ffff0000", "x", head="2"),
        lambda sd: sd.generate_revision("ffff0000", "x", head="5f8e9d0c1b2a", depends_on="2"),
    ],
    ids=["get_revision", "upgrade_plan", "as-branch", "head", "depends_on"],
)
def test_ambiguous_or_unknown_identifier_cannot_be_located(copy_fixture, call):
    # as Alembic's commands word it: the RevisionMap's detailed message
    # ("Multiple revisions start with '2': ...") is not shown at this level
    sd = ScriptDirectory(copy_fixture("branches"))
    with pytest.raises(ResolutionError) as exc:
        call(sd)
    assert str(exc.value) == "Can't locate revision identified by '2'"


def test_unknown_branch_label_cannot_be_located(copy_fixture):
    sd = ScriptDirectory(copy_fixture("branches"))
    with pytest.raises(ResolutionError) as exc:
        sd.upgrade_plan("nolabel@head", ())
    assert str(exc.value) == "Can't locate revision identified by 'nolabel'"


def test_downgrade_to_a_revision_not_applied(copy_fixture):
    sd = ScriptDirectory(copy_fixture("branches"))
    with pytest.raises(RangeNotAncestorError, match="Destination 27c6a30d7c24 is not a valid downgrade target"):
        sd.downgrade_plan("27c6a30d7c24", ("ae1027a6acf",))


def test_missing_directory(tmp_path):
    with pytest.raises(CommandError, match="Path doesn't exist"):
        ScriptDirectory(tmp_path / "nowhere")


def test_run_env(copy_fixture, tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    monkeypatch.setenv("RETORT_TEST_ENV_MARKER", str(marker))
    ScriptDirectory(copy_fixture("linear")).run_env()
    assert marker.read_text() == "env ran"


def test_broken_env_names_the_file(copy_fixture):
    sd = ScriptDirectory(copy_fixture("broken_env"))
    with pytest.raises(ScriptFileError) as exc:
        sd.run_env()
    assert "env.py" in str(exc.value)
    assert "this_module_does_not_exist_anywhere" in str(exc.value)


def test_missing_env(copy_fixture):
    d = copy_fixture("linear")
    os.unlink(d / "env.py")
    with pytest.raises(ScriptFileError, match="env.py"):
        ScriptDirectory(d).run_env()


def test_sourceless(copy_fixture):
    d = copy_fixture("linear")
    src = d / "versions" / "3333cccc_third.py"
    py_compile.compile(str(src), cfile=str(src.with_suffix(".pyc")))
    src.unlink()
    assert ScriptDirectory(d).get_heads() == ["2222bbbb"]
    assert ScriptDirectory(d, sourceless=True).get_heads() == ["3333cccc"]


# -- the header cache ---------------------------------------------------------


def test_cache_is_written_and_invalidated(copy_fixture):
    d = copy_fixture("linear")
    versions = d / "versions"
    assert ScriptDirectory(d).get_heads() == ["3333cccc"]
    cache_files = list((versions / "__pycache__").glob("retort-headers*"))
    assert len(cache_files) == 1
    # rewrite a file: its size and mtime change, so the cache entry is not used
    first = versions / "1111aaaa_first.py"
    (versions / "0000dddd_new.py").write_text(
        '"""new base"""\nrevision = "0000dddd"\ndown_revision = None\n'
    )
    text = first.read_text().replace("down_revision = None", "down_revision = '0000dddd'")
    first.write_text(text)
    st = first.stat()
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    sd = ScriptDirectory(d)
    assert sd.get_bases() == ["0000dddd"]
    assert sd.get_revision("1111aaaa").down_revision == "0000dddd"
    # a deleted file disappears from the graph
    (versions / "0000dddd_new.py").unlink()
    first.write_text(text.replace("down_revision = '0000dddd'", "down_revision = None"))
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns + 20_000_000))
    assert ScriptDirectory(d).get_bases() == ["1111aaaa"]


def test_cache_hit_reads_no_file(copy_fixture, monkeypatch):
    from retort.script import headers

    d = copy_fixture("linear")
    ScriptDirectory(d).get_heads()
    calls = []
    monkeypatch.setattr(headers, "read_header", lambda *a, **k: calls.append(a) or None)
    assert ScriptDirectory(d).get_heads() == ["3333cccc"]
    assert calls == []


def test_corrupt_cache_is_ignored(copy_fixture):
    d = copy_fixture("linear")
    ScriptDirectory(d).get_heads()
    for f in (d / "versions" / "__pycache__").glob("retort-headers*"):
        f.write_bytes(b"\x00garbage")
    assert ScriptDirectory(d).get_heads() == ["3333cccc"]


def test_read_only_directory_still_works(copy_fixture):
    d = copy_fixture("linear")
    versions = d / "versions"
    os.chmod(versions, 0o555)
    try:
        assert ScriptDirectory(d).get_heads() == ["3333cccc"]
    finally:
        os.chmod(versions, 0o755)
