"""Config: ini files ([retort] / [alembic]), pyproject's [tool.retort], options, errors."""

from __future__ import annotations

import io
import os
from argparse import Namespace

import pytest

from retort.config import Config
from retort.util.exc import ConfigError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_retort_ini_main_section_and_here(tmp_path):
    ini = write(tmp_path / "retort.ini", "[retort]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n")
    cfg = Config(ini)
    assert cfg.ini_section == "retort"
    assert cfg.config_ini_section == "retort"
    assert cfg.flavor == "retort"
    assert cfg.file_ == ini and cfg.config_file_name == ini
    assert cfg.get_main_option("script_location") == f"{tmp_path}/migrations"
    assert cfg.get_retort_option("script_location") == f"{tmp_path}/migrations"
    assert cfg.get_alembic_option("sqlalchemy.url") == "sqlite://"
    assert cfg.get_main_option("missing", "dflt") == "dflt"


def test_alembic_ini_is_read_the_same_way_with_alembic_flavor(tmp_path):
    ini = write(tmp_path / "alembic.ini", "[alembic]\nscript_location = mig\n")
    cfg = Config(ini)
    assert cfg.ini_section == "alembic"
    assert cfg.flavor == "alembic"
    assert cfg.get_main_option("script_location") == "mig"


def test_any_file_name_with_retort_section(tmp_path):
    ini = write(tmp_path / "deploy.cfg", "[retort]\nscript_location = x\n[alembic]\nscript_location = y\n")
    cfg = Config(ini)
    assert cfg.flavor == "retort"
    assert cfg.get_main_option("script_location") == "x"


def test_named_section_and_section_options(tmp_path):
    ini = write(
        tmp_path / "retort.ini",
        "[retort]\nscript_location = a\n[db2]\nscript_location = b\nsqlalchemy.url = sqlite:///%(here)s/two.db\n",
    )
    cfg = Config(ini, ini_section="db2")
    assert cfg.get_main_option("script_location") == "b"
    section = cfg.get_section("db2")
    assert section["sqlalchemy.url"] == f"sqlite:///{tmp_path}/two.db"
    assert cfg.get_section("nope") is None
    assert cfg.get_section("nope", {}) == {}
    assert cfg.get_section_option("retort", "script_location") == "a"
    cfg.set_section_option("new", "k", "v")
    assert cfg.get_section_option("new", "k") == "v"


def test_set_main_option_interpolates_and_escapes(tmp_path):
    ini = write(tmp_path / "retort.ini", "[retort]\n")
    cfg = Config(ini)
    cfg.set_main_option("url", "%(here)s/db")
    assert cfg.get_main_option("url") == f"{tmp_path}/db"
    cfg.set_main_option("pw", "p%%w")
    assert cfg.get_main_option("pw") == "p%w"


def test_config_args_are_interpolation_defaults(tmp_path):
    ini = write(tmp_path / "retort.ini", "[retort]\nurl = sqlite:///%(dbname)s\n")
    cfg = Config(ini, config_args={"dbname": "x.db"})
    assert cfg.get_main_option("url") == "sqlite:///x.db"


def test_config_without_file():
    cfg = Config()
    assert cfg.config_file_name is None
    cfg.set_main_option("script_location", "somewhere")
    assert cfg.get_main_option("script_location") == "somewhere"
    assert cfg.get_retort_option("script_location") == "somewhere"
    assert cfg.attributes == {}
    cfg.attributes["connection"] = 1
    assert cfg.attributes == {"connection": 1}


def test_attributes_passed_in_are_kept():
    shared = {"a": 1}
    assert Config(attributes=shared).attributes is shared


def test_missing_file_is_a_config_error_naming_it(tmp_path):
    cfg = Config(str(tmp_path / "nope.ini"))
    with pytest.raises(ConfigError, match="nope.ini.*not found") as info:
        cfg.get_main_option("script_location")
    assert info.value.path.endswith("nope.ini")


def test_unparseable_file_is_a_config_error(tmp_path):
    ini = write(tmp_path / "bad.ini", "this is not an ini file\n")
    with pytest.raises(ConfigError, match="bad.ini"):
        Config(ini).get_main_option("script_location")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_config_error(tmp_path):  # pragma: no cover - root in CI
    ini = write(tmp_path / "retort.ini", "[retort]\n")
    os.chmod(ini, 0)
    with pytest.raises(ConfigError, match="cannot read"):
        Config(ini).get_main_option("x")


def test_missing_section_names_file_and_option(tmp_path):
    ini = write(tmp_path / "retort.ini", "[other]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"has no \[retort\] section") as info:
        Config(ini).get_main_option("script_location")
    assert info.value.option == "script_location"


def test_require_script_location(tmp_path):
    ini = write(tmp_path / "retort.ini", "[retort]\nsqlalchemy.url = sqlite://\n")
    with pytest.raises(ConfigError, match="script_location.*retort.ini") as info:
        Config(ini).require_script_location()
    assert info.value.option == "script_location"


def test_pyproject_tool_retort(tmp_path):
    toml = write(
        tmp_path / "pyproject.toml",
        '[tool.retort]\nscript_location = "%(here)s/mig"\nprepend_sys_path = ["."]\n'
        'version_locations = ["%(here)s/a", "%(here)s/b"]\nsourceless = true\n'
        '[[tool.retort.post_write_hooks]]\nname = "fmt"\ntype = "exec"\nexecutable = "true"\n',
    )
    ini = write(tmp_path / "retort.ini", "[retort]\nsqlalchemy.url = sqlite://\nscript_location = ignored\n")
    cfg = Config(ini, toml_file=toml)
    assert cfg.toml_file == toml
    assert cfg.get_retort_option("script_location") == f"{tmp_path}/mig"
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite://"
    assert cfg.get_version_locations_list() == [f"{tmp_path}/a", f"{tmp_path}/b"]
    assert cfg.get_prepend_sys_paths_list() == ["."]
    assert cfg.get_retort_boolean_option("sourceless") is True
    assert cfg.get_hooks_list() == [{"_hook_name": "fmt", "type": "exec", "executable": "true"}]
    assert cfg.flavor == "retort"


def test_pyproject_only_project(tmp_path):
    toml = write(tmp_path / "pyproject.toml", '[tool.retort]\nscript_location = "mig"\n')
    cfg = Config(str(tmp_path / "retort.ini"), toml_file=toml)
    assert cfg.get_retort_option("script_location") == "mig"
    assert cfg.get_retort_option("file_template") is None


def test_pyproject_tool_alembic_gives_alembic_flavor(tmp_path):
    toml = write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "mig"\n')
    cfg = Config(toml_file=toml)
    assert cfg.flavor == "alembic"
    assert cfg.get_alembic_option("script_location") == "mig"


def test_pyproject_without_table_falls_back_to_ini(tmp_path):
    toml = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    ini = write(tmp_path / "retort.ini", "[retort]\nscript_location = m\n")
    assert Config(ini, toml_file=toml).get_retort_option("script_location") == "m"


def test_bad_toml_is_a_config_error(tmp_path):
    toml = write(tmp_path / "pyproject.toml", "[tool.retort\n")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        Config(toml_file=toml).get_retort_option("script_location")


@pytest.mark.parametrize(
    "sep, value, expected",
    [
        ("os", f"a{os.pathsep}b", ["a", "b"]),
        ("space", "a b", ["a", "b"]),
        ("colon", "a:b", ["a", "b"]),
        ("semicolon", "a;b", ["a", "b"]),
        ("newline", "\n a\n b", ["a", "b"]),
        (None, "a, b c", ["a", "b", "c"]),
    ],
)
def test_path_separator(tmp_path, sep, value, expected):
    lines = ["[retort]", "version_locations = " + value.replace("\n", "\n  ")]
    if sep:
        lines.append(f"path_separator = {sep}")
    ini = write(tmp_path / "retort.ini", "\n".join(lines) + "\n")
    assert Config(ini).get_version_locations_list() == expected


def test_ini_post_write_hooks(tmp_path):
    ini = write(
        tmp_path / "retort.ini",
        "[retort]\n[post_write_hooks]\nhooks = black, ruff\nblack.type = console_scripts\n"
        "black.entrypoint = black\nruff.type = module\nruff.module = ruff\nruff.options = format\n",
    )
    hooks = Config(ini).get_hooks_list()
    assert [h["_hook_name"] for h in hooks] == ["black", "ruff"]
    assert hooks[1]["module"] == "ruff" and hooks[1]["options"] == "format"
    assert hooks[0]["entrypoint"] == "black"


def test_print_stdout_and_quiet():
    buf = io.StringIO()
    cfg = Config(stdout=buf)
    cfg.print_stdout("hello %s", "world")
    cfg.print_stdout("100%")
    assert buf.getvalue() == "hello world\n100%\n"
    quiet = Config(stdout=buf, cmd_opts=Namespace(quiet=True))
    quiet.print_stdout("not shown")
    assert "not shown" not in buf.getvalue()


def test_template_directory_has_every_template():
    names = sorted(os.listdir(Config().get_template_directory()))
    assert names == ["async", "generic", "multidb", "pyproject", "pyproject_async"]
    for name in names:
        files = set(os.listdir(os.path.join(Config().get_template_directory(), name)))
        assert {"README", "env.py", "script.py.mako", "retort.ini.mako"} <= files


def test_flavor_can_be_set():
    cfg = Config()
    cfg.flavor = "alembic"
    assert cfg.flavor == "alembic"
    with pytest.raises(ValueError):
        cfg.flavor = "other"


def test_directory_as_ini_is_unreadable(tmp_path):
    (tmp_path / "retort.ini").mkdir()
    with pytest.raises(ConfigError, match="cannot read config file"):
        Config(str(tmp_path / "retort.ini")).get_main_option("x")


def test_main_and_commandline_reachable_from_config_module(tmp_path, monkeypatch, capsys):
    import retort.config as config_module

    assert config_module.CommandLine.__module__ == "retort.cli"
    monkeypatch.chdir(tmp_path)
    config_module.main(argv=["list_templates"])
    assert "Available templates:" in capsys.readouterr().out


def test_bad_interpolation_names_file_and_option(tmp_path):
    ini = write(tmp_path / "retort.ini", "[retort]\nsqlalchemy.url = postgresql://u:p%w@h/db\n")
    cfg = Config(ini)
    with pytest.raises(ConfigError, match=r"retort.ini.*sqlalchemy.url") as info:
        cfg.get_main_option("sqlalchemy.url")
    assert info.value.option == "sqlalchemy.url"
    with pytest.raises(ConfigError, match=r"retort.ini.*\[retort\]"):
        cfg.get_section("retort")
