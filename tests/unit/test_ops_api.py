"""The public API of retort.operations matches Alembic 1.20's names and signatures."""

from __future__ import annotations

import inspect

import pytest

from retort.operations import BatchOperations, Operations, ops
from retort.operations.builtin import DIRECTIVES

alembic_ops = pytest.importorskip("alembic.operations.ops")
alembic_operations = pytest.importorskip("alembic.operations")


def _params(fn):
    out = []
    for p in inspect.signature(fn).parameters.values():
        default = p.default
        if default is not p.empty and type(default).__name__ in ("immutabledict", "set", "frozenset", "dict") and not default:
            default = "<empty>"
        out.append((p.name, p.kind, "-" if default is p.empty else repr(default)))
    return out


def _alembic_op_classes():
    return sorted(
        name
        for name, obj in vars(alembic_ops).items()
        if isinstance(obj, type) and issubclass(obj, alembic_ops.MigrateOperation)
    )


def test_public_names():
    assert sorted(ops.__all__) == sorted(set(ops.__all__))
    for name in _alembic_op_classes():
        assert name in ops.__all__, name
    import retort.operations as pkg

    assert {"Operations", "BatchOperations", "MigrateOperation", "AbstractOperations", "ops"} <= set(pkg.__all__)


@pytest.mark.parametrize("name", _alembic_op_classes())
def test_op_class_matches_alembic(name):
    ours, theirs = getattr(ops, name), getattr(alembic_ops, name)
    assert _params(ours.__init__) == _params(theirs.__init__)
    public = {m for m in dir(theirs) if not m.startswith("_")}
    assert public <= {m for m in dir(ours) if not m.startswith("_")}
    for member in public:
        a, b = getattr(theirs, member), getattr(ours, member)
        if inspect.ismethod(a) or inspect.isfunction(a):
            assert _params(b) == _params(a), member


@pytest.mark.parametrize(
    "ours, theirs", [(Operations, alembic_operations.Operations), (BatchOperations, alembic_operations.BatchOperations)]
)
def test_directive_signatures_match_alembic(ours, theirs):
    skip = {"create_module_class_proxy", "context", "batch_alter_table"} if ours is BatchOperations else {
        "create_module_class_proxy"
    }
    names = {m for m in dir(theirs) if not m.startswith("_")} - skip
    for name in sorted(names):
        assert hasattr(ours, name), name
        if callable(getattr(theirs, name)):
            assert _params(getattr(ours, name)) == _params(getattr(theirs, name)), name


def test_builtin_list_is_every_directive():
    assert set(DIRECTIVES) == set(Operations._directives) - {
        n for n in Operations._directives if Operations._directives[n] not in DIRECTIVES.values()
    }
    for name, op_cls in DIRECTIVES.items():
        assert getattr(Operations, name)._op_class is op_cls
