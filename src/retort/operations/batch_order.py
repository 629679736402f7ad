"""The column order of a batch-recreated table, with Alembic's placement rules.

Every column gets "comes after" links: the table's existing columns form a chain
(renamed ones keep their place, dropped ones leave it), and a column placed
with ``insert_before`` / ``insert_after`` is linked into the gap it names — the
gap between the anchor and the neighbour it had when the directive ran.  A
column added without a place goes after the table's last column.  With
``partial_reordering`` the chain and the gaps are dropped: only the given
orderings and the explicit anchors count.  The links are then resolved round by
round: each round takes every column whose predecessors are all placed, in
table order (existing columns first, then added ones in the order they were
added).  This is what Alembic 1.20 produces, so offline SQL diffs match.
"""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["ColumnOrder"]


class ColumnOrder:
    """Track columns through a batch's directives and resolve their final order."""

    def __init__(self, names: Iterable[str], partial_reordering: Sequence[Sequence[str]] = ()) -> None:
        self._partial = [tuple(o) for o in partial_reordering]
        self._count = 0
        self._ids: dict[str, int] = {}  # current name -> id
        self._names: dict[int, str] = {}  # live id -> current name, in table order
        # the name a column was first known by: partial_reordering names the
        # table's original columns even after a rename in the same batch
        self._first: dict[str, int] = {}
        self._chain: list[int] = []  # existing columns that keep their place
        self._gaps: dict[int, tuple[int | None, int | None]] = {}  # placed column -> its gap
        self._links: list[tuple[int, int, int]] = []  # (before, after, owner)
        for name in names:
            self._chain.append(self._new(name))

    @property
    def names(self) -> list[str]:
        """The current column names in table order (not yet resolved)."""
        return list(self._names.values())

    def _new(self, name: str) -> int:
        ident = self._count
        self._count += 1
        self._ids[name] = ident
        self._names[ident] = name
        self._first.setdefault(name, ident)
        return ident

    def _gap(self, ident: int) -> tuple[int | None, int | None]:
        if ident in self._chain:
            k = self._chain.index(ident)
            return (self._chain[k - 1] if k else None, self._chain[k + 1] if k + 1 < len(self._chain) else None)
        return self._gaps.get(ident, (None, None))

    def _place(self, ident: int, before: str | None, after: str | None) -> None:
        if before is not None:
            anchor = self._ids[before]
            gap = (self._gap(anchor)[0], anchor)
        elif after is not None:
            anchor = self._ids[after]
            gap = (anchor, self._gap(anchor)[1])
        else:
            gap = (self._chain[-1] if self._chain else None, None)
        self._gaps[ident] = gap
        if self._partial:
            # only what the user named; an unplaced column floats
            if before is not None:
                self._links.append((ident, gap[1], ident))  # type: ignore[arg-type]
            elif after is not None:
                self._links.append((gap[0], ident, ident))  # type: ignore[arg-type]
            return
        if gap[0] is not None:
            self._links.append((gap[0], ident, ident))
        if gap[1] is not None:
            self._links.append((ident, gap[1], ident))

    def add(self, name: str, before: str | None = None, after: str | None = None) -> None:
        """Record an added column and where it goes."""
        self._place(self._new(name), before, after)

    def move(self, name: str, before: str | None = None, after: str | None = None) -> None:
        """Record ``alter_column(insert_before= / insert_after=)`` for an existing column."""
        ident = self._ids[name]
        if ident in self._chain:
            self._chain.remove(ident)
        # the column leaves its old place: gaps it bounded there no longer hold
        self._links = [link for link in self._links if ident not in link]
        self._gaps = {
            k: (None if a == ident else a, None if b == ident else b) for k, (a, b) in self._gaps.items()
        }
        self._place(ident, before, after)

    def drop(self, name: str) -> None:
        """Forget a dropped column; links through it no longer hold."""
        ident = self._ids.pop(name)
        del self._names[ident]
        if ident in self._chain:
            self._chain.remove(ident)

    def rename(self, old: str, new: str) -> None:
        """Follow a rename: the column keeps its place and its links."""
        ident = self._ids.pop(old)
        self._ids[new] = ident
        self._names[ident] = new

    def _lookup(self, name: str) -> int | None:
        ident = self._first.get(name)
        if ident is not None and ident in self._names:
            return ident
        if name in self._ids:
            return self._ids[name]
        if ident is not None:
            return None  # dropped in this batch: the ordering no longer applies to it
        raise KeyError(name)

    def resolve(self) -> list[str]:
        """Return the final column names in order.

        :raises KeyError: a ``partial_reordering`` name the table never had.
        :raises ValueError: orderings that contradict each other.
        """
        live = list(self._names)
        parents: dict[int, set[int]] = {i: set() for i in live}
        pairs: list[tuple[int | None, int | None]] = [(a, b) for a, b, _ in self._links]
        if self._partial:
            for ordering in self._partial:
                ids = [self._lookup(n) for n in ordering]
                pairs.extend(zip(ids, ids[1:]))
        else:
            pairs.extend(zip(self._chain, self._chain[1:]))
        children: dict[int, list[int]] = {i: [] for i in live}
        for a, b in pairs:
            if a in parents and b in parents and a != b and a not in parents[b]:  # type: ignore[operator]
                parents[b].add(a)  # type: ignore[index]
                children[a].append(b)  # type: ignore[index]
        position = {i: k for k, i in enumerate(live)}
        waiting = {i: len(p) for i, p in parents.items()}
        ready = [i for i in live if not waiting[i]]
        result: list[int] = []
        while ready:
            result.extend(ready)
            freed = []
            for i in ready:
                for c in children[i]:
                    waiting[c] -= 1
                    if not waiting[c]:
                        freed.append(c)
            ready = sorted(freed, key=position.__getitem__)
        if len(result) != len(live):
            stuck = [self._names[i] for i in live if waiting[i]]
            raise ValueError(
                f"batch column order: partial_reordering / insert_before / insert_after contradict each "
                f"other for columns {stuck}"
            )
        return [self._names[i] for i in result]
