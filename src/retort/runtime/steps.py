"""Turn a plan of revisions into steps: upgrade()/downgrade() calls plus head moves.

The version table stores *heads*: the newest applied revision of every
branch.  The applied set is every head plus everything it reaches through
``down_revision`` and ``depends_on``.  Each step computes the heads after it
with a pure function of (graph, heads before); :mod:`retort.runtime.runner`
then writes the difference with :meth:`VersionTable.move`.  Keeping the
bookkeeping pure is what lets it be tested over hand-built revision maps.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from retort.util.exc import CommandError

__all__ = [
    "RevisionGraph",
    "MigrationStep",
    "RevisionStep",
    "StampStep",
    "MigrationInfo",
    "heads_after_upgrade",
    "heads_after_downgrade",
    "heads_after_stamp",
    "upgrade_steps",
    "downgrade_steps",
    "stamp_steps",
]


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if v is not None)


class RevisionGraph:
    """Parents and ancestors of revisions, read from a RevisionMap or ScriptDirectory.

    Only ``get_revision(id)`` returning objects with ``revision``,
    ``down_revision`` and ``dependencies`` is needed; ``dependencies`` may
    name branch labels, which are resolved through ``get_revision`` too.
    """

    def __init__(self, source: Any) -> None:
        self.source = source
        self.revision_map = getattr(source, "revision_map", source)
        self._parents: dict[str, tuple[str, ...]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}

    def get(self, rev_id: str) -> Any:
        rev = self.revision_map.get_revision(rev_id)
        if rev is None:
            raise CommandError(f"No such revision or branch '{rev_id}'")
        return rev

    def down_revisions(self, rev_id: str) -> tuple[str, ...]:
        return _as_tuple(self.get(rev_id).down_revision)

    def parents(self, rev_id: str) -> tuple[str, ...]:
        """``down_revision`` then ``depends_on`` targets of ``rev_id``, as ids."""
        cached = self._parents.get(rev_id)
        if cached is None:
            rev = self.get(rev_id)
            found = list(_as_tuple(rev.down_revision))
            for dep in _as_tuple(getattr(rev, "dependencies", None)):
                dep_id = self.get(dep).revision
                if dep_id not in found:
                    found.append(dep_id)
            cached = self._parents[rev_id] = tuple(found)
        return cached

    def ancestors(self, rev_id: str) -> frozenset[str]:
        """Every revision ``rev_id`` reaches through parents, itself excluded."""
        cached = self._ancestors.get(rev_id)
        if cached is not None:
            return cached
        # iterative walk: long linear histories must not hit the recursion limit
        seen: set[str] = set()
        stack = list(self.parents(rev_id))
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            known = self._ancestors.get(current)
            if known is not None:
                seen.update(known)
                continue
            stack.extend(self.parents(current))
        result = self._ancestors[rev_id] = frozenset(seen)
        return result

    def covered(self, heads: Iterable[str]) -> set[str]:
        """The applied set implied by ``heads``."""
        result: set[str] = set()
        for head in heads:
            result.add(head)
            result |= self.ancestors(head)
        return result


# -- pure head bookkeeping ------------------------------------------------


def heads_after_upgrade(graph: RevisionGraph, heads: Sequence[str], rev_id: str) -> tuple[str, ...]:
    """Heads once ``rev_id`` is applied on top of ``heads``.

    Its parents stop being heads (a merge removes several); a base or a
    revision whose parents are applied but not heads adds a new head.
    """
    if rev_id in heads:
        raise CommandError(f"Revision {rev_id} is already applied (it is a current head)")
    parents = set(graph.parents(rev_id))
    # only a head that is not a direct parent needs the (costly on long
    # histories) ancestor set; a linear upgrade never computes it
    absorbed = parents
    if any(h not in parents for h in heads):
        absorbed = parents | graph.ancestors(rev_id)
    result: list[str] = []
    placed = False
    for head in heads:
        if head in absorbed:
            if not placed:
                result.append(rev_id)
                placed = True
            continue
        result.append(head)
    if not placed:
        result.append(rev_id)
    return tuple(result)


def heads_after_downgrade(graph: RevisionGraph, heads: Sequence[str], rev_id: str) -> tuple[str, ...]:
    """Heads once ``rev_id`` (a current head) is un-applied.

    Parents that no other head still reaches become heads again (an
    unmerge adds several); a base simply disappears.
    """
    if rev_id not in heads:
        raise CommandError(
            f"Can't downgrade revision {rev_id}: it is not a current head "
            f"(heads: {', '.join(heads) or 'none'})"
        )
    remaining = [h for h in heads if h != rev_id]
    still = graph.covered(remaining)
    candidates = [p for p in graph.parents(rev_id) if p not in still]
    # a parent reached from another restored parent (a depends_on that is also
    # an ancestor) is implied by it, not a head of its own
    restored = [
        p for p in candidates if not any(p in graph.ancestors(q) for q in candidates if q != p)
    ]
    result: list[str] = []
    for head in heads:
        if head == rev_id:
            result.extend(restored)
        else:
            result.append(head)
    return tuple(result)


def heads_after_stamp(
    graph: RevisionGraph, heads: Sequence[str], targets: Sequence[str], *, purge: bool = False
) -> tuple[str, ...]:
    """Heads once the table is stamped with ``targets`` (no targets: ``base``).

    Each target replaces the heads on its own line of history (its
    ancestors and descendants); a target related to no head is added as a
    new head.  With ``purge`` the table is emptied first.
    """
    if not targets:
        return ()
    current = [] if purge else list(heads)
    for target in targets:
        related = [
            h
            for h in current
            if h == target or h in graph.ancestors(target) or target in graph.ancestors(h)
        ]
        result: list[str] = []
        placed = False
        for head in current:
            if head in related:
                if not placed:
                    result.append(target)
                    placed = True
                continue
            result.append(head)
        if not placed:
            result.append(target)
        current = result
    # a target may be an ancestor of another target: keep only the newest
    return tuple(h for h in current if not any(h in graph.ancestors(o) for o in current if o != h))


# -- steps ------------------------------------------------------------------


class MigrationInfo:
    """What ``on_version_apply`` callbacks receive about the step just applied."""

    def __init__(
        self,
        revision_map: Any,
        *,
        is_upgrade: bool,
        is_stamp: bool,
        up_revisions: Sequence[str],
        down_revisions: Sequence[str],
    ) -> None:
        self.revision_map = revision_map
        self.is_upgrade = is_upgrade
        self.is_stamp = is_stamp
        self.up_revision_ids = tuple(up_revisions)
        self.down_revision_ids = tuple(down_revisions)

    @property
    def up_revision_id(self) -> str | None:
        return self.up_revision_ids[0] if self.up_revision_ids else None

    @property
    def is_migration(self) -> bool:
        return not self.is_stamp

    @property
    def source_revision_ids(self) -> tuple[str, ...]:
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self) -> tuple[str, ...]:
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    def _revs(self, ids: Sequence[str]) -> tuple[Any, ...]:
        return tuple(self.revision_map.get_revision(i) for i in ids)

    @property
    def up_revision(self) -> Any:
        return self.revision_map.get_revision(self.up_revision_id) if self.up_revision_id else None

    @property
    def up_revisions(self) -> tuple[Any, ...]:
        return self._revs(self.up_revision_ids)

    @property
    def down_revisions(self) -> tuple[Any, ...]:
        return self._revs(self.down_revision_ids)

    @property
    def source_revisions(self) -> tuple[Any, ...]:
        return self._revs(self.source_revision_ids)

    @property
    def destination_revisions(self) -> tuple[Any, ...]:
        return self._revs(self.destination_revision_ids)

    def __repr__(self) -> str:
        kind = "stamp" if self.is_stamp else ("upgrade" if self.is_upgrade else "downgrade")
        return f"<MigrationInfo {kind} {self.down_revision_ids} -> {self.up_revision_ids}>"


class MigrationStep:
    """One unit of a run: maybe a function to call, always a head move."""

    is_upgrade: bool = True
    is_stamp: bool = False
    revision: str | None = None
    path: str | None = None

    def run(self, **kw: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def preload(self) -> None:
        """Load what :meth:`run` needs (a revision's module) before the run starts."""

    def next_heads(self, heads: Sequence[str]) -> tuple[str, ...]:  # pragma: no cover
        raise NotImplementedError

    def info(self, heads_before: Sequence[str], heads_after: Sequence[str]) -> MigrationInfo:  # pragma: no cover
        raise NotImplementedError

    @property
    def short_log(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def __str__(self) -> str:
        return self.short_log


class RevisionStep(MigrationStep):
    """Run one revision's ``upgrade()`` or ``downgrade()``."""

    def __init__(self, graph: RevisionGraph, script: Any, is_upgrade: bool) -> None:
        self.graph = graph
        self.script = script
        self.is_upgrade = is_upgrade
        self.revision = script.revision
        self.path = getattr(script, "path", None)
        self.doc = getattr(script, "doc", None) or ""

    @property
    def function_name(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

    def preload(self) -> None:
        if hasattr(type(self.script), "module") or hasattr(self.script, "module"):
            self.script.module  # noqa: B018 - imports the file, raising if it is broken

    def run(self, **kw: Any) -> None:
        module = self.script.module
        fn = getattr(module, self.function_name, None)
        if fn is None:
            raise CommandError(
                f"Revision file {self.path or self.revision} has no {self.function_name}() function"
            )
        fn(**kw)

    def next_heads(self, heads: Sequence[str]) -> tuple[str, ...]:
        if self.is_upgrade:
            return heads_after_upgrade(self.graph, heads, self.revision)  # type: ignore[arg-type]
        return heads_after_downgrade(self.graph, heads, self.revision)  # type: ignore[arg-type]

    def info(self, heads_before: Sequence[str], heads_after: Sequence[str]) -> MigrationInfo:
        return MigrationInfo(
            self.graph.revision_map,
            is_upgrade=self.is_upgrade,
            is_stamp=False,
            up_revisions=(self.revision,),  # type: ignore[arg-type]
            down_revisions=self.graph.down_revisions(self.revision),  # type: ignore[arg-type]
        )

    @property
    def short_log(self) -> str:
        downs = ", ".join(self.graph.down_revisions(self.revision))  # type: ignore[arg-type]
        if self.is_upgrade:
            return f"upgrade {downs} -> {self.revision}"
        return f"downgrade {self.revision} -> {downs}"

    @property
    def log_entry(self) -> str:
        return f"{self.short_log}, {self.doc}" if self.doc else self.short_log


class StampStep(MigrationStep):
    """Move the heads to ``targets`` without running any revision."""

    is_stamp = True

    def __init__(
        self,
        graph: RevisionGraph,
        targets: Sequence[str],
        *,
        purge: bool = False,
        sources: Sequence[str] | None = None,
        removes: Sequence[str] = (),
    ) -> None:
        self.graph = graph
        self.targets = tuple(targets)
        self.purge = purge
        # the heads this stamp replaces, for the log line (Alembic's
        # "stamp_revision <sources> -> <targets>"); None: not known up front
        self.sources = None if sources is None else tuple(sources)
        # stamping to base one head at a time: the heads this step removes
        self.removes = tuple(removes)
        self.is_upgrade = True

    def run(self, **kw: Any) -> None:
        return None

    def next_heads(self, heads: Sequence[str]) -> tuple[str, ...]:
        if self.removes and not self.targets:
            new = tuple(h for h in heads if h not in self.removes)
        else:
            new = heads_after_stamp(self.graph, heads, self.targets, purge=self.purge)
        added = [h for h in new if h not in heads]
        removed = [h for h in heads if h not in new]
        # a stamp moving its lines of history backwards counts as a downgrade
        if not added:
            self.is_upgrade = not removed
        else:
            try:
                self.is_upgrade = not all(
                    any(a in self.graph.ancestors(r) for r in removed) for a in added
                )
            except CommandError:  # --purge removing revisions no file knows
                self.is_upgrade = True
        return new

    def info(self, heads_before: Sequence[str], heads_after: Sequence[str]) -> MigrationInfo:
        added = tuple(h for h in heads_after if h not in heads_before)
        removed = tuple(h for h in heads_before if h not in heads_after)
        up, down = (added, removed) if self.is_upgrade else (removed, added)
        return MigrationInfo(
            self.graph.revision_map, is_upgrade=self.is_upgrade, is_stamp=True,
            up_revisions=up, down_revisions=down,
        )

    @property
    def short_log(self) -> str:
        if self.sources is None:
            return f"stamp -> {', '.join(self.targets) or 'base'}"
        return f"stamp_revision {', '.join(self.sources)} -> {', '.join(self.targets)}"

    log_entry = short_log


# -- plans → steps ------------------------------------------------------------


def upgrade_steps(script_directory: Any, destination: str, heads: Sequence[str]) -> list[RevisionStep]:
    """Steps upgrading from ``heads`` to ``destination`` (``head``, ``heads``, an id, a range)."""
    graph = RevisionGraph(script_directory)
    plan = script_directory.upgrade_plan(destination, tuple(heads))
    return [RevisionStep(graph, script, True) for script in plan]


def downgrade_steps(script_directory: Any, destination: str, heads: Sequence[str]) -> list[RevisionStep]:
    """Steps downgrading from ``heads`` to ``destination`` (``base``, an id, ``-1``, ...)."""
    graph = RevisionGraph(script_directory)
    plan = script_directory.downgrade_plan(destination, tuple(heads))
    return [RevisionStep(graph, script, False) for script in plan]


def stamp_steps(
    script_directory: Any, revision: Any, heads: Sequence[str], *, purge: bool = False
) -> list[StampStep]:
    """Steps stamping the table with ``revision`` (one or several identifiers), one per target.

    As in Alembic, each target is its own step, logged as ``stamp_revision
    <heads it replaces> -> <target>``, the replaced heads being the current
    heads on its line of history; a target that already is a current head is
    skipped.  Stamping ``base`` is one step per current head.
    """
    graph = RevisionGraph(script_directory)
    targets: list[str] = []
    for ident in _as_tuple(revision):
        if ident == "base" or ident is None:
            continue
        for rev in _resolve(script_directory, ident):
            if rev is not None and rev.revision not in targets:
                targets.append(rev.revision)
    before = [] if purge else list(heads)
    if not targets:
        if purge:
            return [StampStep(graph, (), purge=True)]  # Alembic logs no step for it
        return [StampStep(graph, (), sources=(h,), removes=(h,)) for h in before]
    steps: list[StampStep] = []
    for target in targets:
        if target in before:
            continue
        sources = [h for h in before if _related(graph, h, target)]
        steps.append(StampStep(graph, (target,), purge=purge and not steps, sources=sources))
    return steps


def _related(graph: RevisionGraph, head: str, target: str) -> bool:
    try:
        return head in graph.ancestors(target) or target in graph.ancestors(head)
    except CommandError:  # a head no revision file knows (stamp over a stale table)
        return False


def _resolve(script_directory: Any, ident: str) -> tuple[Any, ...]:
    getter = getattr(script_directory, "get_revisions", None)
    if getter is None:
        getter = script_directory.revision_map.get_revisions
    return tuple(getter(ident))
