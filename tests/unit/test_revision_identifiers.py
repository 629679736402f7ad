"""Every identifier form RevisionMap resolves, and every way it refuses."""

from __future__ import annotations

import pytest

from retort.script.revision import MultipleHeads, ResolutionError, Revision, RevisionError, RevisionMap


def make_map(*specs: tuple) -> RevisionMap:
    def gen():
        for spec in specs:
            rev, down, deps, labels = (list(spec) + [None, None])[:4]
            yield Revision(rev, down, dependencies=deps, branch_labels=labels)

    return RevisionMap(gen)


@pytest.fixture
def rmap() -> RevisionMap:
    # a -> b -> c -> d1 -> e1(lab) -> abc9 ; c -> d2 ; base zz(other) -> zy (depends on b)
    return make_map(
        ("a", None),
        ("b", "a"),
        ("c", "b"),
        ("d1", "c"),
        ("d2", "c"),
        ("e1", "d1", None, "lab"),
        ("abc9", "e1"),
        ("zz", None, None, "other"),
        ("zy", "zz", "b"),
    )


def ids(revs) -> list[str]:
    return [r.revision for r in revs]


@pytest.mark.parametrize(
    "ident, expected",
    [
        ("heads", ["d2", "abc9", "zy"]),
        ("base", []),
        (None, []),
        ("a", ["a"]),
        ("ab", ["abc9"]),  # unique prefix
        ("abc9", ["abc9"]),
        ("zz", ["zz"]),  # exact id beats the prefix shared with nothing else
        ("lab", ["e1"]),  # a label alone: the revision declaring it
        ("lab@head", ["abc9"]),
        ("lab@heads", ["abc9"]),
        ("lab@base", []),
        ("other@head", ["zy"]),
        ("d1@head", ["abc9"]),  # a revision's own head
        ("c@heads", ["d2", "abc9"]),
        ("lab@abc9", ["abc9"]),
        (("a", "zz"), ["a", "zz"]),
        (["abc9", "abc9"], ["abc9"]),
        ("e1+1", ["abc9"]),
        ("abc9-2", ["d1"]),
        ("b+1", ["c"]),
        ("a-1", []),  # one below a base is "base"
        ("lab@head-1", ["e1"]),
    ],
)
def test_resolves(rmap, ident, expected):
    assert ids(rmap.get_revisions(ident)) == expected


def test_get_revision_single(rmap):
    assert rmap.get_revision("abc").revision == "abc9"
    assert rmap.get_revision("base") is None
    assert rmap.get_revision(None) is None
    assert rmap.get_current_head("lab") == "abc9"
    assert rmap.get_current_head("other") == "zy"


def test_current_uses_the_callers_heads(rmap):
    assert ids(rmap.get_revisions("current", current_heads=("c", "zz"))) == ["c", "zz"]
    assert ids(rmap.get_revisions("current", current_heads=())) == []
    with pytest.raises(ResolutionError, match="current"):
        rmap.get_revisions("current")


def test_relative_from_current_heads(rmap):
    assert ids(rmap.get_revisions("+1", current_heads=("d1",))) == ["e1"]
    assert ids(rmap.get_revisions("-2", current_heads=("d1",))) == ["b"]
    assert ids(rmap.get_revisions("lab@+1", current_heads=("e1", "zz"))) == ["abc9"]
    assert ids(rmap.get_revisions("other@+1", current_heads=("e1", "zz"))) == ["zy"]
    assert ids(rmap.get_revisions("lab@-1", current_heads=("abc9", "zz"))) == ["e1"]


def test_unknown_revision(rmap):
    with pytest.raises(ResolutionError) as exc:
        rmap.get_revisions("nothere")
    assert exc.value.argument == "nothere"
    assert "No such revision or branch 'nothere'" in str(exc.value)


def test_short_unknown_mentions_four_characters(rmap):
    with pytest.raises(ResolutionError, match="at least four characters"):
        rmap.get_revisions("q")


@pytest.mark.parametrize("ident", ["h", "h1", "m", "b"])
def test_ids_shorter_than_four_characters_are_never_partial_matches(ident):
    # as in Alembic: 'h' does not find 'h12' (nor 'b' find 'b5'), though it is
    # the only id starting with it
    m = make_map(("b5", None), ("h12", "b5"), ("m99", "h12"), ("e1f2", "m99"))
    with pytest.raises(ResolutionError, match="No such revision or branch '%s'; please ensure at least four "
                       "characters are present for partial revision identifier matches" % ident):
        m.get_revisions(ident)


@pytest.mark.parametrize("ident", ["e", "e1", "e1f"])
def test_a_short_prefix_finds_an_id_of_four_characters(ident):
    m = make_map(("b5", None), ("h12", "b5"), ("e1f2", "h12"))
    assert ids(m.get_revisions(ident)) == ["e1f2"]


def test_ambiguous_partial_id():
    m = make_map(("abcd1", None), ("abcd2", "abcd1"))
    with pytest.raises(ResolutionError) as exc:
        m.get_revisions("abcd")
    assert "Multiple revisions start with 'abcd'" in str(exc.value)
    assert "abcd1" in str(exc.value) and "abcd2" in str(exc.value)


def test_head_with_several_heads(rmap):
    with pytest.raises(MultipleHeads) as exc:
        rmap.get_revisions("head")
    assert set(exc.value.heads) == {"d2", "abc9", "zy"}
    with pytest.raises(MultipleHeads):
        rmap.get_revision("heads")
    with pytest.raises(MultipleHeads):
        rmap.get_current_head()
    with pytest.raises(MultipleHeads):
        rmap.get_revisions("c@head")


def test_unknown_branch(rmap):
    with pytest.raises(ResolutionError, match="No such branch: 'nolabel'"):
        rmap.get_revisions("nolabel@head")


def test_revision_not_in_branch(rmap):
    with pytest.raises(ResolutionError, match="not a member of branch 'lab'"):
        rmap.get_revisions("lab@d2")


def test_ambiguous_relative_walks(rmap):
    with pytest.raises(RevisionError, match="Ambiguous walk"):
        rmap.get_revisions("c+1")  # c branches into d1 and d2
    with pytest.raises(RevisionError, match="Ambiguous"):
        rmap.get_revisions("+1", current_heads=("d1", "zz"))


def test_relative_too_far(rmap):
    with pytest.raises(RevisionError, match="didn't produce 5 migrations"):
        rmap.get_revisions("abc9+5")
    with pytest.raises(RevisionError, match="didn't produce 9 migrations"):
        rmap.get_revisions("c-9")


def test_branch_label_ids_with_dashes():
    m = make_map(("a", None, None, "networking-foo-contract"), ("b", "a"))
    assert ids(m.get_revisions("networking-foo-contract@head")) == ["b"]
    assert ids(m.get_revisions("networking-foo-contract")) == ["a"]
