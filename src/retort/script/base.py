"""ScriptDirectory + Script: scan version locations, read headers, write new files.

A :class:`Script` is a :class:`~retort.script.revision.Revision` read from a
file.  Its identifiers come from the file's text (see
:mod:`retort.script.headers`); the module itself is imported only when
:attr:`Script.module` is first used, i.e. when the revision is run.
"""

from __future__ import annotations

import contextlib
import os
import re
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from retort.script import headers as _headers
from retort.script.resolve import UNLOCATABLE as _UNLOCATABLE
from retort.script.revision import Revision, RevisionMap
from retort.util import pyfiles
from retort.util.exc import (
    CommandError,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
    ScriptFileError,
)

if TYPE_CHECKING:
    import datetime

    from retort.config import Config

__all__ = ["Script", "ScriptDirectory"]

_DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
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


class ScriptDirectory:
    """The migration environment's directory: env.py, script.py.mako and the version locations.

    :param dir: the script_location directory.
    :param file_template: new file names, with ``%(rev)s``, ``%(slug)s``,
        ``%(epoch)s``, ``%(year)d``, ``%(month).2d``, ``%(day).2d``,
        ``%(hour).2d``, ``%(minute).2d``, ``%(second).2d``; a ``/`` makes
        sub-folders.
    :param truncate_slug_length: the longest slug (cut at a word boundary).
    :param version_locations: directories holding revision files (default ``<dir>/versions``).
    :param sourceless: also accept ``.pyc`` / ``.pyo`` files without a source.
    :param output_encoding: encoding of newly written files.
    :param timezone: zoneinfo name for dates in new files and their names.
    :param hooks: post-write hook configurations.
    :param recursive_version_locations: look into sub-folders of the version locations.
    """

    def __init__(
        self,
        dir: str | os.PathLike[str],
        file_template: str = _DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int | None = 40,
        version_locations: Sequence[str | os.PathLike[str]] | None = None,
        sourceless: bool = False,
        output_encoding: str = "utf-8",
        timezone: str | None = None,
        hooks: Sequence[Any] = (),
        recursive_version_locations: bool = False,
        messaging_opts: Any = None,
    ) -> None:
        self.dir = os.fspath(dir)
        self.file_template = file_template
        self.truncate_slug_length = truncate_slug_length if truncate_slug_length is not None else 40
        self.version_locations = [os.fspath(v) for v in version_locations] if version_locations else None
        self.sourceless = sourceless
        self.output_encoding = output_encoding
        self.timezone = timezone
        self.hooks = list(hooks or ())
        self.recursive_version_locations = recursive_version_locations
        self.messaging_opts = dict(messaging_opts or {})
        self.revision_map = RevisionMap(self._load_revisions)
        if not os.access(self.dir, os.F_OK):
            raise CommandError(
                "Path doesn't exist: %s.  Please use the 'init' command to create a new scripts folder."
                % os.path.abspath(self.dir)
            )

    # -- configuration --------------------------------------------------

    @classmethod
    def from_config(cls, config: Config) -> ScriptDirectory:
        """Build a ScriptDirectory from a :class:`~retort.config.Config`."""
        from retort.script.config_glue import options_from_config

        return cls(**options_from_config(config))

    @property
    def versions(self) -> str:
        """The single version location (error when several are configured)."""
        locs = self._version_locations
        if len(locs) > 1:
            raise CommandError("Multiple version_locations present")
        return locs[0]

    @property
    def _version_locations(self) -> list[str]:
        if self.version_locations:
            return [os.path.abspath(pyfiles.coerce_resource_to_filename(v)) for v in self.version_locations]
        return [os.path.abspath(os.path.join(self.dir, "versions"))]

    @property
    def env_py_location(self) -> str:
        """Absolute path of env.py."""
        return os.path.abspath(os.path.join(self.dir, "env.py"))

    # -- loading --------------------------------------------------------

    def _load_revisions(self) -> Iterator[Script]:
        seen_paths: set[str] = set()
        for root in self._version_locations:
            if not os.path.isdir(root):
                continue
            real = os.path.realpath(root)
            if real in seen_paths:
                continue  # the same directory listed twice would duplicate every id
            seen_paths.add(real)
            cache = _headers.HeaderCache(root)
            seen: set[str] = set()
            for dir_, filename, rel in self._list_files(root):
                seen.add(rel)
                script = Script._from_filename(self, dir_, filename, cache=cache, relpath=rel)
                if script is not None:
                    yield script
            cache.prune(seen)
            cache.save()

    def _list_files(self, root: str) -> Iterator[tuple[str, str, str]]:
        if not self.recursive_version_locations:
            try:
                names = sorted(e.name for e in os.scandir(root) if not e.is_dir())
            except OSError:
                return
            for name in names:
                yield root, name, name
            return
        for dir_, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            rel_dir = os.path.relpath(dir_, root)
            for name in sorted(files):
                yield dir_, name, name if rel_dir == "." else os.path.join(rel_dir, name)

    @contextlib.contextmanager
    def _catch_revision_errors(
        self,
        ancestor: str | None = None,
        multiple_heads: str | None = None,
        start: Any = None,
        end: Any = None,
        resolution: str | None = None,
    ) -> Iterator[None]:
        # The graph's errors keep their types (code catching ResolutionError
        # ports from Alembic unchanged); only the wording becomes Alembic's
        # command-level wording.
        try:
            yield
        except MultipleHeads as exc:
            if multiple_heads:
                exc.args = (multiple_heads,)
            else:
                exc.args = (
                    "Multiple head revisions are present for given argument '%s'; please specify a "
                    "specific target revision, '<branchname>@%s' to narrow to a specific head, or "
                    "'heads' for all heads" % (exc.argument, exc.argument.split("@")[-1]),
                )
            raise
        except RangeNotAncestorError as exc:
            if ancestor:
                exc.args = (ancestor % {"start": start, "end": end},)
            raise
        except ResolutionError as exc:
            # an unknown id, an unknown branch label and an ambiguous partial id
            # all read "Can't locate ..." at this level, as in Alembic (the
            # RevisionMap keeps the detailed wording)
            if exc.args and str(exc.args[0]).startswith(_UNLOCATABLE):
                exc.args = ((resolution or "Can't locate revision identified by '%s'") % exc.argument,)
            raise

    # -- the graph ------------------------------------------------------

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """Yield every Script from ``head`` down to ``base``, newest first."""
        with self._catch_revision_errors(
            start=base,
            end=head,
            ancestor="Requested range %(start)s:%(end)s does not refer to ancestor/descendant revisions "
            "along the same branch",
        ):
            revs = list(self.revision_map.iterate_revisions(head, base, inclusive=True, assert_relative_length=False))
        yield from revs  # type: ignore[misc]

    def get_revisions(self, id_: Any) -> tuple[Script, ...]:
        """Return the Scripts that ``id_`` (identifier(s), symbol, label) names."""
        with self._catch_revision_errors():
            return self.revision_map.get_revisions(id_)  # type: ignore[return-value]

    def get_all_current(self, id_: tuple[str, ...]) -> set[Script]:
        """Return the Scripts the database is at, given its version-table ``id_``.

        As in Alembic, a revision that ``id_`` depends on (``depends_on``) is
        applied without its own row and shows up too, unless a revision it
        ``down_revision``-precedes is current as well.
        """
        with self._catch_revision_errors():
            rmap = self.revision_map
            ids = [r.revision for r in rmap.get_revisions(id_)]
            if not ids:
                return set()
            applied = set(ids) | rmap.ancestors(ids, include_dependencies=True)
            superseded = rmap.ancestors(applied, include_dependencies=False)
            return {rmap.get_revision(i) for i in applied - superseded}  # type: ignore[misc]

    def get_revision(self, id_: str) -> Script:
        """Return the one Script ``id_`` names."""
        with self._catch_revision_errors():
            return self.revision_map.get_revision(id_)  # type: ignore[return-value]

    def as_revision_number(self, id_: Any) -> str | tuple[str, ...] | None:
        """Resolve the symbols in ``id_``: ``heads`` → tuple of ids, ``head`` / ``label@head`` → id, ``base`` → None.

        Like Alembic, anything else (relative steps, ``current``, ranges, an
        unknown id) comes back unchanged; a unique partial id comes back in full.
        """
        if id_ is None or id_ == "base" or id_ == ():
            return None
        if not isinstance(id_, str):
            first = self.get_revisions(id_)
            return first[0].revision if first else None
        if id_ in ("heads", "head") or id_.endswith(("@head", "@heads")):
            with self._catch_revision_errors():
                revs = self.revision_map.get_revisions(id_)
            if id_.endswith("heads"):
                return tuple(r.revision for r in revs)
            return revs[0].revision if revs else None
        if id_.endswith("@base"):
            return None
        if "@" in id_ or ":" in id_ or id_ == "current":
            return id_.split("@", 1)[1] if "@" in id_ else id_
        try:
            revs = self.revision_map.get_revisions(id_)
        except RevisionError:
            return id_
        if len(revs) == 1 and revs[0].revision.startswith(id_):
            return revs[0].revision
        return id_

    def iterate_revisions(self, upper: Any, lower: Any, **kw: Any) -> Iterator[Script]:
        """Yield Scripts from ``upper`` down to ``lower`` (see :meth:`RevisionMap.iterate_revisions`)."""
        with self._catch_revision_errors():
            return iter(list(self.revision_map.iterate_revisions(upper, lower, **kw)))  # type: ignore[arg-type]

    def get_current_head(self) -> str | None:
        """Return the single head, ``None`` when there are no revisions."""
        with self._catch_revision_errors(
            multiple_heads="The script directory has multiple heads (due to branching). Please use "
            "get_heads(), or merge the branches using retort merge."
        ):
            return self.revision_map.get_current_head()

    def get_heads(self, consider_depends_on: bool = False) -> list[str]:
        """Return every head id (with ``consider_depends_on``, only those nothing depends on)."""
        if consider_depends_on:
            return list(self.revision_map._real_heads)
        return list(self.revision_map.heads)

    def get_base(self) -> str | None:
        """Return the single base id, ``None`` when there are no revisions."""
        bases = self.get_bases()
        if len(bases) > 1:
            raise CommandError("The script directory has multiple bases. Please use get_bases().")
        return bases[0] if bases else None

    def get_bases(self) -> list[str]:
        """Return every base id."""
        return list(self.revision_map.bases)

    def upgrade_plan(self, destination: Any, current_heads: Sequence[str] = ()) -> list[Script]:
        """Return the Scripts to upgrade from ``current_heads`` to ``destination``, in run order."""
        with self._catch_revision_errors():
            return self.revision_map.upgrade_plan(destination, current_heads)  # type: ignore[return-value]

    def downgrade_plan(self, destination: Any, current_heads: Sequence[str] = ()) -> list[Script]:
        """Return the Scripts to downgrade from ``current_heads`` to ``destination``, in run order."""
        with self._catch_revision_errors(
            ancestor="Destination %(end)s is not a valid downgrade target from current head(s)",
            end=destination,
        ):
            return self.revision_map.downgrade_plan(destination, current_heads)  # type: ignore[return-value]

    def history(self, rev_range: str | None = None, current_heads: Sequence[str] | None = None) -> list[Script]:
        """Return the Scripts of ``rev_range`` (``[start]:[end]``, ``current`` allowed), newest first."""
        from retort.script.plan import parse_range, range_revisions

        lower, upper = parse_range(rev_range) if rev_range else (None, None)
        with self._catch_revision_errors():
            return range_revisions(  # type: ignore[return-value]
                self.revision_map, upper or "heads", lower or "base", inclusive=True,
                current_heads=current_heads,
            )

    # -- running --------------------------------------------------------

    def run_env(self) -> None:
        """Run env.py (inside an EnvironmentContext set up by the caller)."""
        path = self.env_py_location
        if not os.path.exists(path) and not (self.sourceless and pyfiles.pyc_file_from_path(path)):
            raise ScriptFileError("No env.py found at %s" % path, path=path)
        pyfiles.load_python_file(self.dir, "env.py")

    # -- writing --------------------------------------------------------

    def generate_revision(
        self,
        revid: str,
        message: str | None,
        head: str | Sequence[str] | None = None,
        splice: bool | None = False,
        branch_labels: str | Sequence[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
        file_template: str | None = None,
        depends_on: str | Sequence[str] | None = None,
        **kw: Any,
    ) -> Script | None:
        """Write a new revision file from script.py.mako and return its Script."""
        from retort.script.generate import generate_revision

        return generate_revision(
            self, revid, message, head=head, splice=splice, branch_labels=branch_labels,
            version_path=version_path, file_template=file_template, depends_on=depends_on, **kw,
        )

    def _generate_create_date(self) -> datetime.datetime:
        from retort.script.generate import create_date

        return create_date(self.timezone)

    def _rev_path(self, path: str | os.PathLike[str], rev_id: str, message: str | None,
                  create_date: datetime.datetime, file_template: str | None = None) -> str:
        from retort.script.generate import rev_path

        return rev_path(self, os.fspath(path), rev_id, message, create_date, file_template)


