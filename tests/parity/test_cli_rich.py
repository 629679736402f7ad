"""A project written like real ones (see cli_rich.py) run with alembic and with retort."""

from __future__ import annotations

import re

import pytest

from .cli_project import TOOLS, Twin
from .cli_rich import build

pytestmark = pytest.mark.skipif(not TOOLS["alembic"].exists(), reason="alembic (for comparison) is not installed")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("parity_rich") / "template"
    build(path)
    return path


@pytest.fixture
def twin(tmp_path, template):
    return Twin(tmp_path, template)


def _log(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and "Will assume" not in line]


def _same(twin, *args):
    a, r = twin.both(*args)
    assert (r.code, r.out, _log(r.err)) == (a.code, a.out, _log(a.err)), args
    return a


def _files(twin, tool):
    return sorted(p.name for p in (twin.dirs[tool] / "migrations" / "versions").glob("*.py"))


def test_online_upgrade_downgrade(twin):
    _same(twin, "-x", "say=hi", "current")
    _same(twin, "upgrade", "head")
    for sql in ("SELECT * FROM accounts ORDER BY id", "SELECT * FROM notes"):
        assert twin.rows("retort", sql) == twin.rows("alembic", sql)
    assert twin.versions("retort", "my_versions") == twin.versions("alembic", "my_versions") == ["3c"]
    _same(twin, "current", "-v")
    _same(twin, "downgrade", "-1")
    assert twin.tables("retort") == twin.tables("alembic")
    _same(twin, "downgrade", "base")
    assert twin.tables("retort") == twin.tables("alembic")
    assert twin.versions("retort", "my_versions") == twin.versions("alembic", "my_versions") == []


def test_autogenerate_nothing_to_do(twin):
    twin.both("upgrade", "head")
    a, r = twin.both("revision", "--autogenerate", "-m", "nothing", "--rev-id", "4d")
    assert (r.code, r.out) == (a.code, a.out)
    assert "No changes in schema detected." in r.err
    assert _files(twin, "retort") == _files(twin, "alembic")


def test_file_template_and_slug(twin):
    _same(twin, "revision", "-m", "A much longer message than the slug", "--rev-id", "5e")
    assert _files(twin, "retort") == _files(twin, "alembic")


def _offline(out: str) -> list[str]:
    return [s for s in out.split("\n\n") if s.strip() and not s.startswith("UPDATE accounts SET email")]


@pytest.mark.parametrize("extra", [(), ("--tag", "t1")], ids=["plain", "tag"])
def test_offline_upgrade(twin, extra):
    a, r = twin.both("upgrade", "head", "--sql", *extra)
    assert r.code == a.code == 0
    assert _offline(r.out) == _offline(a.out)
    assert _log(r.err) == _log(a.err)


def test_offline_upgrade_raw(twin):
    a, r = twin.both("upgrade", "head", "--sql")
    assert r.out == a.out


ENV_VARIANTS = {
    "version_table_schema_no_pk": ('version_table="my_versions",',
                                   'version_table="my_versions", version_table_schema="ver", version_table_pk=False,'),
    "one_transaction_no_txddl": ("transaction_per_migration=True,",
                                 "transaction_per_migration=False, transactional_ddl=False,"),
}


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@h/db", "mssql+pyodbc://u@h/db"], ids=["postgresql", "mssql"])
@pytest.mark.parametrize("variant", list(ENV_VARIANTS))
def test_offline_env_options_same(tmp_path, template, variant, url):
    twin = Twin(tmp_path, template)
    old, new = ENV_VARIANTS[variant]
    for tool in TOOLS:
        env = twin.dirs[tool] / "migrations" / "env.py"
        env.write_text(env.read_text().replace(old, new))
        ini = twin.dirs[tool] / "alembic.ini"
        ini.write_text(re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text()))
    a, r = twin.both("upgrade", "head", "--sql")
    assert (r.code, r.out) == (a.code, a.out) and a.code == 0
