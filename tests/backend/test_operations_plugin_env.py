"""Spec 01: a plugin directive registered at module level of env.py, used by a revision."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from retort import command
from retort.config import Config
from retort.operations.base import BatchOperations, Operations


@pytest.fixture(autouse=True)
def restore_registry():
    """env.py registers directives on the shared Operations class: undo that."""
    saved_impls = dict(Operations._to_impl._registry)
    saved = {cls: (dict(vars(cls)), dict(cls._directives)) for cls in (Operations, BatchOperations)}
    yield
    Operations._to_impl._registry.clear()
    Operations._to_impl._registry.update(saved_impls)
    for cls, (attrs, directives) in saved.items():
        for name in list(vars(cls)):
            if name not in attrs:
                delattr(cls, name)
        cls._directives = directives

PLUGIN = '''
from retort.operations import Operations, MigrateOperation


@Operations.register_operation("create_sequence")
class CreateSequenceOp(MigrateOperation):
    """Create a SEQUENCE."""

    def __init__(self, sequence_name, schema=None):
        self.sequence_name = sequence_name
        self.schema = schema

    @classmethod
    def create_sequence(cls, operations, sequence_name, **kw):
        """Issue a "CREATE SEQUENCE" instruction."""

        op = CreateSequenceOp(sequence_name, **kw)
        return operations.invoke(op)

    def reverse(self):
        return DropSequenceOp(self.sequence_name, schema=self.schema)


@Operations.register_operation("drop_sequence")
class DropSequenceOp(MigrateOperation):
    """Drop a SEQUENCE."""

    def __init__(self, sequence_name, schema=None):
        self.sequence_name = sequence_name
        self.schema = schema

    @classmethod
    def drop_sequence(cls, operations, sequence_name, **kw):
        """Issue a "DROP SEQUENCE" instruction."""

        op = DropSequenceOp(sequence_name, **kw)
        return operations.invoke(op)

    def reverse(self):
        return CreateSequenceOp(self.sequence_name, schema=self.schema)


@Operations.implementation_for(CreateSequenceOp, replace=True)
def create_sequence(operations, operation):
    if operation.schema is not None:
        name = "%s.%s" % (operation.schema, operation.sequence_name)
    else:
        name = operation.sequence_name
    operations.execute("CREATE SEQUENCE %s" % name)


@Operations.implementation_for(DropSequenceOp, replace=True)
def drop_sequence(operations, operation):
    if operation.schema is not None:
        name = "%s.%s" % (operation.schema, operation.sequence_name)
    else:
        name = operation.sequence_name
    operations.execute("DROP SEQUENCE %s" % name)

'''

REVISION = '''"""add sequence

Revision ID: aaa111
Revises:
Create Date: 2024-01-01 00:00:00

"""
from retort import op

revision = "aaa111"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_sequence("my_sequence")


def downgrade():
    op.drop_sequence("my_sequence")
'''


def _project(tmp_path: Path, url: str) -> Config:
    ini = tmp_path / "retort.ini"
    cfg = Config(str(ini), stdout=io.StringIO())
    command.init(cfg, str(tmp_path / "migrations"))
    cfg = Config(str(ini), stdout=io.StringIO())
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    env = tmp_path / "migrations" / "env.py"
    env.write_text(PLUGIN + env.read_text())
    (tmp_path / "migrations" / "versions" / "aaa111_add_sequence.py").write_text(textwrap.dedent(REVISION))
    return cfg


def _sequences(engine: sa.Engine) -> list[str]:
    return sa.inspect(engine).get_sequence_names()


def test_env_py_plugin_directive_runs_online(tmp_path, postgresql_engine):
    url = postgresql_engine.url.render_as_string(hide_password=False)
    cfg = _project(tmp_path, url)
    command.upgrade(cfg, "head")
    assert _sequences(postgresql_engine) == ["my_sequence"]
    command.downgrade(cfg, "base")
    assert _sequences(postgresql_engine) == []


def test_env_py_plugin_directive_offline(tmp_path, postgresql_engine):
    url = postgresql_engine.url.render_as_string(hide_password=False)
    cfg = _project(tmp_path, url)
    out = io.StringIO()
    cfg = Config(cfg.config_file_name, output_buffer=out, stdout=io.StringIO())
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head", sql=True)
    assert "CREATE SEQUENCE my_sequence;" in out.getvalue()
