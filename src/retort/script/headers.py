"""Read a revision file's identifiers without running it, and cache what was read.

Commands that only need the graph (heads, history, current, show, upgrade
--sql) would otherwise import every revision module — and with it
SQLAlchemy, the project's models, and whatever else each file imports.  A
revision file declares its identity in a handful of module-level literals::

    revision: str = "ae1027a6acf"
    down_revision: Union[str, Sequence[str], None] = ("a1", "b2")
    branch_labels = None
    depends_on = None

so we read them from the text: a regular expression for the common one-line
forms, :mod:`ast` (still no execution) for anything spanning lines, and an
import only when a value is not a literal at all (:class:`NeedsImport`).

The cache is one file per version directory in its ``__pycache__``, keyed by
each file's size and mtime; a stale or unreadable cache is simply ignored.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from collections import namedtuple
from typing import Any

from retort.util.exc import ScriptFileError

__all__ = ["Header", "NeedsImport", "read_header", "HeaderCache"]

_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

# ``name`` or ``name: <annotation>`` at column 0, then ``= value``
_ASSIGN_PATTERN = (
    r"^(?P<name>revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*(?P<value>[^\n]*)$"
)
# the values nearly every file uses: None, 'x', "x", ('a', 'b'), ("a",), ()
_STR = r"""(?:'[^'\\\n]*'|"[^"\\\n]*")"""
_SIMPLE_PATTERN = (
    r"^(?:(?P<none>None)|(?P<str>%s)|(?P<tuple>[\(\[][ \t]*(?:%s[ \t]*(?:,[ \t]*%s[ \t]*)*,?)?[ \t]*[\)\]]))[ \t]*(?:#[^\n]*)?$"
    % (_STR, _STR, _STR)
)
# a module docstring: only blank lines and comments may precede it
_DOCSTRING_PATTERN = (
    r'\A\ufeff?(?:[ \t]*(?:#[^\n]*)?\n)*(?P<prefix>[rRuU]?)(?:(?P<q>"""|\'\'\')(?P<body>.*?)(?P=q)'
    r'|(?P<q1>["\'])(?P<body1>[^"\'\\\n]*)(?P=q1))'
)


class _Patterns:
    __slots__ = ("assign", "simple", "str_item", "docstring")

    def __init__(self) -> None:
        self.assign = re.compile(_ASSIGN_PATTERN, re.M)
        self.simple = re.compile(_SIMPLE_PATTERN)
        self.str_item = re.compile(_STR)
        self.docstring = re.compile(_DOCSTRING_PATTERN, re.S)


_compiled: _Patterns | None = None


def _patterns() -> _Patterns:
    # compiled on first use: when the header cache answers for every file
    # (the usual case) no file is parsed, and compiling these cost more than
    # the rest of the module's import
    global _compiled
    if _compiled is None:
        _compiled = _Patterns()
    return _compiled


class NeedsImport(Exception):
    """The header cannot be read from the text alone; import the module instead."""


class Header(namedtuple("Header", "revision down_revision branch_labels depends_on doc")):
    """The identifiers a revision file declares, plus its module docstring.

    Fields: ``revision`` (str); ``down_revision``, ``branch_labels``,
    ``depends_on`` (a str, a tuple of str, or None); ``doc`` (str or None).
    A plain :func:`~collections.namedtuple`: ``typing.NamedTuple`` compiles
    each (postponed) annotation at import, which cost every command more
    than the rest of this module.
    """

    __slots__ = ()


def _simple_value(text: str) -> Any:
    m = _patterns().simple.match(text.strip())
    if m is None:
        raise ValueError(text)
    if m.group("none"):
        return None
    if m.group("str"):
        return m.group("str")[1:-1]
    return tuple(s[1:-1] for s in _patterns().str_item.findall(m.group("tuple")))


def _docstring(text: str) -> tuple[str | None, int]:
    """Return the module docstring and the offset where the code after it starts."""
    m = _patterns().docstring.match(text)
    if m is None:
        return None, 0
    if m.group("q1"):
        return m.group("body1"), m.end()
    body = m.group("body")
    if "\\" in body and m.group("prefix").lower() != "r":
        import ast

        try:
            return ast.literal_eval(m.group("q") + body + m.group("q")), m.end()
        except (SyntaxError, ValueError):
            raise NeedsImport("docstring") from None
    return body, m.end()


def _from_ast(text: str, path: str) -> Header | None:
    import ast  # only for files the regular expressions cannot read

    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise ScriptFileError(
            "Could not read revision file %s: line %s: %s" % (path, exc.lineno, exc.msg), path=path
        ) from exc
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets = [node.target.id]
            value = node.value
        else:
            continue
        for name in targets:
            if name in _NAMES:
                try:
                    found[name] = ast.literal_eval(value)
                except ValueError:
                    raise NeedsImport(name) from None
    if "revision" not in found:
        return None
    doc = ast.get_docstring(tree, clean=False)
    return _make(found, doc, path)


def _norm(value: Any, name: str, path: str) -> str | tuple[str, ...] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ScriptFileError("%s in %s must be a string, a sequence of strings or None; got %r" % (name, path, value), path=path)


def _make(found: dict[str, Any], doc: str | None, path: str) -> Header:
    rev = found["revision"]
    if not isinstance(rev, str):
        raise ScriptFileError("revision in %s must be a string; got %r" % (path, rev), path=path)
    return Header(
        rev,
        _norm(found.get("down_revision"), "down_revision", path),
        _norm(found.get("branch_labels"), "branch_labels", path),
        _norm(found.get("depends_on"), "depends_on", path),
        doc,
    )


def _decode_with_cookie(raw: bytes, path: str) -> str:
    # PEP 263: a "# -*- coding: ... -*-" line names the file's encoding
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise ScriptFileError("Could not decode revision file %s: %s" % (path, exc), path=path) from exc


def read_header(path: str, text: str | None = None) -> Header | None:
    """Return the header of the revision file at ``path``; ``None`` if it declares no ``revision``.

    :raises NeedsImport: a value is computed rather than written as a literal.
    :raises ScriptFileError: the file cannot be read, or cannot be parsed and
        the fast path did not find its identifiers either.
    """
    if text is None:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as exc:
            raise ScriptFileError("Could not read revision file %s: %s" % (path, exc.strerror or exc), path=path) from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_with_cookie(raw, path)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Python reads source
    found: dict[str, Any] = {}
    try:
        doc, body_start = _docstring(text)
        # a later assignment wins, as when Python runs the module
        for m in _patterns().assign.finditer(text, body_start):
            found[m.group("name")] = _simple_value(m.group("value"))
        if "revision" not in found:
            raise ValueError("no revision")
    except ValueError:
        return _from_ast(text, path)
    return _make(found, doc, path)


_tuple_new = tuple.__new__


class HeaderCache:
    """Headers of one directory's files, keyed by relative path, valid while size and mtime match."""

    _NAME = "retort-headers-v1.%s.marshal" % sys.implementation.cache_tag

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.path = os.path.join(directory, "__pycache__", self._NAME)
        self._entries: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
        self._dirty = False
        try:
            with open(self.path, "rb") as f:
                data = marshal.loads(f.read())  # loads(bytes) is far faster than load(file)
            if isinstance(data, dict):
                self._entries = data
        except (OSError, EOFError, ValueError, TypeError):
            pass

    def get(self, relpath: str, st: os.stat_result) -> Header | None:
        """Return the cached header for ``relpath`` if the file is unchanged."""
        entry = self._entries.get(relpath)
        if entry is not None and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            fields = entry[2]
            if len(fields) == 5:
                # tuple.__new__ directly: namedtuple's own __new__ is a Python
                # function, called once per revision file on every command
                return _tuple_new(Header, fields)
        return None

    def put(self, relpath: str, st: os.stat_result, header: Header) -> None:
        """Remember ``header`` for ``relpath`` at its current size and mtime."""
        self._entries[relpath] = (st.st_size, st.st_mtime_ns, tuple(header))
        self._dirty = True

    def prune(self, seen: set[str]) -> None:
        """Forget entries for files no longer present."""
        gone = [k for k in self._entries if k not in seen]
        for k in gone:
            del self._entries[k]
            self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed; silently skip read-only directories."""
        if not self._dirty:
            return
        tmp = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as f:
                marshal.dump(self._entries, f)
            os.replace(tmp, self.path)  # atomic: a concurrent reader sees old or new
            self._dirty = False
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
