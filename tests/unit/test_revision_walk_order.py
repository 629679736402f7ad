"""The order revisions are walked in (history, upgrade / downgrade plans) is Alembic 1.20's.

Random graphs with branches, merges, several bases and ``depends_on`` are
built twice, as an Alembic ``RevisionMap`` and as a retort one; the history
walk (newest first) must come out in the same order.
"""

from __future__ import annotations

import random

import pytest

from retort.script.plan import range_revisions
from retort.script.revision import Revision, RevisionMap

alembic_revision = pytest.importorskip("alembic.script.revision")


def random_specs(rng: random.Random, n: int) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    specs = []
    for i in range(n):
        earlier = [s[0] for s in specs]
        roll = rng.random()
        if not earlier or roll < 0.08:
            down: tuple[str, ...] = ()
        elif roll < 0.25 and len(earlier) > 1:
            down = tuple(rng.sample(earlier, 2))
        else:
            # mostly on one of the newest revisions, so lines grow long
            down = (rng.choice(earlier[-4:]),)
        others = [e for e in earlier if e not in down]
        deps = (rng.choice(others),) if others and rng.random() < 0.12 else ()
        specs.append((f"r{i:03d}", down, deps))
    return specs


def _down(down: tuple[str, ...]):
    return None if not down else (down[0] if len(down) == 1 else down)


def both_maps(specs):
    ours = RevisionMap(lambda: [Revision(r, _down(d), dependencies=deps or None) for r, d, deps in specs])
    theirs = alembic_revision.RevisionMap(
        lambda: [alembic_revision.Revision(r, _down(d), dependencies=deps or None) for r, d, deps in specs]
    )
    return ours, theirs


@pytest.mark.parametrize("seed", range(40))
def test_history_walk_is_alembics(seed):
    rng = random.Random(seed)
    ours, theirs = both_maps(random_specs(rng, rng.randint(5, 60)))
    expected = [r.revision for r in theirs.iterate_revisions("heads", "base")]
    assert [r.revision for r in range_revisions(ours, "heads", "base", inclusive=True)] == expected


@pytest.mark.parametrize("seed", range(40))
def test_upgrade_plan_from_base_is_alembics(seed):
    rng = random.Random(500 + seed)
    ours, theirs = both_maps(random_specs(rng, rng.randint(5, 60)))
    # Alembic upgrades along its history walk, reversed
    expected = [r.revision for r in theirs.iterate_revisions("heads", "base")][::-1]
    assert [r.revision for r in ours.upgrade_plan("heads", ())] == expected
