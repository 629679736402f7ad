"""Turn revision identifiers into revisions of a RevisionMap.

The grammar (Alembic's)::

    base | head | heads | current
    <id> | <partial id> | <branch label>
    <label>@head | <label>@heads | <label>@base | <label>@<id> | <id>@head
    [<id> | <label>@ | head | <label>@head] (+N | -N)

``current`` and a relative step without a starting revision (``+1``,
``label@-2``) are taken from the caller's current heads (the database's).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Sequence

from retort.util.exc import MultipleHeads, ResolutionError, RevisionError

if TYPE_CHECKING:
    from retort.script.revision import Revision, RevisionMap

_RELATIVE = re.compile(r"^(?P<start>.*?)(?P<step>[+-]\d+)$")
_MIN_PARTIAL = 4
# messages of identifiers that name nothing (or nothing unique): the script
# directory and the commands reword these as Alembic's "Can't locate ..."
UNLOCATABLE = ("No such revision or branch", "No such branch:", "Multiple revisions start with")


class Relative:
    """A parsed ``[label@][start]+N`` / ``-N`` identifier."""

    def __init__(self, label: str | None, start: str | None, step: int, text: str) -> None:
        self.label = label
        self.start = start
        self.step = step
        self.text = text


def parse_relative(rmap: RevisionMap, ident: str) -> Relative | None:
    """Return the relative form of ``ident``, or ``None`` when it is not relative."""
    label: str | None = None
    rest = ident
    if "@" in ident:
        label, rest = ident.split("@", 1)
    if ident in rmap._revision_map or ident in rmap._labels:
        return None
    m = _RELATIVE.match(rest)
    if not m:
        return None
    start = m.group("start") or None
    return Relative(label, start, int(m.group("step")), ident)


def lookup(rmap: RevisionMap, ident: str) -> Revision:
    """Resolve a plain identifier: full id, branch label (its declaring revision) or unique prefix."""
    revs = rmap._revision_map
    rev = revs.get(ident)
    if rev is not None:
        return rev
    label_rev = rmap._labels.get(ident)
    if label_rev is not None:
        return revs[label_rev]
    # Alembic only treats ids of at least four characters as candidates for a
    # partial match (so 'b' never finds 'b5', while 'e' finds 'e1f2'); real ids
    # are 12 hex digits, this only shows with short hand-written ids
    matches = [rid for rid in revs if len(rid) >= _MIN_PARTIAL and rid.startswith(ident)]
    if len(matches) == 1:
        return revs[matches[0]]
    if len(matches) > 1:
        shown = ", ".join("'%s'" % m for m in matches[:10])
        raise ResolutionError(
            "Multiple revisions start with '%s': %s%s" % (ident, shown, "..." if len(matches) > 10 else ""),
            ident,
        )
    hint = ""
    if len(ident) < _MIN_PARTIAL:
        hint = "; please ensure at least four characters are present for partial revision identifier matches"
    raise ResolutionError("No such revision or branch '%s'%s" % (ident, hint), ident)


def _check_label(rmap: RevisionMap, label: str) -> None:
    if label not in rmap._labels and label not in rmap._revision_map:
        try:
            lookup(rmap, label)
        except ResolutionError:
            raise ResolutionError("No such branch: '%s'" % label, label) from None


def label_members(rmap: RevisionMap, label: str) -> list[Revision]:
    """Return the revisions belonging to ``label`` (a branch label, or a revision's lineage)."""
    if label in rmap._labels:
        return [r for r in rmap._revision_map.values() if label in r.branch_labels]
    anchor = lookup(rmap, label)
    ids = {anchor.revision}
    ids |= rmap._walk(rmap._revision_map, [anchor.revision], up=True, include_deps=False)
    ids |= rmap._walk(rmap._revision_map, [anchor.revision], up=False, include_deps=False)
    return [r for r in rmap._revision_map.values() if r.revision in ids]


def branch_heads(rmap: RevisionMap, label: str) -> list[Revision]:
    """Return the heads reachable on ``label`` (a branch label or a revision id)."""
    if label in rmap._labels:
        return [r for r in rmap._revision_map.values() if label in r.branch_labels and not r.nextrev]
    anchor = lookup(rmap, label)
    ids = rmap._walk(rmap._revision_map, [anchor.revision], up=True, include_deps=False) | {anchor.revision}
    return [r for r in rmap._revision_map.values() if r.revision in ids and not r.nextrev]


def branch_bases(rmap: RevisionMap, label: str) -> list[Revision]:
    """Return the earliest revisions of ``label``."""
    members = label_members(rmap, label)
    ids = {r.revision for r in members}
    return [r for r in members if not any(d in ids for d in r._versioned_down_revisions)]


def single(revs: Sequence[Revision], argument: str) -> Revision | None:
    """Return the one revision in ``revs`` (``None`` if empty), raising MultipleHeads otherwise."""
    if len(revs) > 1:
        raise MultipleHeads([r.revision for r in revs], argument)
    return revs[0] if revs else None


def _resolve_symbol(rmap: RevisionMap, ident: str, current_heads: Sequence[str] | None) -> list[Revision]:
    revs = rmap._revision_map
    if ident in ("base", ""):
        return []
    if ident == "heads":
        return [revs[h] for h in rmap.heads]
    if ident == "head":
        head = single([revs[h] for h in rmap.heads], "head")
        return [head] if head is not None else []
    if ident == "current":
        if current_heads is None:
            raise ResolutionError("'current' needs the database's current heads", ident)
        return [lookup(rmap, h) for h in current_heads]
    if "@" in ident:
        label, what = ident.split("@", 1)
        _check_label(rmap, label)
        if what == "heads":
            return branch_heads(rmap, label)
        if what == "head":
            head = single(branch_heads(rmap, label), ident)
            return [head] if head is not None else []
        if what == "base":
            return []
        rev = lookup(rmap, what)
        if label in rmap._labels and label not in rev.branch_labels:
            raise ResolutionError("Revision %s is not a member of branch '%s'" % (rev.revision, label), ident)
        return [rev]
    return [lookup(rmap, ident)]


def walk_relative(
    rmap: RevisionMap,
    rel: Relative,
    current_heads: Sequence[str] | None,
    *,
    check_length: bool = True,
) -> Revision | None:
    """Resolve a relative identifier to the revision it lands on (``None`` = below every base)."""
    revs = rmap._revision_map
    label = rel.label
    if label is not None:
        _check_label(rmap, label)
    members: set[str] | None = None
    roots: list[str] = []
    lineage: set[str] = set()
    if label is not None:
        # the branch, and what its first revisions stand on (not what merges bring in)
        members = {r.revision for r in label_members(rmap, label)}
        roots = [rid for rid in rmap._ordered(members) if not any(d in members for d in revs[rid]._down)]
        lineage = members | rmap._walk(revs, roots, up=False, include_deps=False)

    start: Revision | None
    if rel.start is not None:
        if rel.start in ("head", "heads"):
            start = single(branch_heads(rmap, label) if label else [revs[h] for h in rmap.heads], rel.text)
        else:
            start = lookup(rmap, rel.start)
    else:
        heads = [lookup(rmap, h) for h in (current_heads or ())]
        if members is not None:
            # a current head counts for the branch when it is on the branch or below it...
            inside = [h for h in heads if h.revision in lineage]
            if not inside:
                # ...or above it (a merge of the branch into another one)
                inside = [h for h in heads if rmap._walk(revs, [h.revision], up=False, include_deps=False) & members]
            heads = inside
        if len(heads) > 1:
            kind = "upgrade" if rel.step > 0 else "downgrade"
            raise RevisionError(
                "Ambiguous %s from multiple current revisions (%s); name a branch "
                "('<branchname>@%+d') or a revision" % (kind, ", ".join(h.revision for h in heads), rel.step)
            )
        start = heads[0] if heads else None

    steps = abs(rel.step)
    cur = start
    taken = 0
    if rel.step > 0:
        for _ in range(steps):
            if members is None:
                cands = [revs[c] for c in (rmap.bases if cur is None else rmap._ordered(cur.nextrev))]
            elif cur is None:
                cands = [revs[r] for r in roots]  # nothing of the branch applied: its first revision
            else:
                kids = [revs[c] for c in rmap._ordered(cur.nextrev)]
                cands = [c for c in kids if c.revision in members] or [c for c in kids if c.revision in lineage]
            if not cands:
                break
            if len(cands) > 1:
                raise RevisionError(
                    "Ambiguous walk: %s branches at %s into %s; use <branchname>@%+d"
                    % (rel.text, cur.revision if cur else "base", ", ".join(c.revision for c in cands), rel.step)
                )
            cur = cands[0]
            taken += 1
    else:
        for _ in range(steps):
            if cur is None:
                break
            downs = cur._versioned_down_revisions
            if len(downs) > 1:
                raise RevisionError(
                    "Ambiguous walk: %s reaches the merge point %s of %s; name the revision to go to"
                    % (rel.text, cur.revision, ", ".join(downs))
                )
            cur = revs[downs[0]] if downs else None
            taken += 1
    if check_length and taken != steps:
        raise RevisionError("Relative revision %s didn't produce %d migrations" % (rel.text, steps))
    return cur


def resolve_revisions(rmap: RevisionMap, id_: Any, current_heads: Sequence[str] | None) -> tuple[Revision, ...]:
    """Resolve ``id_`` (an identifier or a collection of them) to a tuple of revisions."""
    if id_ is None:
        return ()
    if not isinstance(id_, str):
        out: list[Revision] = []
        for part in id_:
            for rev in resolve_revisions(rmap, part, current_heads):
                if rev not in out:
                    out.append(rev)
        return tuple(out)
    rmap._revision_map  # build, so errors about the graph come first
    rel = parse_relative(rmap, id_)
    if rel is not None:
        landed = walk_relative(rmap, rel, current_heads)
        return (landed,) if landed is not None else ()
    return tuple(_resolve_symbol(rmap, id_, current_heads))
