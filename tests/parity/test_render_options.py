"""render_python_code options (render_as_batch, module prefixes, render_item, user_module_prefix) vs Alembic."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, String, Table

from .autogen import statements

pytest.importorskip("alembic")


class MyType(sa.types.TypeDecorator):
    impl = sa.String
    cache_ok = True


MyType.__module__ = "myapp.types"


def _target() -> MetaData:
    md = MetaData()
    Table("t", md, Column("id", Integer, primary_key=True), Column("new", String(10), nullable=False),
          Column("n1", Integer, nullable=False), Column("mine", MyType(20)))
    Table("fresh", md, Column("id", Integer, primary_key=True), Column("c", MyType(5)))
    return md


def _render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, MyType):
        autogen_context.imports.add("import myapp")
        return "myapp.MyType(%d)" % obj.impl.length
    return False


def _run(kind: str, **kw):
    if kind == "alembic":
        from alembic.autogenerate import produce_migrations, render_python_code
        from alembic.migration import MigrationContext
    else:
        from retort.autogenerate import produce_migrations, render_python_code
        from retort.migration import MigrationContext
    engine = sa.create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, old VARCHAR(10), n1 INTEGER)")
        with engine.connect() as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            script = produce_migrations(MigrationContext.configure(conn), _target())
    finally:
        engine.dispose()
    return [statements(render_python_code(ops, **kw)) for ops in (script.upgrade_ops, script.downgrade_ops)]


OPTIONS = {
    "plain": {},
    "render_as_batch": {"render_as_batch": True},
    "prefixes": {"sqlalchemy_module_prefix": "sqla.", "alembic_module_prefix": "alembic_op."},
    "render_item": {"render_item": _render_item},
    "user_module_prefix": {"user_module_prefix": "mytypes."},
}


@pytest.mark.parametrize("name", list(OPTIONS))
def test_render_options_same_directives(name):
    assert _run("retort", **OPTIONS[name]) == _run("alembic", **OPTIONS[name])


def test_imports_set_untouched():
    got, expected = set(), set()
    _run("retort", imports=got)
    _run("alembic", imports=expected)
    assert got == expected


def test_sqlite_integer_primary_key_nullable():
    """A known difference where retort is right.

    SQLite 'id INTEGER PRIMARY KEY' reflects as nullable; against Column(primary_key=True) Alembic reports
    modify_nullable (and renders alter_column(..., nullable=False, autoincrement=True)), a false positive;
    retort reports nothing.
    """

    def diff(kind):
        if kind == "alembic":
            from alembic.autogenerate import compare_metadata
            from alembic.migration import MigrationContext
        else:
            from retort.autogenerate import compare_metadata
            from retort.migration import MigrationContext
        engine = sa.create_engine("sqlite://")
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        md = MetaData()
        Table("t", md, Column("id", Integer, primary_key=True))
        with engine.connect() as conn:
            return [d[0][0] if isinstance(d, list) else d[0] for d in compare_metadata(MigrationContext.configure(conn), md)]

    assert diff("alembic") == ["modify_nullable"]
    assert diff("retort") == []
