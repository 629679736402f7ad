"""Every public attribute of Alembic 1.20's operations / DefaultImpl classes exists in retort.

The sets are diffed, not listed by hand, so an Alembic name retort lacks shows
up here; ``NOT_PROVIDED`` names the few left out on purpose, with the reason.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import retort.operations as r_operations
from retort.ddl.impl import ComparisonResult, DefaultImpl, impl_for
from retort.operations import BatchOperations, Operations, ops
from retort.runtime.migration import MigrationContext

a_operations = pytest.importorskip("alembic.operations")
a_ops = pytest.importorskip("alembic.operations.ops")
a_impl = pytest.importorskip("alembic.ddl.impl")

NOT_PROVIDED = {
    # a batch block inside a batch block has no meaning; Alembic inherits the name only
    ("BatchOperations", "batch_alter_table"),
    # installs retort.op; only an Operations is ever installed there
    ("BatchOperations", "context"),
}


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def _pairs():
    yield "Operations", a_operations.Operations, Operations
    yield "BatchOperations", a_operations.BatchOperations, BatchOperations
    yield "DefaultImpl", a_impl.DefaultImpl, DefaultImpl
    for name, obj in vars(a_ops).items():
        if inspect.isclass(obj) and obj.__module__.startswith("alembic.operations.ops"):
            yield f"ops.{name}", obj, getattr(ops, name, None)


@pytest.mark.parametrize("label, theirs, ours", list(_pairs()), ids=[p[0] for p in _pairs()])
def test_public_attributes_are_a_superset_of_alembics(label, theirs, ours):
    assert ours is not None, f"retort has no {label}"
    missing = {n for n in _public(theirs) - _public(ours) if (label, n) not in NOT_PROVIDED}
    assert not missing, f"{label} lacks {sorted(missing)}"


def test_package_exports_match():
    assert set(a_operations.__all__) <= set(r_operations.__all__)
    for name in a_operations.__all__:
        assert hasattr(r_operations, name), name


def test_create_module_class_proxy_makes_a_working_op_module():
    mod = types.ModuleType("myproject.my_op")
    Operations.create_module_class_proxy(vars(mod), vars(mod))
    assert inspect.signature(mod.add_column) == inspect.signature(Operations.add_column).replace(
        parameters=list(inspect.signature(Operations.add_column).parameters.values())[1:]
    )
    with pytest.raises(NameError, match="no Operations object is installed"):
        mod.drop_table("t")
    buf = __import__("io").StringIO()
    ctx = MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf})
    with Operations.context(ctx) as operations:
        mod.drop_table("t")
        assert mod.get_context() is ctx
        assert mod.get_bind() is operations.get_bind()
    assert "DROP TABLE t;" in buf.getvalue()
    with pytest.raises(NameError):
        mod.drop_table("t")


def _impl(dialect: str = "postgresql") -> DefaultImpl:
    return impl_for(dialect)(make_url(f"{dialect}://").get_dialect()(), None, True, None, None, {})


def _t() -> sa.Table:
    return sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))


@pytest.mark.parametrize(
    "metadata, reflected, status, message",
    [
        (lambda t: sa.Index("ix", t.c.a), lambda t: sa.Index("ix", t.c.a), "equal", "The two constraints are equal"),
        (lambda t: sa.Index("ix", t.c.a), lambda t: sa.Index("ix", t.c.a, unique=True), "different",
         "unique=True to unique=False"),
        (lambda t: sa.Index("ix", t.c.a), lambda t: sa.Index("ix", t.c.b), "different", "expression ('b',) to ('a',)"),
        (lambda t: sa.Index("ix", t.c.a, t.c.b), lambda t: sa.Index("ix", t.c.b, t.c.a), "different",
         "expression ('b', 'a') to ('a', 'b')"),
        (lambda t: sa.Index("ix", sa.func.lower(t.c.a)), lambda t: sa.Index("ix", sa.func.lower(t.c.a)), "equal",
         "The two constraints are equal"),
    ],
    ids=["same", "unique", "column", "order", "expression"],
)
def test_compare_indexes_as_alembic(metadata, reflected, status, message):
    t = _t()
    got = _impl().compare_indexes(metadata(t), reflected(t))
    assert (got.status, got.message) == (status, message)
    theirs = a_impl.DefaultImpl(make_url("postgresql://").get_dialect()(), None, True, None, None, {})
    expected = theirs.compare_indexes(metadata(t), reflected(t))
    assert (got.status, got.message) == (expected.status, expected.message)


def test_compare_unique_and_check_constraints():
    t = _t()
    impl = _impl()
    same = impl.compare_unique_constraint(sa.UniqueConstraint(t.c.a), sa.UniqueConstraint(t.c.a))
    other = impl.compare_unique_constraint(sa.UniqueConstraint(t.c.a), sa.UniqueConstraint(t.c.b))
    assert same.is_equal and not same.is_different
    assert other.is_different and other.message == "expression ('b',) to ('a',)"
    # databases rewrite CHECK text: Alembic's default never calls two checks different
    assert impl.compare_check_constraint(sa.CheckConstraint("a > 1"), sa.CheckConstraint("a > 2")).is_equal
    assert ComparisonResult.Skip("why").is_skip and ComparisonResult.Different(["x", "y"]).message == "x, y"


def test_autogen_column_reflect_is_a_hook_that_leaves_the_info_alone():
    info = {"name": "a", "type": sa.Integer(), "default": None, "nullable": True}
    before = dict(info)
    assert _impl("sqlite").autogen_column_reflect(None, _t(), info) is None
    assert info == before


def test_ddl_postgresql_exposes_the_exclude_op_without_importing_operations():
    code = (
        "import sys, retort.ddl.postgresql as pg, retort.ddl\n"
        "assert 'retort.operations' not in sys.modules, 'ddl imported operations'\n"
        "from retort.ddl.postgresql import CreateExcludeConstraintOp\n"
        "from retort.operations.ops import CreateExcludeConstraintOp as op_cls\n"
        "assert CreateExcludeConstraintOp is op_cls\n"
        "from retort.ddl import DefaultImpl\n"
        "assert retort.ddl.mysql.MySQLImpl.__dialect__ == 'mysql'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _param_names(fn) -> list[str] | None:
    try:
        return [p for p in inspect.signature(fn).parameters if p not in ("kw", "kwargs", "args")]
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("label, theirs, ours", list(_pairs()), ids=[p[0] for p in _pairs()])
def test_shared_methods_take_alembics_parameter_names_in_order(label, theirs, ours):
    """A caller passing Alembic's keywords (or a subclass overriding a hook) works unchanged."""
    for name in sorted(_public(theirs) & _public(ours)):
        a, r = getattr(theirs, name), getattr(ours, name)
        if not callable(a) or inspect.isclass(a):
            continue
        a_names, r_names = _param_names(a), _param_names(r)
        if a_names is None or r_names is None:
            continue
        assert [n for n in a_names if n in r_names] == [n for n in r_names if n in a_names], f"{label}.{name}"
        assert set(a_names) <= set(r_names), f"{label}.{name} lacks {sorted(set(a_names) - set(r_names))}"
