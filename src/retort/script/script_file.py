"""Script: one revision file — identifiers read from its text, its module imported only to run it.

Its identifiers come from the file's text (see :mod:`retort.script.headers`);
the module itself is imported only when :attr:`Script.module` is first used,
i.e. when the revision is run.
"""

from __future__ import annotations

import os
import re
from types import ModuleType
from typing import TYPE_CHECKING, Any, Sequence

from retort.script import headers as _headers
from retort.script.node import Revision
from retort.util import pyfiles
from retort.util.exc import RevisionError, ScriptFileError

if TYPE_CHECKING:
    from retort.script.base import ScriptDirectory

__all__ = ["Script", "format_as_comma"]

# revision files: *.py, and with sourceless also *.pyc / *.pyo; never
# __init__ or an editor's lock file (.#name.py)
_SOURCE_FILE = re.compile(r"^(?!\.#|__init__)(.*)\.py$")
_SOURCELESS_FILE = re.compile(r"^(?!\.#|__init__)(.*)\.py[co]$")
_LEGACY_REV = re.compile(r"^([a-f0-9]+)\.py$")
_MISSING: Any = object()


def format_as_comma(value: str | Sequence[str] | None) -> str:
    """Render ``None`` as "", a string as itself, a sequence as ``a, b`` (the template's ``comma`` filter)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(value)


class Script(Revision):
    """A revision file: its identifiers, its path, and (lazily) its module.

    :param module: the imported module, or ``None`` to import it on first use.
    :param rev_id: the revision identifier.
    :param path: the file's path.
    """

    path: str

    def __init__(
        self,
        module: ModuleType | None,
        rev_id: str,
        path: str | os.PathLike[str],
        *,
        down_revision: Any = _MISSING,
        branch_labels: Any = None,
        dependencies: Any = None,
        doc: str | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self._module = module
        if module is not None:
            down_revision = getattr(module, "down_revision", None)
            branch_labels = getattr(module, "branch_labels", None)
            dependencies = getattr(module, "depends_on", None)
            doc = module.__doc__
        elif down_revision is _MISSING:
            down_revision = None
        self._doc = doc
        try:
            super().__init__(rev_id, down_revision, dependencies=dependencies, branch_labels=branch_labels)
        except RevisionError as exc:
            # the graph layer knows ids only; the file is what the user must open
            exc.args = ("%s (in %s)" % (exc.args[0], self.path),)
            exc.path = self.path  # type: ignore[attr-defined]
            raise

    @property
    def module(self) -> ModuleType:
        """The revision's module, imported the first time it is needed."""
        if self._module is None:
            module_id = re.sub(r"\W", "_", os.path.basename(self.path))
            module = pyfiles.load_module_py(module_id, self.path)
            declared = getattr(module, "revision", self.revision)
            if declared != self.revision:
                raise ScriptFileError(
                    "%s declares revision %r but was read as %r" % (self.path, declared, self.revision),
                    path=self.path,
                )
            self._module = module
        return self._module

    @module.setter
    def module(self, value: ModuleType) -> None:
        self._module = value

    @property
    def longdoc(self) -> str:
        """The module docstring, stripped."""
        doc = self._doc
        if doc is None and self._module is not None:
            doc = self._module.__doc__
        return doc.strip() if doc else ""

    @property
    def doc(self) -> str:
        """The first paragraph of the docstring (the message given to ``revision -m``)."""
        return self.longdoc.split("\n\n", 1)[0]

    _db_current_indicator: bool | None = None

    @property
    def log_entry(self) -> str:
        """A multi-line description, as ``history --verbose`` prints it."""
        entry = "Rev: %s%s%s%s%s\n" % (
            self.revision,
            " (head)" if self.is_head else "",
            " (branchpoint)" if self.is_branch_point else "",
            " (mergepoint)" if self.is_merge_point else "",
            " (current)" if self._db_current_indicator else "",
        )
        if self.is_merge_point:
            entry += "Merges: %s\n" % (self._format_down_revision(),)
        else:
            entry += "Parent: %s\n" % (self._format_down_revision(),)
        if self.dependencies:
            entry += "Also depends on: %s\n" % format_as_comma(self.dependencies)
        if self.is_branch_point:
            entry += "Branches into: %s\n" % format_as_comma(sorted(self.nextrev))
        if self.branch_labels:
            entry += "Branch names: %s\n" % format_as_comma(sorted(self.branch_labels))
        entry += "Path: %s\n" % (self.path,)
        entry += "\n%s\n" % "\n".join("    %s" % line for line in self.longdoc.split("\n"))
        return entry

    def __str__(self) -> str:
        return "%s -> %s%s%s%s, %s" % (
            self._format_down_revision(),
            self.revision,
            " (head)" if self.is_head else "",
            " (branchpoint)" if self.is_branch_point else "",
            " (mergepoint)" if self.is_merge_point else "",
            self.doc,
        )

    def _head_only(
        self,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        text = self.revision
        if include_parents:
            if self.dependencies:
                text = "%s (%s) -> %s" % (
                    self._format_down_revision(),
                    format_as_comma(self.dependencies),
                    text,
                )
            else:
                text = "%s -> %s" % (self._format_down_revision(), text)
        if include_branches and self.branch_labels:
            text += " (%s)" % format_as_comma(sorted(self.branch_labels))
        # the graph's own attributes rather than the is_* properties: history
        # formats every revision, and these conditions are mostly all false
        if head_indicators or tree_indicators:
            if not self._all_nextrev:
                text += " (head)"
            elif not self.nextrev:
                text += " (effective head)"
            if self._db_current_indicator:
                text += " (current)"
        if tree_indicators:
            if len(self.nextrev) > 1:
                text += " (branchpoint)"
            if len(self._down) > 1:
                text += " (mergepoint)"
        if include_doc:
            text += ", %s" % self.doc
        return text

    def cmd_format(
        self,
        verbose: bool,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
    ) -> str:
        """Format this revision for ``history`` / ``heads`` / ``show`` output."""
        if verbose:
            return self.log_entry
        return self._head_only(include_branches, include_doc, include_parents, tree_indicators)

    def _format_down_revision(self) -> str:
        if not self.down_revision:
            return "<base>"
        return format_as_comma(self._versioned_down_revisions)

    @classmethod
    def _from_path(cls, scriptdir: ScriptDirectory, path: str) -> Script | None:
        dir_, filename = os.path.split(path)
        return cls._from_filename(scriptdir, dir_, filename)

    @classmethod
    def _from_filename(
        cls, scriptdir: ScriptDirectory, dir_: str, filename: str, cache: _headers.HeaderCache | None = None,
        relpath: str | None = None,
    ) -> Script | None:
        # once per revision file on every command: a plain concatenation for
        # the usual separator-less directory, os.path.join otherwise
        path = dir_ + os.sep + filename if dir_ and not dir_.endswith(("/", os.sep)) else os.path.join(dir_, filename)
        if scriptdir.sourceless:
            m = _SOURCELESS_FILE.match(filename)
            if m is not None:
                if os.path.exists(os.path.join(dir_, m.group(1) + ".py")):
                    return None  # the source file beside it is the revision
                return cls._from_module(path, pyfiles.load_module_py(re.sub(r"\W", "_", filename), path))
        st = None
        if cache is not None and filename.endswith(".py"):
            # only revision files are ever cached, so a hit needs no name check
            st = os.stat(path)
            header = cache.get(relpath or filename, st)
            if header is not None:
                return cls._from_header(path, header)
        if _SOURCE_FILE.match(filename) is None:
            return None
        try:
            header = _headers.read_header(path)
        except _headers.NeedsImport:
            return cls._from_module(path, pyfiles.load_module_py(re.sub(r"\W", "_", filename), path))
        if header is None:
            legacy = _LEGACY_REV.match(filename)
            if legacy is None:
                raise ScriptFileError(
                    "Could not determine revision id from %s. Be sure the 'revision' "
                    "variable is declared inside the script." % path,
                    path=path,
                )
            header = _headers.Header(legacy.group(1), None, None, None, None)
            module = pyfiles.load_module_py(re.sub(r"\W", "_", filename), path)
            script = cls._from_header(path, header._replace(
                down_revision=getattr(module, "down_revision", None), doc=module.__doc__))
            script._module = module
            return script
        if cache is not None and st is not None:
            cache.put(relpath or filename, st, header)
        return cls._from_header(path, header)

    @classmethod
    def _from_header(cls, path: str, header: _headers.Header) -> Script:
        return cls(
            None,
            header.revision,
            path,
            down_revision=header.down_revision,
            branch_labels=header.branch_labels,
            dependencies=header.depends_on,
            doc=header.doc,
        )

    @classmethod
    def _from_module(cls, path: str, module: ModuleType) -> Script:
        rev = getattr(module, "revision", None)
        if not isinstance(rev, str):
            raise ScriptFileError(
                "Could not determine revision id from %s. Be sure the 'revision' "
                "variable is declared inside the script." % path,
                path=path,
            )
        return cls(module, rev, path)
