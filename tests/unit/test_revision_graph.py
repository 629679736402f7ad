"""The pure revision graph: shape, labels, dependencies, errors."""

from __future__ import annotations

import pytest

from retort.script.revision import (
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    Revision,
    RevisionError,
    RevisionMap,
)
from retort.util.exc import CommandError, DuplicateRevision, MissingRevision


def make_map(*specs: tuple) -> RevisionMap:
    """Build a map from ``(rev, down[, depends_on[, branch_labels]])`` tuples."""

    def gen():
        for spec in specs:
            rev, down, deps, labels = (list(spec) + [None, None])[:4]
            yield Revision(rev, down, dependencies=deps, branch_labels=labels)

    return RevisionMap(gen)


# a -> b -> c -> d1 -> m ; c -> d2 -> m ; second base x(net) -> x1 -> y (y depends on b)
GRAPH = (
    ("a", None),
    ("b", "a"),
    ("c", "b"),
    ("d1", "c"),
    ("d2", "c"),
    ("m", ("d1", "d2")),
    ("x", None, None, "net"),
    ("x1", "x"),
    ("y", "x1", "b"),
)


@pytest.fixture
def graph() -> RevisionMap:
    return make_map(*GRAPH)


def test_linear_heads_and_bases():
    m = make_map(("a", None), ("b", "a"), ("c", "b"))
    assert m.heads == ("c",)
    assert m.bases == ("a",)
    assert m.get_current_head() == "c"
    assert m.branch_points == ()
    assert m.merge_points == ()
    assert [r.revision for r in m.iterate_revisions("heads", "base")] == ["c", "b", "a"]


def test_empty_map():
    m = make_map()
    assert m.heads == ()
    assert m.bases == ()
    assert m.get_current_head() is None
    assert m.get_revision("head") is None
    assert m.get_revisions("heads") == ()
    assert m.upgrade_plan("heads", ()) == []


def test_shape_of_branches_merges_and_several_bases(graph):
    assert set(graph.heads) == {"m", "y"}
    assert set(graph.bases) == {"a", "x"}
    assert graph.branch_points == ("c",)
    assert graph.merge_points == ("m",)
    c = graph.get_revision("c")
    assert c.is_branch_point and not c.is_head and not c.is_base
    assert c.nextrev == frozenset({"d1", "d2"})
    m = graph.get_revision("m")
    assert m.is_merge_point and m.is_head
    # b is depended on by y: a head in neither sense, but a child through depends_on
    b = graph.get_revision("b")
    assert b.nextrev == frozenset({"c"})
    assert b._all_nextrev == frozenset({"c", "y"})


def test_real_heads_and_bases_consider_dependencies():
    m = make_map(("a", None), ("b", None, "a"))
    assert set(m.heads) == {"a", "b"}
    assert m._real_heads == ("b",)
    assert set(m.bases) == {"a", "b"}
    assert m._real_bases == ("a",)


def test_ancestors_and_descendants(graph):
    assert graph.ancestors(["y"]) == {"x1", "x", "b", "a"}
    assert graph.ancestors(["y"], include_dependencies=False) == {"x1", "x"}
    assert graph.descendants(["b"]) == {"c", "d1", "d2", "m", "y"}
    assert graph.descendants(["b"], include_dependencies=False) == {"c", "d1", "d2", "m"}
    assert graph.ancestors([]) == set()
    with pytest.raises(ResolutionError):
        graph.ancestors(["nope"])


def test_branch_labels_propagate(graph):
    # declared on the base x: applies to x and everything after it
    for rid in ("x", "x1", "y"):
        assert "net" in graph.get_revision(rid).branch_labels
    assert "net" not in graph.get_revision("b").branch_labels
    assert graph.get_revision("x")._orig_branch_labels == {"net"}
    assert graph.get_revision("y")._orig_branch_labels == set()
    assert graph.branch_label_map == {"net": "x"}


def test_label_propagates_back_to_the_branch_point():
    m = make_map(("a", None), ("b", "a"), ("c1", "b"), ("c2", "c1", None, "feat"), ("d", "b"))
    assert "feat" in m.get_revision("c1").branch_labels  # ancestor, after the branch point
    assert "feat" not in m.get_revision("b").branch_labels  # the branch point itself
    assert "feat" not in m.get_revision("d").branch_labels


def test_topological_order_is_parents_first(graph):
    order = [r.revision for r in graph.topological_order(graph._revision_map)]
    for rev in graph:
        for parent in rev._all_down_revisions:
            assert order.index(parent) < order.index(rev.revision)
    newest = [r.revision for r in graph.topological_order(graph._revision_map, newest_first=True)]
    assert newest == list(reversed(order))


def test_long_linear_history_does_not_recurse():
    n = 3000
    specs = [("r0", None)] + [("r%d" % i, "r%d" % (i - 1)) for i in range(1, n)]
    m = make_map(*specs)
    assert m.heads == ("r%d" % (n - 1),)
    assert len(m.upgrade_plan("heads", ())) == n
    assert len(m.ancestors(["r%d" % (n - 1)])) == n - 1
    assert len(list(m.iterate_revisions("heads", "base"))) == n


# -- errors --------------------------------------------------------------


def test_self_loop():
    with pytest.raises(LoopDetected) as exc:
        Revision("a", "a")
    assert exc.value.revision == "a"
    with pytest.raises(DependencyLoopDetected):
        Revision("a", None, dependencies="a")


def test_cycle():
    m = make_map(("a", "c"), ("b", "a"), ("c", "b"), ("z", None))
    with pytest.raises(CycleDetected) as exc:
        m.heads
    assert not isinstance(exc.value, DependencyCycleDetected)
    assert set(exc.value.revisions) == {"a", "b", "c"}
    assert isinstance(exc.value, RevisionError) and isinstance(exc.value, CommandError)


def test_dependency_cycle():
    m = make_map(("a", None, "c"), ("b", None), ("c", "b", "a"))
    with pytest.raises(DependencyCycleDetected) as exc:
        m.heads
    assert set(exc.value.revisions) == {"a", "c"}


def test_missing_down_revision():
    m = make_map(("a", None), ("b", "zzz"))
    with pytest.raises(MissingRevision) as exc:
        m.heads
    assert exc.value.revision == "zzz"
    assert "zzz" in str(exc.value) and "b" in str(exc.value)


def test_missing_dependency():
    m = make_map(("a", None), ("b", "a", "nothere"))
    with pytest.raises(MissingRevision, match="nothere"):
        m.heads


def test_duplicate_revision():
    m = make_map(("a", None), ("a", None))
    with pytest.raises(DuplicateRevision) as exc:
        m.heads
    assert exc.value.revision == "a"


def test_duplicate_branch_label():
    m = make_map(("a", None, None, "lab"), ("b", None, None, "lab"))
    with pytest.raises(RevisionError, match="Branch name 'lab'"):
        m.heads


@pytest.mark.parametrize("bad", ["a-b", "a+b", "a@b"])
def test_illegal_characters_in_revision_id(bad):
    with pytest.raises(RevisionError, match="not allowed"):
        Revision(bad, None)


def test_add_revision(graph):
    graph.add_revision(Revision("n", "m"))
    assert set(graph.heads) == {"n", "y"}
    with pytest.raises(DuplicateRevision):
        graph.add_revision(Revision("n", "m"))
    assert MultipleHeads  # re-exported name
    assert RangeNotAncestorError
