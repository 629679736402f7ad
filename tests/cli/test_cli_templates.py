"""Each init template works end to end, and the config options a user sets take effect."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa


def sqlite_url(path) -> str:
    return f"sqlite:///{path}"


def versions_in(path, table: str = "retort_version") -> list[str]:
    engine = sa.create_engine(sqlite_url(path))
    try:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(sa.text(f"SELECT version_num FROM {table}")))
    finally:
        engine.dispose()


def table_names(path) -> set[str]:
    engine = sa.create_engine(sqlite_url(path))
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


CREATE_T = '''
def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t")
'''


def fill_upgrade(path, body: str = CREATE_T) -> None:
    """Replace the generated upgrade()/downgrade() with ``body``."""
    text = path.read_text()
    text = text[: text.index("def upgrade()")] + body.lstrip()
    path.write_text(text)


def test_pyproject_template(project):
    db = project.path / "app.db"
    project.write("pyproject.toml", '[project]\nname = "app"\n')
    project.run("init", "-t", "pyproject", "migrations")
    project.set_ini_option("sqlalchemy.url", sqlite_url(db))
    project.run("revision", "-m", "create t", "--rev-id", "aaa")
    (path,) = project.versions()
    fill_upgrade(path)
    project.run("upgrade", "head")
    assert "t" in table_names(db) and versions_in(db) == ["aaa"]
    assert project.run("heads").stdout.strip() == "aaa (head)"


def test_pyproject_file_template_and_version_locations(project):
    db = project.path / "app.db"
    project.run("init", "-t", "pyproject", "migrations")
    project.set_ini_option("sqlalchemy.url", sqlite_url(db))
    toml = project.read("pyproject.toml")
    toml = toml.replace(
        '# file_template = "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s"',
        'file_template = "%(year)d/%(rev)s_%(slug)s"',
    )
    toml += '\nversion_locations = ["%(here)s/migrations/versions", "%(here)s/extra"]\n'
    # dated sub-folders are only scanned with recursive_version_locations
    toml += "recursive_version_locations = true\n"
    project.write("pyproject.toml", toml)
    (project.path / "extra").mkdir()
    result = project.fails("revision", "-m", "one", "--rev-id", "aaa")
    assert "Multiple version locations present" in result.stderr
    project.run("revision", "-m", "one", "--rev-id", "aaa", "--version-path", str(project.path / "migrations/versions"))
    dated = list((project.path / "migrations" / "versions").glob("*/aaa_one.py"))
    assert len(dated) == 1 and dated[0].parent.name.isdigit()
    project.run("revision", "-m", "two", "--rev-id", "bbb", "--version-path", str(project.path / "extra"), "--splice", "--head", "base")
    assert list((project.path / "extra").glob("*/bbb_two.py"))
    assert sorted(project.run("heads").stdout.splitlines()) == ["aaa (head)", "bbb (head)"]


def test_multidb_template(project):
    project.run("init", "-t", "multidb", "migrations")
    ini = project.read("retort.ini")
    ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname2", f"sqlalchemy.url = {sqlite_url(project.path / 'two.db')}")
    ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname", f"sqlalchemy.url = {sqlite_url(project.path / 'one.db')}")
    project.write("retort.ini", ini)
    project.run("revision", "-m", "both", "--rev-id", "aaa")
    (path,) = project.versions()
    text = path.read_text()
    assert "def upgrade_engine1() -> None:" in text and "def downgrade_engine2() -> None:" in text
    text = text.replace(
        'def upgrade_engine1() -> None:\n    """Upgrade schema."""\n    pass',
        'def upgrade_engine1() -> None:\n    """Upgrade schema."""\n    op.create_table("only_one", sa.Column("id", sa.Integer, primary_key=True))',
    )
    path.write_text(text)
    project.run("upgrade", "head")
    assert "only_one" in table_names(project.path / "one.db")
    assert "only_one" not in table_names(project.path / "two.db")
    assert versions_in(project.path / "one.db") == ["aaa"]
    assert versions_in(project.path / "two.db") == ["aaa"]


@pytest.mark.skipif(
    not __import__("importlib").util.find_spec("aiosqlite"), reason="aiosqlite is not installed"
)
def test_async_template(project):  # pragma: no cover - needs aiosqlite
    project.run("init", "-t", "async", "migrations")
    project.set_ini_option("sqlalchemy.url", "sqlite+aiosqlite:///" + str(project.path / "a.db"))
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    project.run("upgrade", "head")
    assert versions_in(project.path / "a.db") == ["aaa"]


def test_named_section_and_env_var(project):
    project.run("-c", "multi.ini", "init", "migrations")
    ini = project.read("multi.ini")
    main = ini[ini.index("[retort]"): ini.index("[post_write_hooks]")]
    other = main.replace("[retort]", "[second]").replace(
        "sqlalchemy.url = driver://user:pass@localhost/dbname", f"sqlalchemy.url = {sqlite_url(project.path / 'second.db')}"
    )
    ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname", f"sqlalchemy.url = {sqlite_url(project.path / 'main.db')}")
    project.write("multi.ini", ini + "\n" + other)
    project.run("-c", "multi.ini", "revision", "-m", "one", "--rev-id", "aaa")
    project.run("-c", "multi.ini", "-n", "second", "upgrade", "head")
    assert versions_in(project.path / "second.db") == ["aaa"]
    assert not (project.path / "main.db").exists() or "retort_version" not in table_names(project.path / "main.db")
    project.run("upgrade", "head", env={"RETORT_CONFIG": "multi.ini"})
    assert versions_in(project.path / "main.db") == ["aaa"]


def test_post_write_hooks_run_on_new_revision(project):
    project.run("init", "migrations")
    hook = project.write(
        "hook.py", "import sys\nopen(sys.argv[1], 'a').write('# formatted by hook\\n')\n"
    )
    ini = project.read("retort.ini").replace(
        "[post_write_hooks]\n",
        f"[post_write_hooks]\nhooks = mark\nmark.type = exec\nmark.executable = {sys.executable}\n"
        f"mark.options = {hook} REVISION_SCRIPT_FILENAME\n",
    )
    project.write("retort.ini", ini)
    out = project.run("revision", "-m", "one", "--rev-id", "aaa").stdout
    (path,) = project.versions()
    assert path.read_text().endswith("# formatted by hook\n")
    assert "Running post write hook 'mark'" in out


def test_revision_environment_runs_env_py(project):
    project.run("init", "migrations")
    project.set_ini_option("sqlalchemy.url", sqlite_url(project.path / "app.db"))
    ini = project.read("retort.ini").replace("# revision_environment = false", "revision_environment = true")
    project.write("retort.ini", ini)
    env = project.read("migrations/env.py").replace(
        "if context.is_offline_mode():", 'print("ENV RAN")\nif context.is_offline_mode():'
    )
    project.write("migrations/env.py", env)
    out = project.run("revision", "-m", "one", "--rev-id", "aaa").stdout
    assert "ENV RAN" in out
    assert len(project.versions()) == 1


def test_revision_sql_without_environment_is_refused(project):
    project.run("init", "migrations")
    result = project.fails("revision", "--sql", "-m", "x")
    assert "revision_environment" in result.stderr


def test_downgrade_sql_needs_range(project):
    project.run("init", "migrations")
    result = project.fails("downgrade", "base", "--sql")
    assert "<fromrev>:<torev>" in result.stderr
    result = project.fails("upgrade", "a:b")
    assert "Range revision not allowed" in result.stderr


def test_async_template_on_postgresql(project, postgresql_engine):
    # psycopg 3 is also an asyncio driver: the async template's env.py runs as is
    url = postgresql_engine.url.render_as_string(hide_password=False)
    project.run("init", "-t", "async", "migrations")
    project.set_ini_option("sqlalchemy.url", url)
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    (path,) = project.versions()
    fill_upgrade(path)
    project.run("upgrade", "head")
    postgresql_engine.dispose()
    assert "t" in sa.inspect(postgresql_engine).get_table_names()
    assert project.run("current").stdout.strip() == "aaa (head)"
    project.run("downgrade", "base")
    postgresql_engine.dispose()
    assert "t" not in sa.inspect(postgresql_engine).get_table_names()


def test_multidb_offline_writes_one_file_per_database(project):
    project.run("init", "-t", "multidb", "migrations")
    ini = project.read("retort.ini").replace("driver://user:pass@localhost/dbname2", "sqlite:///two.db")
    project.write("retort.ini", ini.replace("driver://user:pass@localhost/dbname", "sqlite:///one.db"))
    project.run("revision", "-m", "both", "--rev-id", "aaa")
    project.run("upgrade", "head", "--sql")
    for name in ("engine1", "engine2"):
        sql = project.read(f"{name}.sql")
        assert "CREATE TABLE retort_version" in sql and "'aaa'" in sql
    assert not (project.path / "one.db").exists()


def test_timezone_and_truncate_slug_length(project):
    project.run("init", "migrations")
    ini = project.read("retort.ini")
    ini = ini.replace("# timezone =", "timezone = UTC").replace(
        "# truncate_slug_length = 40", "truncate_slug_length = 10"
    )
    project.write("retort.ini", ini)
    project.run("revision", "-m", "a rather long message here", "--rev-id", "aaa")
    (path,) = project.versions()
    assert path.name == "aaa_a_rather_.py"  # cut at a word boundary, as Alembic does
    assert "+00:00" in path.read_text().split("Create Date: ", 1)[1].splitlines()[0]


def test_script_location_as_package_resource(project):
    project.write("myapp/__init__.py", "")
    project.run("init", "myapp/migrations")
    project.set_ini_option("script_location", "myapp:migrations")
    project.set_ini_option("sqlalchemy.url", sqlite_url(project.path / "app.db"))
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    assert (project.path / "myapp/migrations/versions/aaa_one.py").exists()
    project.run("upgrade", "head")
    assert versions_in(project.path / "app.db") == ["aaa"]
