"""The same Alembic project run with ``alembic -c alembic.ini X`` and ``retort -c alembic.ini X``.

Paths are normalised; log lines are compared except the one retort changes by
design on SQLite ("Will assume transactional DDL", see ``_log``).  Differences
are pinned as strict xfails at the end.
"""

from __future__ import annotations

import re

import pytest

from .cli_project import TOOLS, Twin, build

pytestmark = pytest.mark.skipif(not TOOLS["alembic"].exists(), reason="alembic (for comparison) is not installed")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("parity_cli") / "template"
    build(path)
    return path


@pytest.fixture
def twin(tmp_path, template):
    return Twin(tmp_path, template)


def _log(err: str) -> list[str]:
    """stderr's log lines, without the transactional-DDL guess (retort begins a transaction on SQLite)."""
    return [line for line in err.splitlines() if line.strip() and "Will assume" not in line]


def _children_as_set(out: str) -> list[str]:
    """Alembic lists a branch point's children in set order: sort '   -> x' runs and 'Branches into:' lists."""
    lines, block, result = out.splitlines(), [], []
    for line in lines:
        if line.startswith("Branches into: "):
            line = "Branches into: " + ", ".join(sorted(line.split(": ", 1)[1].split(", ")))
        if line.startswith("   -> "):
            block.append(line)
            continue
        result.extend(sorted(block))
        block = []
        result.append(line)
    return result + sorted(block)


GRAPH_COMMANDS = [
    ("heads",),
    ("heads", "-v"),
    ("heads", "--resolve-dependencies"),
    ("branches",),
    ("branches", "-v"),
    ("history", "-r", "a1:c3"),
    ("history", "-r", "b2:"),
    ("history", "-r", ":d4"),
    ("history", "-r", "d4:e5"),
    ("show", "a1"),
    ("show", "m6"),
    ("show", "x7"),
    ("show", "feat@head"),
    ("show", "lib@head"),
    ("show", "heads"),
    ("show", "base"),
]


@pytest.mark.parametrize("args", GRAPH_COMMANDS, ids=" ".join)
def test_graph_command_same_output(twin, args):
    a, r = twin.both(*args)
    assert r.code == a.code == 0
    if args[0] == "branches" or "-v" in args or args[0] == "show":
        assert sorted(_children_as_set(r.out)) == sorted(_children_as_set(a.out))
        assert _children_sets(r.out) == _children_sets(a.out)
    else:
        assert _children_as_set(r.out) == _children_as_set(a.out)
    assert _log(r.err) == _log(a.err)


def _children_sets(out: str) -> list[set[str]]:
    return [set(m.split(", ")) for m in re.findall(r"(?m)^Branches into: (.*)$", out)]


# each step: the command, then both tools' stdout, log lines, exit code, alembic_version rows and tables must agree
ONLINE_WALK = [
    ("current",),
    ("upgrade", "c3"),
    ("current",),
    ("current", "-v"),
    ("heads",),
    ("upgrade", "+1"),
    ("current",),
    ("upgrade", "heads"),
    ("current",),
    ("downgrade", "lib@-1"),
    ("current",),
    ("downgrade", "base"),
    ("current",),
    ("stamp", "c3"),
    ("current",),
    ("stamp", "--purge", "e5"),
    ("current",),
    ("stamp", "base"),
    ("upgrade", "feat@head"),
    ("current",),
    ("downgrade", "d4"),
    ("current",),
    ("downgrade", "a1"),
    ("upgrade", "b2"),
    ("stamp", "c3", "e5"),
    ("current",),
]


def _no_stamp_log(lines: list[str]) -> list[str]:
    """Log lines without Alembic's 'Running stamp_revision' (retort logs none; see test_stamp_log_line)."""
    return [line for line in lines if "stamp_revision" not in line]


def test_online_walk_same_output_and_version_table(twin):
    problems = []
    for args in ONLINE_WALK:
        a, r = twin.both(*args)
        step = " ".join(args)
        # several heads: both print the version table's rows in their own order
        out_a, out_r = (sorted(x.out.splitlines()) if args[0] == "current" else x.out for x in (a, r))
        if (r.code, out_r, _no_stamp_log(_log(r.err))) != (a.code, out_a, _no_stamp_log(_log(a.err))):
            problems.append((step, "output", a, r))
        if twin.versions("retort") != twin.versions("alembic"):
            problems.append((step, "versions", twin.versions("alembic"), twin.versions("retort")))
        if twin.tables("retort") != twin.tables("alembic"):
            problems.append((step, "tables", twin.tables("alembic"), twin.tables("retort")))
    assert not problems


def _offline(out: str) -> list[str]:
    """--sql output with retort's SQLite BEGIN/COMMIT and the version table SQL's spelling evened out."""
    out = out.replace(" RETURNING version_num", "").replace("WHERE alembic_version.version_num", "WHERE version_num")
    return [s for s in out.split("\n\n") if s.strip() and s.strip() not in ("BEGIN;", "COMMIT;")]


@pytest.mark.parametrize(
    "args",
    [
        ("upgrade", "a1:c3", "--sql"),
        ("upgrade", "base:a1", "--sql"),
        ("upgrade", "c3:d4", "--sql"),
        ("downgrade", "c3:b2", "--sql"),
        ("downgrade", "e5:d4", "--sql"),
    ],
    ids=" ".join,
)
def test_offline_sql_same_statements(twin, args):
    a, r = twin.both(*args)
    assert r.code == a.code == 0
    assert _offline(r.out) == _offline(a.out)
    assert _log(r.err) == _log(a.err)


# --- known differences ----------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="history with several bases: Alembic lists x7 (own base, depends_on b2) right "
                                       "after c3, retort after d4 (and upgrade heads runs x7 in a different place)")
def test_history_order(twin):
    a, r = twin.both("history")
    assert r.out == a.out


@pytest.mark.xfail(strict=True, reason="current after 'upgrade x7' (x7 depends_on b2): Alembic prints "
                                       "'b2 (branchpoint)' and 'x7 (head)', retort only 'x7 (head)'")
def test_current_shows_dependencies(twin):
    twin.both("upgrade", "x7")
    a, r = twin.both("current")
    assert r.out == a.out


@pytest.mark.xfail(strict=True, reason="a failing command: Alembic exits 255 and prints 'FAILED: ...' on stdout "
                                       "(plus an ERROR log line), retort exits 1 with 'FAILED: ...' on stderr")
def test_error_exit_code_and_stream(twin):
    a, r = twin.both("show", "zzz")
    assert (r.code, r.out) == (a.code, a.out)


@pytest.mark.xfail(strict=True, reason="--sql on SQLite: retort wraps the script in BEGIN;/COMMIT;, writes "
                                       "'WHERE version_num = ...' (Alembic: 'alembic_version.version_num') and no "
                                       "'RETURNING version_num' on the INSERT")
def test_offline_sql_raw(twin):
    a, r = twin.both("upgrade", "a1:c3", "--sql")
    assert r.out == a.out


@pytest.mark.xfail(strict=True, reason="online stamp: Alembic logs 'Running stamp_revision  -> c3', retort logs nothing")
def test_stamp_log_line(twin):
    a, r = twin.both("stamp", "c3")
    assert _log(r.err) == _log(a.err)


@pytest.mark.xfail(strict=True, reason="merge c3, e5 -> m6: Alembic deletes the c3 row and updates e5 to m6, "
                                       "retort deletes e5 and updates c3 (same final rows)")
def test_merge_version_rows(twin):
    a, r = twin.both("upgrade", "feat@head", "--sql")
    assert _offline(r.out) == _offline(a.out)


@pytest.mark.xfail(strict=True, reason="stamp --sql: Alembic writes '-- Running stamp_revision  -> m6' comments, "
                                       "retort does not")
def test_stamp_sql_comments(twin):
    a, r = twin.both("stamp", "heads", "--sql")
    assert _offline(r.out) == _offline(a.out)
