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
from retort.util.exc import MultipleHeads, RangeNotAncestorError, ResolutionError

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
    return run_order(rmap, wanted - applied, tids)[::-1]


def _parents(rmap: RevisionMap, rev: Revision) -> list[str]:
    """``down_revision`` then ``depends_on`` targets, without a dependency another parent reaches."""
    revs = rmap._revision_map
    parents = list(rev._all_down)
    deps = [p for p in parents if p not in rev._down]
    if not deps:
        return parents
    reach = {p: rmap._walk(revs, [p], up=False, include_deps=True) for p in parents}
    return [p for p in parents if p in rev._down or not any(p in reach[q] for q in parents if q != p)]


def run_order(rmap: RevisionMap, todo_ids: set[str], tops: Sequence[str]) -> list[Revision]:
    """Order ``todo_ids`` newest first, walking down from ``tops`` the way Alembic does.

    Each top starts a line of history, taken in the order the files were read.
    The walk follows the current line down through its parents as long as no
    other line still needs the revision it stands on; when one does, it turns
    to that line first.  A line ends where it meets nothing left to do.  Same
    graph, same order as Alembic: the ``--sql`` scripts of both are identical,
    and so are the version-table moves, which depend on the order.
    """
    revs = rmap._revision_map
    todo = set(todo_ids)
    if not todo:
        return []
    position = {rid: i for i, rid in enumerate(revs)}

    def reach(rid: str) -> set[str]:
        return {rid} | rmap._walk(revs, [rid], up=False, include_deps=True)

    lines = sorted({t for t in tops if t in todo}, key=lambda r: position.get(r, 0))
    needs = [reach(t) for t in lines]
    out: list[str] = []
    i = 0
    while lines:
        cand = lines[i]
        other = next((j for j, n in enumerate(needs) if j != i and cand in n), None)
        if other is not None:
            i = other
            continue
        if cand in todo:
            out.append(cand)
            todo.discard(cand)
        rev = revs[cand]
        below = [p for p in _parents(rmap, rev) if p in todo and p not in lines]
        if not below:
            del lines[i]
            del needs[i]
            i = max(i - 1, 0)
        elif len(rev._all_down) == 1:
            # plain step down one line: its needs shrink by the revision emitted
            lines[i] = below[0]
            needs[i].discard(cand)
        else:
            # the first parent continues this line; the others start new
            # lines at the end, visited after every line already open
            lines[i] = below[0]
            needs[i] = reach(below[0])
            lines.extend(below[1:])
            needs.extend(reach(b) for b in below[1:])
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
    tops = [lookup(rmap, h).revision for h in current_heads]
    return run_order(rmap, removals, tops)


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
    # a bare relative end counts from the other end: "-2" below upper, "+2" above lower
    if _bare_relative(rmap, upper):
        base_ids = [r.revision for r in resolve_revisions(rmap, lower, current_heads)]
        uppers = [r.revision for r in resolve_revisions(rmap, upper, base_ids)]
    else:
        uppers = [r.revision for r in resolve_revisions(rmap, upper, current_heads)]
    if _bare_relative(rmap, lower):
        lowers_rel = resolve_revisions(rmap, lower, uppers)
        lower = tuple(r.revision for r in lowers_rel) or None
    above = set(uppers) | rmap._walk(revs, uppers, up=False, include_deps=True)
    if isinstance(lower, str) and lower.endswith("@base"):
        label = lower[: -len("@base")]
        _check_label(rmap, label)
        members = {r.revision for r in label_members(rmap, label)}
        lineage = members | rmap._walk(revs, members, up=False, include_deps=True)
        return rmap.topological_order(above & lineage, newest_first=True)
    else:
        lowers = [r.revision for r in resolve_revisions(rmap, lower, current_heads)]
    if not lowers:
        return rmap.topological_order(above, newest_first=True)
    for low in lowers:
        if low not in above:
            raise RangeNotAncestorError(low, ", ".join(uppers) or None)
    between = set(lowers) | rmap._walk(revs, lowers, up=True, include_deps=False)
    if not inclusive:
        between -= set(lowers)
    return rmap.topological_order(above & between, newest_first=True)


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
