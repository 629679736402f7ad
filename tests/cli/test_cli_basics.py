"""The command line itself: help, version, usage errors, init, list_templates, config errors."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from retort.cli import CommandLine\n"
        "CommandLine().parser.format_help()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'mako')"
        " or m.startswith(('retort.script.base', 'retort.runtime', 'retort.autogenerate')))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_command(project):
    out = project.run("--help").stdout
    for name in (
        "branches check current downgrade edit ensure_version heads history init "
        "list_templates merge revision show stamp upgrade"
    ).split():
        assert name in out


def test_version(project):
    from retort import __version__

    assert project.run("--version").stdout.strip() == f"retort {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("upgrade", "head", "--no-such-option"),
        ("--no-such-global", "heads"),
        ("upgrade",),
        (),
    ],
)
def test_usage_errors_get_argparse_usage(project, args):
    result = project.run(*args, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: retort")
    assert "Traceback" not in result.stderr


def test_list_templates(project):
    out = project.run("list_templates").stdout
    assert "Available templates:" in out
    for name in ("generic", "async", "multidb", "pyproject", "pyproject_async"):
        assert f"\n{name} - " in out
    assert "retort init --template generic ./scripts" in out


def test_init_generic(project):
    out = project.run("init", "migrations").stdout
    assert "Please edit configuration/connection/logging settings" in out
    for name in ("README", "env.py", "script.py.mako"):
        assert (project.path / "migrations" / name).is_file()
    assert (project.path / "migrations" / "versions").is_dir()
    ini = project.read("retort.ini")
    assert "[retort]" in ini
    assert "script_location = %(here)s/migrations" in ini
    assert "[loggers]" in ini and "[post_write_hooks]" in ini
    assert "from retort import context" in project.read("migrations/env.py")
    assert "from retort import op" in project.read("migrations/script.py.mako")


def test_init_package_and_config_name(project):
    project.run("-c", "deploy.ini", "init", "--package", "db/migrations")
    assert (project.path / "db/migrations/__init__.py").exists()
    assert (project.path / "db/migrations/versions/__init__.py").exists()
    assert "script_location = %(here)s/db/migrations" in project.read("deploy.ini")


@pytest.mark.parametrize("template", ["pyproject", "pyproject_async"])
def test_init_pyproject_appends_tool_table(project, template):
    project.write("pyproject.toml", '[project]\nname = "app"\n')
    project.run("init", "-t", template, "migrations")
    toml = project.read("pyproject.toml")
    assert toml.startswith('[project]\nname = "app"\n\n[tool.retort]')
    assert 'script_location = "%(here)s/migrations"' in toml
    ini = project.read("retort.ini")
    assert "sqlalchemy.url" in ini and "script_location" not in ini
    import tomllib

    assert tomllib.loads(toml)["tool"]["retort"]["prepend_sys_path"] == ["."]


def test_init_multidb(project):
    project.run("init", "-t", "multidb", "migrations")
    ini = project.read("retort.ini")
    assert "databases = engine1, engine2" in ini and "[engine1]" in ini
    assert "upgrade_${db_name}" in project.read("migrations/script.py.mako")


def test_init_async(project):
    project.run("init", "-t", "async", "migrations")
    assert "async_engine_from_config" in project.read("migrations/env.py")


def test_init_into_non_empty_directory_fails(project):
    project.write("migrations/keep.txt", "x")
    result = project.fails("init", "migrations")
    assert "migrations already exists and is not empty" in result.stderr


def test_init_unknown_template_fails(project):
    result = project.fails("init", "-t", "nope", "migrations")
    assert "No such template 'nope'" in result.stderr


def test_missing_config_file(project):
    result = project.fails("heads")
    assert "retort.ini" in result.stderr and "not found" in result.stderr


def test_retort_config_env_var(project):
    result = project.fails("heads", env={"RETORT_CONFIG": "elsewhere.ini"})
    assert "elsewhere.ini" in result.stderr


def test_unreadable_config_file(project):
    (project.path / "retort.ini").mkdir()
    result = project.fails("heads")
    assert "cannot read config file" in result.stderr and "retort.ini" in result.stderr


def test_config_without_main_section(project):
    project.write("retort.ini", "[something]\nx = 1\n")
    result = project.fails("heads")
    assert "[retort]" in result.stderr and "retort.ini" in result.stderr


def test_missing_script_location(project):
    project.write("retort.ini", "[retort]\nsqlalchemy.url = sqlite://\n")
    result = project.fails("heads")
    assert "script_location" in result.stderr and "retort.ini" in result.stderr


def test_raiseerr_shows_traceback(project):
    project.write("retort.ini", "[retort]\nsqlalchemy.url = sqlite://\n")
    result = project.run("--raiseerr", "heads", check=False)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr
