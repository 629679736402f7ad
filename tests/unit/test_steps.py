"""Head bookkeeping of runtime steps over hand-built revision maps (no database)."""

from __future__ import annotations

import pytest

from retort.runtime.steps import (
    RevisionGraph,
    RevisionStep,
    StampStep,
    heads_after_downgrade,
    heads_after_stamp,
    heads_after_upgrade,
)
from retort.script.revision import Revision, RevisionMap
from retort.util.exc import CommandError


def graph(*revs: Revision) -> RevisionGraph:
    return RevisionGraph(RevisionMap(lambda: list(revs)))


@pytest.fixture
def branched() -> RevisionGraph:
    #      a -> b1 -> m
    #        \-> c1 -/      d (separate base)    e depends on c1 (down d)
    return graph(
        Revision("a", None),
        Revision("b1", "a"),
        Revision("c1", "a"),
        Revision("m", ("b1", "c1")),
        Revision("d", None),
        Revision("e", "d", dependencies="c1"),
    )


def upgrade_all(g: RevisionGraph, heads: tuple[str, ...], revs: list[str]) -> tuple[str, ...]:
    for rev in revs:
        heads = heads_after_upgrade(g, heads, rev)
    return heads


def test_linear_upgrade_replaces_parent(branched):
    assert heads_after_upgrade(branched, (), "a") == ("a",)
    assert heads_after_upgrade(branched, ("a",), "b1") == ("b1",)


def test_branch_point_adds_second_head(branched):
    heads = upgrade_all(branched, (), ["a", "b1"])
    assert heads_after_upgrade(branched, heads, "c1") == ("b1", "c1")


def test_merge_point_collapses_heads(branched):
    heads = upgrade_all(branched, (), ["a", "b1", "c1"])
    assert heads_after_upgrade(branched, heads, "m") == ("m",)


def test_second_base_is_a_new_head(branched):
    assert heads_after_upgrade(branched, ("m",), "d") == ("m", "d")


def test_depends_on_absorbs_dependency_head(branched):
    # c1 is a head; e depends on it, so once e is applied c1 is implied by e
    heads = upgrade_all(branched, (), ["a", "b1", "c1", "d"])
    assert heads_after_upgrade(branched, heads, "e") == ("b1", "e")


def test_upgrading_an_applied_head_is_refused(branched):
    with pytest.raises(CommandError):
        heads_after_upgrade(branched, ("a",), "a")


def test_downgrade_linear_and_to_base(branched):
    assert heads_after_downgrade(branched, ("b1",), "b1") == ("a",)
    assert heads_after_downgrade(branched, ("a",), "a") == ()


def test_downgrade_merge_restores_both_parents(branched):
    assert heads_after_downgrade(branched, ("m",), "m") == ("b1", "c1")


def test_downgrade_one_branch_keeps_shared_parent_implied(branched):
    # a is still reached from c1, so it must not come back as a head
    assert heads_after_downgrade(branched, ("b1", "c1"), "b1") == ("c1",)


def test_downgrade_dependent_restores_dependency(branched):
    heads = ("b1", "e")
    assert heads_after_downgrade(branched, heads, "e") == ("b1", "d", "c1")


def test_downgrade_requires_current_head(branched):
    with pytest.raises(CommandError, match="not a current head"):
        heads_after_downgrade(branched, ("b1",), "a")


def test_stamp_replaces_own_line_and_keeps_others(branched):
    assert heads_after_stamp(branched, ("b1", "d"), ["m"]) == ("m", "d")
    # stamping backwards on one branch
    assert heads_after_stamp(branched, ("m", "d"), ["a"]) == ("a", "d")
    # unrelated target becomes a new head
    assert heads_after_stamp(branched, ("b1",), ["d"]) == ("b1", "d")


def test_stamp_base_and_purge(branched):
    assert heads_after_stamp(branched, ("m", "d"), []) == ()
    assert heads_after_stamp(branched, ("zzz-unknown",), ["a"], purge=True) == ("a",)


def test_stamp_several_targets_keeps_newest(branched):
    assert heads_after_stamp(branched, (), ["a", "m"]) == ("m",)
    assert heads_after_stamp(branched, (), ["b1", "c1"]) == ("b1", "c1")


def test_full_walk_up_and_down_round_trips(branched):
    rmap = branched.revision_map
    plan = rmap.upgrade_plan("heads", ())
    heads: tuple[str, ...] = ()
    for rev in plan:
        heads = RevisionStep(branched, rev, True).next_heads(heads)
    assert set(heads) == set(rmap.heads)
    down = rmap.downgrade_plan("base", heads)
    for rev in down:
        heads = RevisionStep(branched, rev, False).next_heads(heads)
    assert heads == ()


def test_step_logs_and_info(branched):
    step = RevisionStep(branched, branched.get("m"), True)
    assert step.short_log == "upgrade b1, c1 -> m"
    info = step.info(("b1", "c1"), ("m",))
    assert info.up_revision_id == "m"
    assert info.source_revision_ids == ("b1", "c1")
    assert info.destination_revision_ids == ("m",)
    assert [r.revision for r in info.down_revisions] == ["b1", "c1"]
    down = RevisionStep(branched, branched.get("a"), False)
    assert down.short_log == "downgrade a -> "


def test_stamp_step_direction(branched):
    step = StampStep(branched, ["a"])
    assert step.next_heads(("m",)) == ("a",)
    assert step.is_upgrade is False
    info = step.info(("m",), ("a",))
    assert info.is_stamp and info.up_revision_ids == ("m",) and info.down_revision_ids == ("a",)
    forward = StampStep(branched, ["m"])
    assert forward.next_heads(("a",)) == ("m",)
    assert forward.is_upgrade is True
