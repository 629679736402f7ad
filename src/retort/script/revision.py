"""RevisionMap: a pure graph over any iterable of revisions (nodes in :mod:`retort.script.node`).

A :class:`RevisionMap` is built lazily from a callable returning revisions
(``RevisionMap(lambda: revisions)``), exactly like Alembic's.  It knows
nothing about files: :class:`retort.script.Script` is a :class:`Revision`
subclass that also carries a path, and every error names that path when the
revision has one.

Identifier resolution lives in :mod:`retort.script.resolve`, upgrade /
downgrade plans and ranges in :mod:`retort.script.plan`; the methods here are
the public face of both.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from retort.util.exc import (
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    DuplicateRevision,
    LoopDetected,
    MissingRevision,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
)

from retort.script.node import Revision, _as_tuple, _where, is_revision, tuple_rev_as_scalar

if TYPE_CHECKING:
    _RevIdType = str | Sequence[str] | None

__all__ = [
    "Revision",
    "RevisionMap",
    "RevisionError",
    "ResolutionError",
    "MultipleHeads",
    "RangeNotAncestorError",
    "CycleDetected",
    "DependencyCycleDetected",
    "LoopDetected",
    "DependencyLoopDetected",
    "DuplicateRevision",
    "MissingRevision",
    "is_revision",
    "tuple_rev_as_scalar",
]

class RevisionMap:
    """Maintain a graph of :class:`Revision` objects built from ``generator``.

    :param generator: a callable returning an iterable of revisions; it is
        called once, the first time the graph is needed.
    """

    def __init__(self, generator: Callable[[], Iterable[Revision]]) -> None:
        self._generator = generator
        self._built: dict[str, Revision] | None = None
        self._shape: dict[str, tuple[str, ...]] = {}  # heads, bases, ... of the built graph

    # -- building -------------------------------------------------------

    @property
    def _revision_map(self) -> dict[str, Revision]:
        if self._built is None:
            # building allocates tens of thousands of small objects and none of
            # them is garbage: pausing the cyclic collector saves it from
            # rescanning them over and over on long histories
            gc_was_enabled = gc.isenabled()
            gc.disable()
            try:
                self._built = self._build(self._generator())
                self._shape = {}
            finally:
                if gc_was_enabled:
                    gc.enable()
        return self._built

    def _build(self, revisions: Iterable[Revision]) -> dict[str, Revision]:
        rmap: dict[str, Revision] = {}
        for rev in revisions:
            other = rmap.get(rev.revision)
            if other is not None:
                raise DuplicateRevision(
                    rev.revision,
                    [getattr(other, "path", None) or other.revision, getattr(rev, "path", None) or rev.revision],
                )
            rev.nextrev = frozenset()
            rev._all_nextrev = frozenset()
            rmap[rev.revision] = rev
        labels = self._collect_labels(rmap)
        for rev in rmap.values():
            for down in rev._down:
                if down not in rmap:
                    raise MissingRevision(
                        "Revision %s referenced from %s is not present" % (down, _where(rev)),
                        revision=down,
                        path=getattr(rev, "path", None),
                    )
            if rev.dependencies is None and not rev._resolved_dependencies:
                continue  # nearly every revision: nothing to resolve
            resolved = []
            for dep in _as_tuple(rev.dependencies):
                target = dep if dep in rmap else labels.get(dep)
                if target is None:
                    raise MissingRevision(
                        "Dependency %s referenced from %s is not present" % (dep, _where(rev)),
                        revision=dep,
                        path=getattr(rev, "path", None),
                    )
                if target == rev.revision:
                    loop = DependencyLoopDetected(rev.revision)
                    loop.args = ("%s (in %s)" % (loop.args[0], _where(rev)),)
                    raise loop
                resolved.append(target)
            rev._set_dependencies(tuple(resolved))
        # children are linked in a second pass so that the parent sets are final
        children: dict[str, list[str]] = {}
        dep_children: dict[str, list[str]] = {}  # linked by depends_on only
        for rev in rmap.values():
            rid = rev.revision
            for down in rev._down:
                kids = children.get(down)
                if kids is None:
                    children[down] = [rid]
                else:
                    kids.append(rid)
            if rev._all_down is not rev._down:
                for down in rev._all_down[len(rev._down):]:
                    dep_children.setdefault(down, []).append(rid)
        for rid, kids in children.items():
            parent = rmap[rid]
            parent.nextrev = parent._all_nextrev = frozenset(kids)
        for rid, kids in dep_children.items():
            parent = rmap[rid]
            parent._all_nextrev = parent._all_nextrev.union(kids)
        self._detect_cycles(rmap)
        self._propagate_labels(rmap)
        return rmap

    def _collect_labels(self, rmap: dict[str, Revision]) -> dict[str, str]:
        labels: dict[str, str] = {}
        for rev in rmap.values():
            for label in rev._orig_branch_labels:
                if label in labels:
                    other = rmap[labels[label]]
                    raise RevisionError(
                        "Branch name '%s' in revision %s already used by revision %s"
                        % (label, _where(rev), _where(other))
                    )
                if label in rmap and label != rev.revision:
                    raise RevisionError(
                        "Branch label '%s' in revision %s is also a revision identifier"
                        % (label, _where(rev))
                    )
                labels[label] = rev.revision
        self._labels = labels
        return labels

    def _detect_cycles(self, rmap: dict[str, Revision]) -> None:
        # Kahn's algorithm: whatever cannot be peeled off from the bases sits on
        # (or above) a cycle.  One pass over all links; only when it fails, a
        # second over down_revision links alone tells which kind of loop it is.
        stuck = self._unsorted(rmap, "_all_down", "_all_nextrev")
        if not stuck:
            return
        down_stuck = self._unsorted(rmap, "_down", "nextrev")
        error = CycleDetected if down_stuck else DependencyCycleDetected
        stuck = down_stuck or stuck
        exc = error(stuck)
        paths = [p for p in (getattr(rmap[r], "path", None) for r in stuck) if p]
        if paths:
            exc.args = (str(exc) + "; files: " + ", ".join(paths),)
        exc.paths = paths  # type: ignore[attr-defined]
        raise exc

    @staticmethod
    def _unsorted(rmap: dict[str, Revision], parents_attr: str, children_attr: str) -> list[str]:
        """Return the ids Kahn's algorithm cannot order (on or above a cycle), in map order."""
        pending = {rid: len(getattr(rev, parents_attr)) for rid, rev in rmap.items()}
        todo = [rid for rid, n in pending.items() if n == 0]
        while todo:
            rid = todo.pop()
            for kid in getattr(rmap[rid], children_attr):
                pending[kid] -= 1
                if pending[kid] == 0:
                    todo.append(kid)
        return [rid for rid, n in pending.items() if n > 0]

    def _propagate_labels(self, rmap: dict[str, Revision]) -> None:
        # A label applies to its revision, every descendant, and every ancestor
        # back to (not including) the previous branch point.
        for label, rid in self._labels.items():
            rev = rmap[rid]
            for desc in self._walk(rmap, [rid], up=True, include_deps=False):
                rmap[desc].branch_labels.add(label)
            cur = rev
            while len(cur._versioned_down_revisions) == 1:
                parent = rmap[cur._versioned_down_revisions[0]]
                if parent.is_branch_point:
                    break
                parent.branch_labels.add(label)
                cur = parent

    def add_revision(self, revision: Revision, _replace: bool = False) -> None:
        """Add ``revision`` to an already built map (used by ``generate_revision``)."""
        if not _replace and revision.revision in self._revision_map:
            other = self._revision_map[revision.revision]
            raise DuplicateRevision(
                revision.revision,
                [getattr(other, "path", None) or other.revision, getattr(revision, "path", None) or revision.revision],
            )
        revs = [r for r in self._revision_map.values() if not (_replace and r.revision == revision.revision)]
        for r in revs:
            r.branch_labels = set(r._orig_branch_labels)
        self._built = self._build(revs + [revision])
        self._shape = {}

    # -- shape ----------------------------------------------------------

    def _ordered(self, ids: Iterable[str]) -> tuple[str, ...]:
        # map order (the generator's order) keeps every listing deterministic
        wanted = set(ids)
        return tuple(rid for rid in self._revision_map if rid in wanted)

    def _shape_of(self, name: str, test: Callable[[Revision], bool]) -> tuple[str, ...]:
        rmap = self._revision_map
        found = self._shape.get(name)
        if found is None:
            found = self._shape[name] = tuple(rid for rid, rev in rmap.items() if test(rev))
        return found

    @property
    def heads(self) -> tuple[str, ...]:
        """Ids of revisions that no down_revision names."""
        return self._shape_of("heads", lambda rev: not rev.nextrev)

    @property
    def _real_heads(self) -> tuple[str, ...]:
        return self._shape_of("_real_heads", lambda rev: not rev._all_nextrev)

    @property
    def bases(self) -> tuple[str, ...]:
        """Ids of revisions without a down_revision."""
        return self._shape_of("bases", lambda rev: rev.down_revision is None)

    @property
    def _real_bases(self) -> tuple[str, ...]:
        return self._shape_of("_real_bases", lambda rev: rev._is_real_base)

    @property
    def branch_points(self) -> tuple[str, ...]:
        """Ids of revisions that more than one revision names as down_revision."""
        return self._shape_of("branch_points", lambda rev: rev.is_branch_point)

    @property
    def merge_points(self) -> tuple[str, ...]:
        """Ids of revisions with more than one down_revision."""
        return self._shape_of("merge_points", lambda rev: rev.is_merge_point)

    @property
    def branch_label_map(self) -> dict[str, str]:
        """Each declared branch label → the id of the revision declaring it."""
        self._revision_map
        return dict(self._labels)

    def __len__(self) -> int:
        return len(self._revision_map)

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._revision_map.values())

    def __contains__(self, rid: object) -> bool:
        return rid in self._revision_map

    # -- walking --------------------------------------------------------

    @staticmethod
    def _walk(rmap: dict[str, Revision], start: Iterable[str], *, up: bool, include_deps: bool) -> set[str]:
        """Return every id reachable from ``start`` (excluding the start ids themselves)."""
        seen: set[str] = set()
        stack = list(start)
        while stack:
            rev = rmap[stack.pop()]
            if up:
                nxt = rev._all_nextrev if include_deps else rev.nextrev
            else:
                nxt = rev._all_down if include_deps else rev._down
            for n in nxt:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        return seen

    def _check_ids(self, ids: Iterable[str]) -> list[str]:
        rmap = self._revision_map
        out = []
        for rid in ids:
            if rid not in rmap:
                raise ResolutionError("No such revision or branch '%s'" % rid, rid)
            out.append(rid)
        return out

    def ancestors(self, ids: Iterable[str], include_dependencies: bool = True) -> set[str]:
        """Return the ids of every ancestor of ``ids`` (not the ids themselves unless related).

        :param include_dependencies: follow ``depends_on`` links too.
        """
        return self._walk(self._revision_map, self._check_ids(ids), up=False, include_deps=include_dependencies)

    def descendants(self, ids: Iterable[str], include_dependencies: bool = True) -> set[str]:
        """Return the ids of every descendant of ``ids`` (not the ids themselves unless related).

        :param include_dependencies: follow ``depends_on`` links too.
        """
        return self._walk(self._revision_map, self._check_ids(ids), up=True, include_deps=include_dependencies)

    def topological_order(self, ids: Iterable[str], *, newest_first: bool = False) -> list[Revision]:
        """Return the revisions ``ids`` ordered so that parents precede children.

        :param newest_first: reverse the order (children before parents).
        """
        rmap = self._revision_map
        subset = set(ids)
        # Kahn's algorithm from the newest end: a revision is emitted once all
        # its children in the subset are; the stack makes the walk follow one
        # branch down as far as it can (first down_revision first) before
        # turning to the next, which keeps branches contiguous in listings.
        if len(subset) == len(rmap) and subset <= rmap.keys():
            # the whole graph (history, plans over everything): every child counts
            pending = {rid: len(rev._all_nextrev) for rid, rev in rmap.items()}
            stack = [rid for rid, n in pending.items() if n == 0]
        else:
            pending = {rid: len(rmap[rid]._all_nextrev & subset) for rid in subset}
            stack = [rid for rid in rmap if rid in subset and pending[rid] == 0]
        stack.reverse()
        order: list[str] = []
        while stack:
            rid = stack.pop()
            order.append(rid)
            ready = []
            for p in rmap[rid]._all_down:
                if p in pending:
                    pending[p] -= 1
                    if pending[p] == 0:
                        ready.append(p)
            stack.extend(reversed(ready))
        if not newest_first:
            order.reverse()
        return [rmap[r] for r in order]

    # -- identifiers ----------------------------------------------------

    def get_revisions(self, id_: Any, *, current_heads: Sequence[str] | None = None) -> tuple[Any, ...]:
        """Resolve ``id_`` (identifier, symbol, tuple of them) to a tuple of revisions.

        :param current_heads: the database's heads, used for ``current`` and
            for relative identifiers without an explicit revision (``+1``).
        """
        from retort.script.resolve import resolve_revisions

        return resolve_revisions(self, id_, current_heads)

    def get_revision(self, id_: str | None, *, current_heads: Sequence[str] | None = None) -> Revision | None:
        """Resolve ``id_`` to exactly one revision, ``None`` for ``base`` / ``None``."""
        revs = self.get_revisions(id_, current_heads=current_heads)
        if len(revs) > 1:
            raise MultipleHeads([r.revision for r in revs], str(id_))
        return revs[0] if revs else None

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """Return the single head (of ``branch_label`` if given), ``None`` when empty."""
        if branch_label:
            heads = self.filter_for_lineage(self.heads, branch_label)
        else:
            heads = self.heads
        if len(heads) > 1:
            raise MultipleHeads(list(heads), "%s@head" % branch_label if branch_label else "head")
        return heads[0] if heads else None

    def _get_base_revisions(self, identifier: str) -> tuple[str, ...]:
        return self.filter_for_lineage(self.bases, identifier)

    def filter_for_lineage(
        self, targets: Iterable[Any], check_against: str | None, include_dependencies: bool = False
    ) -> tuple[Any, ...]:
        """Keep the ``targets`` (ids or revisions) that share lineage with ``check_against``."""
        if not check_against:
            return tuple(targets)
        rmap = self._revision_map
        if check_against in self._labels:
            anchors = [r for r in rmap.values() if check_against in r.branch_labels]
            related = {r.revision for r in anchors}
        else:
            anchor = self.get_revision(check_against)
            if anchor is None:
                return tuple(targets)
            related = {anchor.revision}
            related |= self._walk(rmap, related, up=True, include_deps=include_dependencies)
            related |= self._walk(rmap, [anchor.revision], up=False, include_deps=include_dependencies)
        out = []
        for t in targets:
            rid = t if isinstance(t, str) else t.revision
            if rid in related:
                out.append(t)
        return tuple(out)

    # -- iteration and plans --------------------------------------------

    def iterate_revisions(
        self,
        upper: Any,
        lower: Any,
        implicit_base: bool = False,
        inclusive: bool = False,
        assert_relative_length: bool = True,
        select_for_downgrade: bool = False,
    ) -> Iterator[Revision]:
        """Yield revisions from ``upper`` down to ``lower``, newest first.

        With ``select_for_downgrade`` this is the downgrade from ``upper``
        (current heads) to ``lower``; with ``implicit_base`` the upgrade from
        ``lower`` (current heads) to ``upper``, both in reverse run order.
        """
        from retort.script import plan

        if select_for_downgrade:
            return iter(plan.downgrade_plan(self, lower, _as_tuple(upper), assert_relative_length))
        if implicit_base:
            up = plan.upgrade_plan(self, upper, _as_tuple(lower), assert_relative_length)
            return iter(list(reversed(up)))
        return iter(plan.range_revisions(self, upper, lower, inclusive=inclusive))

    def upgrade_plan(self, destination: Any, current_heads: Sequence[str] = ()) -> list[Revision]:
        """Return the revisions to upgrade, in the order to run them."""
        from retort.script import plan

        return plan.upgrade_plan(self, destination, tuple(current_heads))

    def downgrade_plan(self, destination: Any, current_heads: Sequence[str] = ()) -> list[Revision]:
        """Return the revisions to downgrade, in the order to run them."""
        from retort.script import plan

        return plan.downgrade_plan(self, destination, tuple(current_heads))
