"""Revision: one node of the revision graph, with its links and its shape.

:class:`retort.script.revision.RevisionMap` builds the graph out of these;
:class:`retort.script.Script` subclasses it to add the file it came from.
"""

from __future__ import annotations

from typing import Any, Sequence

from retort.util.exc import DependencyLoopDetected, LoopDetected, RevisionError

__all__ = ["Revision", "is_revision", "tuple_rev_as_scalar"]

# Characters that carry meaning in identifiers (label@rev, rev+N, rev-N).
_ILLEGAL_CHARS = ("@", "-", "+")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def tuple_rev_as_scalar(rev: Sequence[str] | None) -> str | Sequence[str] | None:
    """Return ``rev`` as a scalar when it holds one element, ``None`` when empty."""
    if not rev:
        return None
    if len(rev) == 1:
        return rev[0]
    return rev


def _where(rev: Any) -> str:
    """Describe a revision for an error message: its id and, if known, its file."""
    path = getattr(rev, "path", None)
    if path:
        return "%s (%s)" % (rev.revision, path)
    return str(rev.revision)


class Revision:
    """One node of the revision graph.

    :param revision: the identifier.
    :param down_revision: parent identifier(s), ``None`` for a base.
    :param dependencies: ``depends_on`` identifier(s) (revisions or branch labels).
    :param branch_labels: label(s) this revision declares.
    """

    nextrev: frozenset[str] = frozenset()
    """Ids of revisions whose ``down_revision`` names this one."""

    _all_nextrev: frozenset[str] = frozenset()
    """Ids of revisions naming this one in ``down_revision`` or ``depends_on``."""

    revision: str = None  # type: ignore[assignment]
    down_revision: str | tuple[str, ...] | None = None
    dependencies: str | tuple[str, ...] | None = None
    branch_labels: set[str] = None  # type: ignore[assignment]
    _resolved_dependencies: tuple[str, ...] = ()

    def __init__(
        self,
        revision: str,
        down_revision: str | Sequence[str] | None,
        dependencies: str | Sequence[str] | None = None,
        branch_labels: str | Sequence[str] | None = None,
    ) -> None:
        # built for every revision file on every command: the common shapes
        # (one string parent, no dependencies, no labels) take the short paths
        if type(down_revision) is str:
            down: tuple[str, ...] = (down_revision,)
            self.down_revision = down_revision
        else:
            down = _as_tuple(down_revision)
            self.down_revision = down[0] if len(down) == 1 else (down or None)  # type: ignore[assignment]
        if revision in down:
            raise LoopDetected(revision)
        if dependencies is None:
            deps: tuple[str, ...] = ()
            self.dependencies = None
        else:
            deps = _as_tuple(dependencies)
            if revision in deps:
                raise DependencyLoopDetected(revision)
            self.dependencies = deps[0] if len(deps) == 1 else (deps or None)  # type: ignore[assignment]
        if type(revision) is not str or not revision or "@" in revision or "-" in revision or "+" in revision:
            self.verify_rev_id(revision)
        self.revision = revision
        if branch_labels is None:
            self._orig_branch_labels: set[str] = set()
            self.branch_labels = set()
        else:
            self._orig_branch_labels = set(_as_tuple(branch_labels))
            self.branch_labels = set(self._orig_branch_labels)
        # plain attributes, not properties: graph walks read them millions of times
        self._down = down
        self._resolved_dependencies = deps
        self._all_down = down + tuple(d for d in deps if d not in down) if deps else down

    def _set_dependencies(self, deps: tuple[str, ...]) -> None:
        self._resolved_dependencies = deps
        self._all_down = self._down + tuple(d for d in deps if d not in self._down) if deps else self._down

    @classmethod
    def verify_rev_id(cls, revision: str) -> None:
        """Raise :class:`RevisionError` for an identifier retort could not address."""
        if not isinstance(revision, str) or not revision:
            raise RevisionError("Revision identifier %r is not a non-empty string" % (revision,))
        bad = [c for c in _ILLEGAL_CHARS if c in revision]
        if bad:
            raise RevisionError(
                "Character(s) '%s' not allowed in revision identifier '%s'" % (", ".join(bad), revision)
            )

    def __repr__(self) -> str:
        args = [repr(self.revision), repr(self.down_revision)]
        if self.dependencies:
            args.append("dependencies=%r" % (self.dependencies,))
        if self.branch_labels:
            args.append("branch_labels=%r" % (self.branch_labels,))
        return "%s(%s)" % (type(self).__name__, ", ".join(args))

    def add_nextrev(self, revision: Revision) -> None:
        """Record ``revision`` as a child (through down_revision or depends_on)."""
        self._all_nextrev = self._all_nextrev | {revision.revision}
        if self.revision in revision._down:
            self.nextrev = self.nextrev | {revision.revision}

    @property
    def _all_down_revisions(self) -> tuple[str, ...]:
        return self._all_down

    @property
    def _versioned_down_revisions(self) -> tuple[str, ...]:
        return self._down

    @property
    def _normalized_down_revisions(self) -> tuple[str, ...]:
        return self._all_down_revisions

    @property
    def is_head(self) -> bool:
        """True when no revision names this one as its down_revision."""
        return not self.nextrev

    @property
    def _is_real_head(self) -> bool:
        return not self._all_nextrev

    @property
    def is_base(self) -> bool:
        """True when this revision has no down_revision."""
        return self.down_revision is None

    @property
    def _is_real_base(self) -> bool:
        return self.down_revision is None and not self._resolved_dependencies

    @property
    def is_branch_point(self) -> bool:
        """True when more than one revision names this one as down_revision."""
        return len(self.nextrev) > 1

    @property
    def _is_real_branch_point(self) -> bool:
        return len(self._all_nextrev) > 1

    @property
    def is_merge_point(self) -> bool:
        """True when this revision has more than one down_revision."""
        return len(self._versioned_down_revisions) > 1


def is_revision(rev: Any) -> Revision:
    """Return ``rev`` after checking it is a Revision (for typed call sites)."""
    assert isinstance(rev, Revision)
    return rev
