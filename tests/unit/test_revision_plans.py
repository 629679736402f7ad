"""Upgrade / downgrade plans and ranges, checked by hand and against Alembic 1.20."""

from __future__ import annotations

import random

import pytest

from retort.script.revision import MultipleHeads, RangeNotAncestorError, ResolutionError, Revision, RevisionError, RevisionMap


def make_map(specs, cls=Revision, map_cls=RevisionMap):
    def gen():
        for spec in specs:
            rev, down, deps, labels = (list(spec) + [None, None])[:4]
            yield cls(rev, down, dependencies=deps, branch_labels=labels)

    return map_cls(gen)


SPECS = [
    ("a", None),
    ("b", "a"),
    ("c", "b"),
    ("d1", "c"),
    ("d2", "c"),
    ("m", ("d1", "d2")),
    ("x", None, None, "net"),
    ("x1", "x"),
    ("y", "x1", "b"),
    ("w", "c"),
    ("w2", "w", "d1"),
]


@pytest.fixture
def rmap():
    return make_map(SPECS)


def ids(revs):
    return [r.revision for r in revs]


def assert_parents_first(rmap, plan):
    order = ids(plan)
    for rid in order:
        for parent in rmap.get_revision(rid)._all_down_revisions:
            if parent in order:
                assert order.index(parent) < order.index(rid), (parent, rid, order)


@pytest.mark.parametrize(
    "dest, current, expected",
    [
        ("heads", (), {"a", "b", "c", "d1", "d2", "m", "x", "x1", "y", "w", "w2"}),
        ("m", (), {"a", "b", "c", "d1", "d2", "m"}),
        ("y", (), {"a", "b", "x", "x1", "y"}),  # depends_on pulls in b
        ("y", ("a",), {"b", "x", "x1", "y"}),
        ("m", ("w2",), {"d2", "m"}),
        ("net@+1", ("b", "x"), {"x1"}),
        ("net@+2", (), {"x", "x1"}),
        ("net@head", (), {"a", "b", "x", "x1", "y"}),
        ("+2", ("x",), {"a", "b", "x1", "y"}),
        ("x1+1", (), {"a", "b", "x", "x1", "y"}),
        ("b", ("c",), set()),  # already there: nothing to do
        ("d1", ("d2",), {"d1"}),
        ("c", ("y",), {"c"}),
        ("a:c", ("m",), {"b", "c"}),  # an offline range ignores the database
    ],
)
def test_upgrade_plan(rmap, dest, current, expected):
    plan = rmap.upgrade_plan(dest, current)
    assert set(ids(plan)) == expected
    assert len(plan) == len(expected)
    assert_parents_first(rmap, plan)


@pytest.mark.parametrize(
    "dest, current, expected",
    [
        ("base", ("m", "y", "w2"), {"a", "b", "c", "d1", "d2", "m", "x", "x1", "y", "w", "w2"}),
        ("c", ("m", "y", "w2"), {"m", "w2", "w", "d1", "d2"}),
        ("x", ("m", "y", "w2"), {"y", "x1"}),
        ("net@base", ("m", "y", "w2"), {"y", "x1", "x"}),
        ("d2", ("m",), {"m"}),
        ("d1", ("m", "w2"), {"m"}),  # w2 only depends on d1, which stays
        ("a", ("c", "y"), {"c", "y", "b"}),  # y depends on b, which goes
        ("-1", ("c",), {"c"}),
        ("-3", ("c",), {"c", "b", "a"}),
        ("c-1", ("c",), {"c"}),
        ("b-1", ("c",), {"c", "b"}),
        ("net@-1", ("y", "c"), {"y"}),
        ("net@-2", ("y", "c"), {"y", "x1"}),
        ("x1", ("y", "c"), {"y"}),
        ("c:a", (), {"c", "b"}),
    ],
)
def test_downgrade_plan(rmap, dest, current, expected):
    plan = rmap.downgrade_plan(dest, current)
    assert set(ids(plan)) == expected
    order = list(reversed(ids(plan)))  # children first == reversed parents first
    for rid in order:
        for parent in rmap.get_revision(rid)._all_down_revisions:
            if parent in order:
                assert order.index(parent) < order.index(rid)


def test_downgrade_errors(rmap):
    with pytest.raises(RangeNotAncestorError):
        rmap.downgrade_plan("m", ("c",))
    with pytest.raises(RevisionError, match="didn't produce 4 migrations"):
        rmap.downgrade_plan("-4", ("c",))
    with pytest.raises(RevisionError, match="Ambiguous"):
        rmap.downgrade_plan("-1", ("m",))  # m merges two parents
    with pytest.raises(RevisionError, match="Ambiguous"):
        rmap.downgrade_plan("-1", ("m", "y"))
    with pytest.raises(MultipleHeads):
        rmap.downgrade_plan("heads", ("y", "c"))
    with pytest.raises(ResolutionError):
        rmap.downgrade_plan("zzzz", ("y", "c"))


def test_upgrade_errors(rmap):
    with pytest.raises(RevisionError, match="Ambiguous walk"):
        rmap.upgrade_plan("+2", ("b",))
    with pytest.raises(RevisionError, match="Ambiguous upgrade from multiple current revisions"):
        rmap.upgrade_plan("+2", ("b", "x"))
    with pytest.raises(RevisionError, match="didn't produce 5 migrations"):
        rmap.upgrade_plan("+5", ("x",))
    with pytest.raises(MultipleHeads):
        rmap.upgrade_plan("head", ())
    with pytest.raises(ResolutionError):
        rmap.upgrade_plan("zzzz", ())


def test_iterate_revisions_ranges(rmap):
    assert ids(rmap.iterate_revisions("m", "b")) == ["m", "d2", "d1", "c"] or set(
        ids(rmap.iterate_revisions("m", "b"))
    ) == {"m", "d1", "d2", "c"}
    assert set(ids(rmap.iterate_revisions("m", "b", inclusive=True))) == {"m", "d1", "d2", "c", "b"}
    assert set(ids(rmap.iterate_revisions("y", "base"))) == {"y", "x1", "x", "b", "a"}
    with pytest.raises(RangeNotAncestorError):
        list(rmap.iterate_revisions("d2", "d1"))
    # the Alembic spellings of an upgrade and a downgrade walk
    assert set(ids(rmap.iterate_revisions("m", ("d1",), implicit_base=True))) == {"d2", "m"}
    assert set(ids(rmap.iterate_revisions(("m",), "d2", select_for_downgrade=True))) == {"m"}


LINEAR = [("r1", None), ("r2", "r1"), ("r3", "r2"), ("r4", "r3"), ("r5", "r4")]


@pytest.mark.parametrize(
    "upper, lower, expected",
    [
        ("heads", "-1", ["r5", "r4"]),
        ("r3", "-2", ["r3"]),  # -2 counts down from the head (r5), not from r3
        ("r3", "-4", ["r3", "r2", "r1"]),
        ("r4", "-1", ["r4"]),
        ("+1", "r2", ["r3", "r2"]),  # a bare +N end counts up from the start
    ],
)
def test_bare_relative_start_counts_from_the_head(upper, lower, expected):
    # as Alembic's history -r -N:<end>
    m = make_map(LINEAR)
    assert ids(m.iterate_revisions(upper, lower, inclusive=True)) == expected


def test_bare_relative_start_above_the_end_is_no_range():
    m = make_map(LINEAR)
    with pytest.raises(RangeNotAncestorError):
        list(m.iterate_revisions("r3", "-1", inclusive=True))  # -1 is r4, above r3


def test_bare_relative_start_with_several_heads_is_ambiguous(rmap):
    # Alembic: "Ambiguous walk", even when the end is one revision (history -r -1:current)
    for upper in ("c", "heads"):
        with pytest.raises(RevisionError, match="Ambiguous walk: -1 counts down from the head"):
            list(rmap.iterate_revisions(upper, "-1", inclusive=True))


# -- against Alembic -------------------------------------------------------


def random_specs(rng: random.Random, n: int):
    specs = []
    made: list[str] = []
    labels = 0
    for i in range(n):
        rid = "r%03d" % i
        roll = rng.random()
        if not made or roll < 0.08:
            down = None
        elif roll < 0.2 and len(made) >= 2:
            down = tuple(rng.sample(made, 2))
        else:
            down = rng.choice(made[-5:])
        deps = None
        if made and rng.random() < 0.15:
            deps = rng.choice(made)
            if down is not None and deps in ((down,) if isinstance(down, str) else down):
                deps = None
        label = None
        if rng.random() < 0.05:
            label = "lab%d" % labels
            labels += 1
        specs.append((rid, down, deps, label))
        made.append(rid)
    return specs


@pytest.mark.parametrize("seed", range(12))
def test_plans_match_alembic(seed):
    alembic_revision = pytest.importorskip("alembic.script.revision")
    rng = random.Random(seed)
    specs = random_specs(rng, 30)
    ours = make_map(specs)
    theirs = make_map(specs, alembic_revision.Revision, alembic_revision.RevisionMap)
    assert set(ours.heads) == set(theirs.heads)
    assert set(ours.bases) == set(theirs.bases)
    for _ in range(15):
        current = tuple(sorted(set(rng.sample([s[0] for s in specs], rng.randint(0, 2)))))
        # keep only a consistent set of heads (none an ancestor of another)
        anc = ours.ancestors(current) if current else set()
        current = tuple(c for c in current if c not in anc)
        target = rng.choice([s[0] for s in specs] + ["heads"])
        try:
            expected = {r.revision for r in theirs.iterate_revisions(target, current, implicit_base=True)}
        except Exception:
            expected = None
        if expected is not None:
            plan = ours.upgrade_plan(target, current)
            assert set(ids(plan)) == expected, (target, current)
            assert_parents_first(ours, plan)
        if current:
            applied = set(current) | ours.ancestors(current)
            down_target = rng.choice(sorted(applied) + ["base"])
            try:
                expected = {
                    r.revision for r in theirs.iterate_revisions(current, down_target, select_for_downgrade=True)
                }
            except Exception:
                continue
            assert set(ids(ours.downgrade_plan(down_target, current))) == expected, (down_target, current)


def test_relative_range_ends_count_from_the_other_end():
    m = make_map([("a", None), ("b", "a"), ("c", "b"), ("d", "c"), ("e", "d")])
    assert ids(m.iterate_revisions("heads", "-2", inclusive=True)) == ["e", "d", "c"]
    assert ids(m.iterate_revisions("heads", "-2")) == ["e", "d"]
    assert ids(m.iterate_revisions("+2", "a", inclusive=True)) == ["c", "b", "a"]
    assert ids(m.iterate_revisions("c+1", "a")) == ["d", "c", "b"]


@pytest.mark.parametrize(
    "dest, current, expected",
    [
        # the documentation's shape: shoppingcart branches off 2a6b, networking is its own base
        ("shoppingcart@+1", ("2a6b",), ["27c6"]),
        ("shoppingcart@+1", ("1975",), ["2a6b"]),  # below the branch: walk towards it
        ("shoppingcart@+2", ("ae10",), ["27c6", "44aa"]),  # a sibling: start at the branch's first revision
        ("networking@+1", ("ae10",), ["3cac"]),
        ("shoppingcart@+1", ("27c6", "3cac"), ["44aa"]),
        ("shoppingcart@head", ("2a6b",), ["ae10", "27c6", "44aa", "5f8e"]),
        ("+1", ("ae10",), ["27c6", "44aa", "5f8e"]),  # a merge needs its other parent too
    ],
)
def test_label_relative_upgrades(dest, current, expected):
    m = make_map(DOC_SPECS)
    assert sorted(ids(m.upgrade_plan(dest, current))) == sorted(expected)


DOC_SPECS = [
    ("1975", None),
    ("2a6b", "1975"),
    ("27c6", "2a6b", None, "shoppingcart"),
    ("44aa", "27c6"),
    ("ae10", "2a6b"),
    ("5f8e", ("44aa", "ae10")),
    ("3cac", None, None, "networking"),
    ("109e", "3cac", "ae10"),
]


@pytest.mark.parametrize(
    "dest, current, expected",
    [
        ("shoppingcart@-1", ("44aa", "3cac"), ["44aa"]),
        ("networking@-1", ("109e", "5f8e"), ["109e"]),
        ("networking@base", ("109e", "5f8e"), ["109e", "3cac"]),
    ],
)
def test_label_relative_downgrades(dest, current, expected):
    m = make_map(DOC_SPECS)
    assert ids(m.downgrade_plan(dest, current)) == expected


def test_label_relative_downgrade_through_a_merge_is_ambiguous():
    m = make_map(DOC_SPECS)
    with pytest.raises(RevisionError, match="Ambiguous walk"):
        m.downgrade_plan("shoppingcart@-1", ("5f8e",))


@pytest.mark.parametrize("seed", range(20))
def test_plan_invariants(seed):
    """Whatever the graph: an upgrade completes the target's ancestry, a downgrade leaves a closed set."""
    rng = random.Random(1000 + seed)
    specs = random_specs(rng, 40)
    m = make_map(specs)
    all_ids = [s[0] for s in specs]
    for _ in range(10):
        current = tuple(rng.sample(all_ids, rng.randint(0, 3)))
        anc = m.ancestors(current) if current else set()
        current = tuple(c for c in current if c not in anc)
        applied = set(current) | anc
        target = rng.choice(all_ids)
        plan = ids(m.upgrade_plan(target, current))
        assert not set(plan) & applied
        assert len(plan) == len(set(plan))
        after = applied | set(plan)
        assert {target} | m.ancestors([target]) <= after
        assert_parents_first(m, m.upgrade_plan(target, current))
        for rid in plan:  # nothing needless: each planned revision is the target or one of its ancestors
            assert rid == target or rid in m.ancestors([target])
        if not current:
            continue
        down_target = rng.choice(sorted(applied))
        on_a_line = m._walk(m._revision_map, [down_target], up=True, include_deps=False) & applied
        if not on_a_line and down_target not in current:
            # applied only as something's dependency: as Alembic, no downgrade target
            with pytest.raises(RangeNotAncestorError, match="not an ancestor"):
                m.downgrade_plan(down_target, current)
            continue
        removed = ids(m.downgrade_plan(down_target, current))
        remaining = applied - set(removed)
        assert down_target in remaining
        for rid in remaining:  # still a consistent database state
            assert m.ancestors([rid]) <= remaining
        for rid in removed:
            assert rid in m.descendants([down_target])
