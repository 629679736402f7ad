"""Property: over random revision graphs, walking the script layer's plans with the
runtime's head bookkeeping keeps heads == the newest applied revisions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retort.runtime.steps import RevisionGraph, RevisionStep
from retort.script.revision import RangeNotAncestorError, Revision, RevisionMap


@st.composite
def revision_graphs(draw):
    count = draw(st.integers(min_value=1, max_value=9))
    revs = []
    for i in range(count):
        earlier = [f"r{j}" for j in range(i)]
        parents = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        others = [e for e in earlier if e not in parents]
        deps = draw(st.lists(st.sampled_from(others), max_size=1)) if others else []
        revs.append(Revision(f"r{i}", tuple(parents) or None, dependencies=tuple(deps) or None))
    return RevisionGraph(RevisionMap(lambda: revs))


def maxima(graph: RevisionGraph, applied: set[str]) -> set[str]:
    return {r for r in applied if not any(r in graph.ancestors(o) for o in applied if o != r)}


def walk(graph, plan, upgrade, heads):
    for rev in plan:
        heads = RevisionStep(graph, rev, upgrade).next_heads(heads)
        assert len(set(heads)) == len(heads)
        assert set(heads) == maxima(graph, graph.covered(heads))
    return heads


@settings(max_examples=80, deadline=None)
@given(revision_graphs(), st.data())
def test_random_graph_upgrade_and_downgrade(graph, data):
    rmap = graph.revision_map
    everything = {r.revision for r in rmap}
    target = data.draw(st.sampled_from(sorted(everything)))
    heads = walk(graph, rmap.upgrade_plan(target, ()), True, ())
    assert graph.covered(heads) >= {target} | graph.ancestors(target)
    heads = walk(graph, rmap.upgrade_plan("heads", heads), True, heads)
    assert graph.covered(heads) == everything
    assert set(heads) == maxima(graph, everything)
    heads = walk(graph, rmap.downgrade_plan("base", heads), False, heads)
    assert heads == ()


@settings(max_examples=80, deadline=None)
@given(revision_graphs(), st.data())
def test_random_partial_downgrade_and_stamp(graph, data):
    from retort.runtime.steps import heads_after_stamp

    rmap = graph.revision_map
    everything = sorted(r.revision for r in rmap)
    heads = walk(graph, rmap.upgrade_plan("heads", ()), True, ())
    target = data.draw(st.sampled_from(everything))
    on_a_line = rmap._walk(rmap._revision_map, [target], up=True, include_deps=False)
    if on_a_line or target in heads:
        heads = walk(graph, rmap.downgrade_plan(target, heads), False, heads)
    else:
        # applied only as some revision's dependency: as Alembic, no downgrade target
        with pytest.raises(RangeNotAncestorError):
            rmap.downgrade_plan(target, heads)
    assert target in graph.covered(heads)
    stamp_to = data.draw(st.sampled_from(everything))
    stamped = heads_after_stamp(graph, heads, [stamp_to])
    assert stamp_to in stamped
    assert set(stamped) == maxima(graph, graph.covered(stamped))
