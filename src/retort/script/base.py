"""ScriptDirectory: scan version locations, read headers, write new files.

Each revision file is a :class:`~retort.script.script_file.Script`.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from retort.script import headers as _headers
from retort.script.resolve import UNLOCATABLE as _UNLOCATABLE
from retort.script.revision import RevisionMap
from retort.script.script_file import Script
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


