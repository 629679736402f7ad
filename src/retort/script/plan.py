"""Which revisions an upgrade / downgrade runs, and in what order.

An upgrade runs every ancestor of the destination (through ``down_revision``
and ``depends_on``) that the current heads do not already include, parents
first.  A downgrade removes every applied revision above the destination,
plus every applied revision that depends on one being removed, children
first.  The runtime turns these lists into version-table moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from retort.script.resolve import (
    branch_heads,
    label_members,
    lookup,
    parse_relative,
    resolve_revisions,
    walk_relative,
    _check_label,
)
from retort.util.exc import MultipleHeads, RangeNotAncestorError, ResolutionError, RevisionError

if TYPE_CHECKING:
    from retort.script.revision import Revision, RevisionMap


def _applied(rmap: RevisionMap, current_heads: Sequence[str]) -> set[str]:
    ids = [lookup(rmap, h).revision for h in current_heads if h]
    return set(ids) | rmap._walk(rmap._revision_map, ids, up=False, include_deps=True)


def _heads_arg(current_heads: Any) -> tuple[str, ...]:
    if current_heads is None:
        return ()
    if isinstance(current_heads, str):
        return (current_heads,)
    return tuple(h for h in current_heads if h)


def upgrade_targets(rmap: RevisionMap, destination: Any, current_heads: Sequence[str], check_length: bool = True) -> list[Revision]:
    """Resolve an upgrade destination (``+N`` counts from ``current_heads``)."""
    if isinstance(destination, str):
        rel = parse_relative(rmap, destination)
        if rel is not None:
            landed = walk_relative(rmap, rel, current_heads, check_length=check_length)
            return [landed] if landed is not None else []
    return list(resolve_revisions(rmap, destination, current_heads))


def upgrade_plan(
    rmap: RevisionMap, destination: Any, current_heads: Any = (), assert_relative_length: bool = True
) -> list[Revision]:
    """Return the revisions to run to reach ``destination`` from ``current_heads``, parents first."""
    current_heads = _heads_arg(current_heads)
    if destination is None:
        destination = "heads"
    destination, current_heads = _split_range(rmap, destination, current_heads)
    targets = upgrade_targets(rmap, destination, current_heads, assert_relative_length)
    applied = _applied(rmap, current_heads)
    tids = [t.revision for t in targets]
    wanted = set(tids) | rmap._walk(rmap._revision_map, tids, up=False, include_deps=True)
    return run_order(rmap, wanted - applied)[::-1]


class _Reach:
    """Answer "is ``x`` ``h`` or one of its ancestors?" in constant time, for one revision map.

    The graph is cut into chains (runs where each revision has one parent
    and that parent one child); a revision's position in its chain and a
    bit set of the chains below each chain answer the question.  Long
    histories are mostly chains, so this stays small, where one ancestor set
    per line of history made walking a branchy history quadratic.
    """

    def __init__(self, rmap: RevisionMap) -> None:
        revs = rmap._revision_map
        self.chain: dict[str, int] = {}
        self.pos: dict[str, int] = {}
        self.below_chain: list[int] = []  # per chain: bit set of the chains under it
        # per revision: the depends_on targets of everything under it through
        # down_revision (shared between revisions while nothing is added)
        self.inherited: dict[str, frozenset[str]] = {}
        empty: frozenset[str] = frozenset()
        for rev in rmap.topological_order(list(revs)):
            rid, downs = rev.revision, rev._all_down
            inherited = empty
            for parent in rev._down:
                prev = revs[parent]
                more = self.inherited[parent]
                if prev._resolved_dependencies:
                    more = more | set(prev._resolved_dependencies)
                inherited = more if not inherited else inherited | more
            self.inherited[rid] = inherited
            if len(downs) == 1 and len(revs[downs[0]]._all_nextrev) == 1:
                self.chain[rid] = self.chain[downs[0]]
                self.pos[rid] = self.pos[downs[0]] + 1
                continue
            bits = 0
            for parent in downs:
                c = self.chain[parent]
                bits |= self.below_chain[c] | (1 << c)
            self.chain[rid] = len(self.below_chain)
            self.pos[rid] = 0
            self.below_chain.append(bits)

    def under(self, x: str, h: str) -> bool:
        """True when ``x`` is ``h`` or an ancestor of it (through down_revision and depends_on)."""
        cx, ch = self.chain[x], self.chain[h]
        if cx == ch:
            return self.pos[x] <= self.pos[h]
        return bool((self.below_chain[ch] >> cx) & 1)


def _parents(rev: Revision, reach: _Reach) -> list[str]:
    """``down_revision`` then ``depends_on`` targets, less dependencies already declared further down.

    As Alembic: a dependency that a revision under this one (through
    down_revision) already depends on adds nothing to the walk.
    """
    parents = rev._all_down
    if len(parents) == len(rev._down):
        return list(parents)
    inherited = reach.inherited[rev.revision]
    return [p for p in parents if p in rev._down or p not in inherited]


def run_order(rmap: RevisionMap, todo_ids: set[str]) -> list[Revision]:
    """Order ``todo_ids`` newest first, walking down the graph the way Alembic does.

    Each of the newest revisions to do starts a line of history, taken in the
    order the files were read.  The walk follows the current line down
    through its parents as long as no other line still stands on the
    revision it is at; when one does, it turns to the first such line.  A
    line ends where it meets nothing left to do.
    Same graph, same order as Alembic: the ``--sql`` scripts of both are
    identical, and so are the version-table moves, which depend on the order.
    """
    revs = rmap._revision_map
    todo = set(todo_ids)
    if not todo:
        return []
    position = {rid: i for i, rid in enumerate(revs)}
    reach = _Reach(rmap)
    # the lines start at the newest revisions to do (nothing to do stands on
    # them, depends_on included), in the order the files were read
    lines = sorted((r for r in todo if not (revs[r]._all_nextrev & todo)), key=lambda r: position.get(r, 0))
    # children still to do, per revision: another line can only stand on a
    # revision that has one (every revision still to do lies below some
    # line's head), which settles the common case without asking every line
    waiting = {rid: len(revs[rid]._all_nextrev & todo) for rid in todo}
    out: list[str] = []
    i = 0
    while lines:
        cand = lines[i]
        if len(lines) > 1 and waiting.get(cand):
            other = next((j for j, h in enumerate(lines) if j != i and reach.under(cand, h)), None)
            if other is not None:
                i = other
                continue
        rev = revs[cand]
        if cand in todo:
            out.append(cand)
            todo.discard(cand)
            for parent in rev._all_down:
                if parent in waiting:
                    waiting[parent] -= 1
        below = [p for p in _parents(rev, reach) if p in todo and p not in lines]
        if not below:
            del lines[i]
            i = max(i - 1, 0)
        else:
            # the first parent continues this line; the others start new
            # lines at the end, visited after every line already open
            lines[i] = below[0]
            lines.extend(below[1:])
    if todo:
        # not below any top (should not happen): parents before children, at the end
        out.extend(r.revision for r in rmap.topological_order(todo, newest_first=True))
    return [revs[r] for r in out]


def _split_range(rmap: RevisionMap, destination: Any, current_heads: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    # "start:end" (offline --sql runs): start replaces the database's heads
    if isinstance(destination, str) and ":" in destination:
        start, _, end = destination.partition(":")
        if start and start != "base":
            current_heads = tuple(r.revision for r in resolve_revisions(rmap, start, current_heads))
        else:
            current_heads = ()
        destination = end or "heads"
    return destination, current_heads


def _downgrade_removals(rmap: RevisionMap, destination: Any, current_heads: Sequence[str], check_length: bool) -> set[str]:
    revs = rmap._revision_map
    applied = _applied(rmap, current_heads)
    if destination in (None, "base", ""):
        return applied
    if isinstance(destination, str) and destination.endswith("@base"):
        # the branch's base: its revisions and every ancestor they stand on
        label = destination[: -len("@base")]
        _check_label(rmap, label)
        members = {r.revision for r in label_members(rmap, label)}
        lineage = members | rmap._walk(revs, members, up=False, include_deps=False)
        return _with_dependents(rmap, applied & lineage, applied)
    target: Revision | None
    if isinstance(destination, str):
        rel = parse_relative(rmap, destination)
        if rel is not None:
            if rel.step > 0 and rel.start is None:
                raise ResolutionError(
                    "Relative revision %s is an upgrade; a downgrade takes -N" % destination, destination
                )
            target = walk_relative(rmap, rel, current_heads, check_length=check_length)
        else:
            found = resolve_revisions(rmap, destination, current_heads)
            if len(found) > 1:
                raise MultipleHeads([r.revision for r in found], destination)
            target = found[0] if found else None
    else:
        found = resolve_revisions(rmap, destination, current_heads)
        if len(found) > 1:
            raise MultipleHeads([r.revision for r in found], str(destination))
        target = found[0] if found else None
    if target is None:
        if isinstance(destination, str) and "@" in destination:
            # label@-N past the branch's first revision: drop the whole branch
            label = destination.split("@", 1)[0]
            members = {r.revision for r in label_members(rmap, label)}
            return _with_dependents(rmap, applied & members, applied)
        return applied
    if target.revision not in applied:
        raise RangeNotAncestorError(target.revision, ", ".join(current_heads) or None)
    above = rmap._walk(revs, [target.revision], up=True, include_deps=False) & applied
    heads = {lookup(rmap, h).revision for h in current_heads if h}
    if not above and target.revision not in heads:
        # applied only because something depends on it: no line of history of
        # the current heads passes through it, so (as Alembic) it is no target
        raise RangeNotAncestorError(target.revision, ", ".join(current_heads) or None)
    return _with_dependents(rmap, above, applied)


def _with_dependents(rmap: RevisionMap, removing: set[str], applied: set[str]) -> set[str]:
    # anything applied that depends on (or descends from) a removed revision goes too
    return (removing | rmap._walk(rmap._revision_map, removing, up=True, include_deps=True)) & applied


def downgrade_plan(
    rmap: RevisionMap, destination: Any, current_heads: Any = (), assert_relative_length: bool = True
) -> list[Revision]:
    """Return the revisions to undo to reach ``destination`` from ``current_heads``, children first."""
    current_heads = _heads_arg(current_heads)
    destination, current_heads = _split_range(rmap, destination, current_heads)
    removals = _downgrade_removals(rmap, destination, current_heads, assert_relative_length)
    return run_order(rmap, removals)


def range_revisions(rmap: RevisionMap, upper: Any, lower: Any, *, inclusive: bool = False,
                    current_heads: Sequence[str] | None = None) -> list[Revision]:
    """Return the revisions between ``lower`` and ``upper``, newest first.

    Those ``upper`` needs (through down_revision and depends_on) that descend
    from ``lower`` (through down_revision); ``lower`` itself only when
    ``inclusive``.  ``label@base`` as ``lower`` means the label's revisions
    and everything they stand on.
    """
    revs = rmap._revision_map
    if upper is None or upper == "":
        upper = "heads"
    # a bare "+N" end counts up from lower; a bare "-N" start counts down from
    # the script's heads, whatever the end is (Alembic's reading: "-1:current"
    # is the head's parent up to current, an error when current is below it)
    if _bare_relative(rmap, upper):
        base_ids = [r.revision for r in resolve_revisions(rmap, lower, current_heads)]
        uppers = [r.revision for r in resolve_revisions(rmap, upper, base_ids)]
    else:
        uppers = [r.revision for r in resolve_revisions(rmap, upper, current_heads)]
    if _bare_relative(rmap, lower):
        heads = list(rmap.heads)
        if len(heads) > 1:
            raise RevisionError(
                "Ambiguous walk: %s counts down from the head, and there are %d heads (%s); start the "
                "range at a revision or at '<branchname>@head%s'" % (lower, len(heads), ", ".join(heads), lower)
            )
        lowers_rel = resolve_revisions(rmap, lower, heads)
        lower = tuple(r.revision for r in lowers_rel) or None
    above = set(uppers) | rmap._walk(revs, uppers, up=False, include_deps=True)
    if isinstance(lower, str) and lower.endswith("@base"):
        label = lower[: -len("@base")]
        _check_label(rmap, label)
        members = {r.revision for r in label_members(rmap, label)}
        lineage = members | rmap._walk(revs, members, up=False, include_deps=True)
        return run_order(rmap, above & lineage)
    else:
        lowers = [r.revision for r in resolve_revisions(rmap, lower, current_heads)]
    if not lowers:
        return run_order(rmap, above)
    for low in lowers:
        if low not in above:
            raise RangeNotAncestorError(low, ", ".join(uppers) or None)
    between = set(lowers) | rmap._walk(revs, lowers, up=True, include_deps=False)
    if not inclusive:
        between -= set(lowers)
    return run_order(rmap, above & between)


def _bare_relative(rmap: RevisionMap, ident: Any) -> bool:
    if not isinstance(ident, str):
        return False
    rel = parse_relative(rmap, ident)
    return rel is not None and rel.start is None and rel.label is None


def parse_range(text: str) -> tuple[str | None, str | None]:
    """Split ``lower:upper`` (either side may be empty) into its two ends."""
    if ":" not in text:
        raise ResolutionError("History range requires [start]:[end], [start]:, or :[end]", text)
    lower, upper = text.split(":", 1)
    return (lower.strip() or None, upper.strip() or None)


__all__ = ["upgrade_plan", "downgrade_plan", "range_revisions", "parse_range", "upgrade_targets", "branch_heads"]
