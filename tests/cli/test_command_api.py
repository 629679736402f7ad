"""retort.command driven from Python, as Alembic users do with alembic.command."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from retort import command
from retort.config import Config
from retort.util.exc import CommandError, ConfigError


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    config = Config(str(tmp_path / "retort.ini"), stdout=out)
    command.init(config, str(tmp_path / "migrations"))
    config = Config(str(tmp_path / "retort.ini"), stdout=out)
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path}/app.db")
    return config


def test_programmatic_workflow(cfg, tmp_path):
    script = command.revision(cfg, message="one", rev_id="aaa")
    assert script.revision == "aaa" and script.path.endswith("aaa_one.py")
    command.revision(cfg, message="two", rev_id="bbb")

    buf = io.StringIO()
    sql_cfg = Config(cfg.config_file_name, output_buffer=buf, stdout=io.StringIO())
    sql_cfg.set_main_option("sqlalchemy.url", cfg.get_main_option("sqlalchemy.url"))
    command.upgrade(sql_cfg, "head", sql=True)
    assert "INSERT INTO retort_version" in buf.getvalue()
    assert not (tmp_path / "app.db").exists()

    command.upgrade(cfg, "head")
    cfg.stdout.seek(0)
    cfg.stdout.truncate()
    command.current(cfg)
    assert cfg.stdout.getvalue() == "bbb (head)\n"
    command.downgrade(cfg, "aaa")
    engine = sa.create_engine(cfg.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM retort_version")).scalar() == "aaa"
    engine.dispose()


def test_connection_shared_through_attributes(cfg, tmp_path):
    # the cookbook recipe: env.py uses config.attributes["connection"] when given
    env = (tmp_path / "migrations" / "env.py").read_text()
    env = env.replace(
        "    connectable = engine_from_config(",
        '    given = config.attributes.get("connection")\n'
        "    if given is not None:\n"
        "        context.configure(connection=given, target_metadata=target_metadata)\n"
        "        with context.begin_transaction():\n"
        "            context.run_migrations()\n"
        "        return\n"
        "    connectable = engine_from_config(",
    )
    (tmp_path / "migrations" / "env.py").write_text(env)
    command.revision(cfg, message="one", rev_id="aaa")
    engine = sa.create_engine(f"sqlite:///{tmp_path}/other.db")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM retort_version")).scalar() == "aaa"
    engine.dispose()
    assert not (tmp_path / "app.db").exists()


def test_errors_are_command_errors(cfg, tmp_path):
    with pytest.raises(CommandError, match="Range revision not allowed"):
        command.upgrade(cfg, "a:b")
    with pytest.raises(CommandError, match="already exists and is not empty"):
        command.init(cfg, str(tmp_path / "migrations"))
    with pytest.raises(ConfigError, match="script_location"):
        command.heads(Config())


def test_list_templates_output(cfg):
    out = io.StringIO()
    command.list_templates(Config(stdout=out))
    assert out.getvalue().splitlines()[0] == "Available templates:"


def test_signatures_match_alembic():
    import inspect

    alembic_command = pytest.importorskip("alembic.command")
    alembic_config = pytest.importorskip("alembic.config")
    for name in command.__all__:
        ours = inspect.signature(getattr(command, name)).parameters
        theirs = inspect.signature(getattr(alembic_command, name)).parameters
        assert list(ours) == list(theirs), name
        for param in theirs.values():
            assert ours[param.name].default == param.default or param.name == "head", (name, param.name)
    ours = list(inspect.signature(Config).parameters)
    assert ours == list(inspect.signature(alembic_config.Config).parameters)
    public = {m for m in dir(alembic_config.Config) if not m.startswith("_")}
    assert public <= set(dir(Config()))


def _current(cfg, **kw) -> str:
    cfg.stdout.seek(0)
    cfg.stdout.truncate()
    command.current(cfg, **kw)
    return cfg.stdout.getvalue()


def test_current_lists_applied_dependencies(cfg):
    # as Alembic: a depends_on target is applied without its own version row and
    # still shows up, until a revision after it on its own branch is current too
    command.revision(cfg, message="one", rev_id="aaa")
    command.revision(cfg, message="two", rev_id="bbb")
    command.revision(cfg, message="lib", rev_id="xxx", head="base", branch_label="lib", depends_on="aaa")
    command.upgrade(cfg, "xxx")
    assert _current(cfg) == "xxx (head)\naaa\n"
    verbose = _current(cfg, verbose=True)
    assert "Rev: xxx (head)" in verbose and "Also depends on: aaa" in verbose and "Rev: aaa\n" in verbose
    command.upgrade(cfg, "heads")
    assert sorted(_current(cfg).splitlines()) == ["bbb (head)", "xxx (head)"]


def test_revision_file_spells_labels_and_dependencies_as_alembic(cfg, tmp_path):
    command.revision(cfg, message="one", rev_id="aaa")
    command.revision(cfg, message="two", rev_id="bbb", head="base", branch_label="two")
    labelled = command.revision(cfg, message="lab", rev_id="ccc", head="base", branch_label="newlab", depends_on="aaa")
    text = open(labelled.path).read()
    assert "branch_labels: Union[str, Sequence[str], None] = ('newlab',)\n" in text
    assert "depends_on: Union[str, Sequence[str], None] = 'aaa'\n" in text
    both = command.revision(cfg, message="dep", rev_id="ddd", head="base", depends_on=["aaa", "bbb"])
    text = open(both.path).read()
    assert "branch_labels: Union[str, Sequence[str], None] = None\n" in text
    assert "depends_on: Union[str, Sequence[str], None] = ['aaa', 'bbb']\n" in text
    # the label written as a tuple is read back
    from retort.script import ScriptDirectory

    assert ScriptDirectory.from_config(cfg).get_revision("newlab@head").revision == "ccc"
