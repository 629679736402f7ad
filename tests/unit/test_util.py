import pytest

from retort.util.exc import MultipleHeads, ResolutionError, CommandError, UnknownDialectError
from retort.util.messaging import mask_password
from retort.util.registry import Dispatcher


def test_dispatcher_follows_mro_and_qualifier():
    d = Dispatcher(what="renderer")

    class Base: ...

    class Child(Base): ...

    d.register(Base, lambda: "base")
    d.register(Base, lambda: "pg", qualifier="postgresql")
    assert d.dispatch(Child())() == "base"
    assert d.dispatch(Child, "postgresql")() == "pg"
    assert d.dispatch(Child, "mysql")() == "base"


def test_dispatcher_miss_suggests_name():
    d = Dispatcher(what="operation")
    d.register("create_table", object)
    with pytest.raises(ValueError, match="did you mean 'create_table'"):
        d.dispatch("create_tabel")


def test_uselist_runs_default_then_qualified():
    d = Dispatcher(uselist=True)
    seen = []
    d.register("table", lambda: seen.append("default"))
    d.register("table", lambda: seen.append("pg"), qualifier="postgresql")
    d.dispatch("table", "postgresql")()
    d.dispatch("table", "sqlite")()
    assert seen == ["default", "pg", "default"]


def test_error_tree_keeps_alembic_names():
    err = MultipleHeads(["a", "b"], "head")
    assert isinstance(err, ResolutionError) and isinstance(err, CommandError)
    assert "a, b" in str(err)
    assert "sqlite" in str(UnknownDialectError("nope", ["sqlite", "postgresql"]))


def test_mask_password():
    assert mask_password("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
