"""Reading a revision file's identifiers from its text, compared with running it."""

from __future__ import annotations

from typing import Sequence, Union

import pytest

from retort.script.headers import Header, NeedsImport, read_header
from retort.util.exc import ScriptFileError

CASES = {
    "plain": '"""Msg\n\nRevision ID: abcd\n"""\nrevision = \'abcd\'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n',
    "crlf": '"""Msg\r\n\r\nRevision ID: x\r\n"""\r\nrevision = "abcd"\r\ndown_revision = None\r\n',
    "single_quoted_doc": "# comment\n'short doc'\nrevision = 'abcd'\ndown_revision = ('a', 'b')\nbranch_labels = ['x']\n",
    "no_doc": "import os\nrevision = 'abcd'\n",
    "escape_in_doc": '"""tab\\there"""\nrevision = "abcd"\n',
    "raw_doc": 'r"""raw\\there"""\nrevision = "abcd"\n',
    "multiline_tuple": '"""d"""\nrevision = "abcd"\ndown_revision = (\n  "a",  # first\n  "b",\n)\n',
    "annotated": (
        '"""d"""\nrevision: str = "abcd"\ndown_revision: Union[str, Sequence[str], None] = "a"\n'
        'branch_labels: Union[str, Sequence[str], None] = None\ndepends_on: str | Sequence[str] | None = ("q",)\n'
    ),
    "bom": '\ufeff"""bom doc"""\nrevision = "abcd"\n',
    "doc_mentions_revision": '"""doc\nrevision = \'fake\'\n"""\nrevision = "abcd"\n',
    "assigned_twice": 'revision = "old"\nrevision = "abcd"\n',
    "trailing_comment": 'revision = "abcd"  # the id\ndown_revision = "a"  # parent\n',
    "unparenthesized_tuple": 'revision = "abcd"\ndown_revision = "a", "b"\n',
}


def as_header_value(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


@pytest.mark.parametrize("name", sorted(CASES))
def test_header_matches_python(tmp_path, name):
    text = CASES[name]
    path = tmp_path / ("%s.py" % name)
    path.write_bytes(text.encode("utf-8"))
    header = read_header(str(path))
    ns: dict = {"Union": Union, "Sequence": Sequence}
    exec(compile(path.read_bytes(), str(path), "exec"), ns)
    assert header == Header(
        ns["revision"],
        as_header_value(ns.get("down_revision")),
        as_header_value(ns.get("branch_labels")),
        as_header_value(ns.get("depends_on")),
        ns.get("__doc__"),
    )


def test_computed_value_needs_import(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('P = "ab"\nrevision = P + "cd"\n')
    with pytest.raises(NeedsImport):
        read_header(str(path))


def test_not_a_revision(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("VALUE = 1\n")
    assert read_header(str(path)) is None


def test_unparsable_header_names_file_and_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text('revision = ("abcd"\ndown_revision = None\n')
    with pytest.raises(ScriptFileError) as exc:
        read_header(str(path))
    assert str(path) in str(exc.value) and "line" in str(exc.value)
    assert exc.value.path == str(path)


def test_wrong_types_are_reported(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("revision = 5\n")
    with pytest.raises(ScriptFileError, match="revision in .*x.py must be a string"):
        read_header(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ScriptFileError, match="Could not read revision file"):
        read_header(str(tmp_path / "gone.py"))
