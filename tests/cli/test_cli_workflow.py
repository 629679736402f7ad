"""init → revision --autogenerate → upgrade → history → downgrade → check, on every backend."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

MODEL_V1 = """
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
"""

MODEL_V2 = MODEL_V1.replace(
    'sa.Column("name", sa.String(50), nullable=False),',
    'sa.Column("name", sa.String(50), nullable=False),\n    sa.Column("email", sa.String(100), nullable=True),',
)


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def make_project(project, engine, template: str = "generic"):
    project.run("init", "-t", template, "migrations")
    project.set_ini_option("sqlalchemy.url", url_of(engine))
    env = project.read("migrations/env.py").replace(
        "target_metadata = None", "from model import metadata as target_metadata"
    )
    project.write("migrations/env.py", env)
    project.write("model.py", MODEL_V1)
    return project


def tables(engine) -> set[str]:
    engine.dispose()
    return set(sa.inspect(engine).get_table_names())


def version_rows(engine, table: str = "retort_version") -> list[str]:
    engine.dispose()
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(sa.text(f"SELECT version_num FROM {table}")))


def rev_id_of(path) -> str:
    return re.search(r"^revision: str = '(\w+)'", path.read_text(), re.M).group(1)


def test_full_workflow(project, engine):
    make_project(project, engine)

    out = project.run("revision", "--autogenerate", "-m", "create account").stdout
    assert "Generating" in out
    (first,) = project.versions()
    assert first.name.endswith("_create_account.py")
    source = first.read_text()
    assert "op.create_table(" in source and "'account'" in source
    rev1 = rev_id_of(first)

    project.run("upgrade", "head")
    assert {"account", "retort_version"} <= tables(engine)
    assert version_rows(engine) == [rev1]

    assert project.run("current").stdout.strip() == f"{rev1} (head)"
    assert project.run("heads").stdout.strip() == f"{rev1} (head)"
    assert project.run("history").stdout.strip() == f"<base> -> {rev1} (head), create account"
    assert project.run("check").stdout.strip() == "No new upgrade operations detected."

    project.write("model.py", MODEL_V2)
    result = project.fails("check")
    assert "New upgrade operations detected" in result.stderr and "email" in result.stderr

    project.run("revision", "--autogenerate", "-m", "add email")
    second = [p for p in project.versions() if p != first][0]
    rev2 = rev_id_of(second)
    assert f"down_revision: Union[str, Sequence[str], None] = '{rev1}'" in second.read_text()
    assert "op.add_column('account'" in second.read_text()

    project.run("upgrade", "head")
    engine.dispose()
    columns = {c["name"] for c in sa.inspect(engine).get_columns("account")}
    assert columns == {"id", "name", "email"}
    assert version_rows(engine) == [rev2]
    history = project.run("history", "-i").stdout.splitlines()
    assert history == [f"{rev1} -> {rev2} (head) (current), add email", f"<base> -> {rev1}, create account"]

    project.run("downgrade", "-1")
    engine.dispose()
    assert {c["name"] for c in sa.inspect(engine).get_columns("account")} == {"id", "name"}
    assert version_rows(engine) == [rev1]

    project.run("downgrade", "base")
    assert "account" not in tables(engine)
    assert version_rows(engine) == []

    project.run("stamp", "head")
    assert version_rows(engine) == [rev2]
    project.run("stamp", "--purge", "base")
    assert version_rows(engine) == []


def test_offline_sql(project, engine):
    make_project(project, engine)
    project.run("revision", "--autogenerate", "-m", "create account")
    (first,) = project.versions()
    rev1 = rev_id_of(first)
    out = project.run("upgrade", "head", "--sql").stdout
    assert re.search(r"CREATE TABLE [`\"]?account", out)
    assert "retort_version" in out and rev1 in out
    # nothing was written to the database
    assert "account" not in tables(engine)
    down = project.run("downgrade", f"{rev1}:base", "--sql").stdout
    assert re.search(r"DROP TABLE [`\"]?account", down)


def test_empty_revision_and_branches(project, sqlite_engine):
    make_project(project, sqlite_engine)
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    project.run("revision", "-m", "two", "--rev-id", "bbb", "--branch-label", "lab")
    project.run("revision", "-m", "three", "--rev-id", "ccc", "--head", "aaa", "--splice")
    assert sorted(project.run("heads").stdout.splitlines()) == ["bbb (lab) (head)", "ccc (head)"]
    branches_out = project.run("branches").stdout
    assert branches_out.startswith("aaa (branchpoint)\n")
    assert "    -> bbb (lab)" in branches_out and "    -> ccc" in branches_out
    result = project.fails("upgrade", "head")
    assert "Multiple head revisions" in result.stderr
    project.run("merge", "-m", "merge it", "heads", "--rev-id", "ddd")
    assert project.run("heads").stdout.strip() == "ddd (lab) (head)"
    project.run("upgrade", "head")
    assert version_rows(sqlite_engine) == ["ddd"]
    assert project.run("current").stdout.strip() == "ddd (head) (mergepoint)"
    project.run("current", "--check-heads")
    show = project.run("show", "ddd").stdout
    assert show.startswith("Rev: ddd (head) (mergepoint)\nMerges: bbb, ccc\nBranch names: lab\nPath: ")
    assert "merge it" in show
    project.run("downgrade", "aaa")
    assert version_rows(sqlite_engine) == ["aaa"]
    result = project.fails("current", "--check-heads")
    assert "not on all head revisions" in result.stderr
    assert project.run("history", "-r", "bbb:").stdout.splitlines() == [
        "bbb, ccc -> ddd (lab) (head) (mergepoint), merge it",
        "aaa -> bbb (lab), two",
    ]


def test_quiet_and_x_argument(project, sqlite_engine):
    make_project(project, sqlite_engine)
    env = project.read("migrations/env.py").replace(
        "if context.is_offline_mode():",
        'print("X=" + repr(context.get_x_argument(as_dictionary=True)))\nif context.is_offline_mode():',
    )
    project.write("migrations/env.py", env)
    out = project.run("-x", "tenant=acme", "-x", "flag", "current").stdout
    assert "X={'tenant': 'acme', 'flag': ''}" in out
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    assert project.run("-q", "heads").stdout.count("aaa") == 0


def test_edit_and_ensure_version(project, sqlite_engine):
    make_project(project, sqlite_engine)
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    (path,) = project.versions()
    editor = """sh -c 'echo "# edited" >> "$0"'"""
    project.run("edit", "aaa", env={"EDITOR": editor})
    assert path.read_text().endswith("# edited\n")
    result = project.fails("edit", "current", env={"EDITOR": editor})
    assert "No current revisions" in result.stderr
    project.run("ensure_version")
    assert "retort_version" in tables(sqlite_engine)
    assert version_rows(sqlite_engine) == []
    out = project.run("ensure_version", "--sql").stdout
    assert "CREATE TABLE retort_version" in out


def test_stamp_several_heads_and_sql(project, engine):
    make_project(project, engine)
    project.run("revision", "-m", "one", "--rev-id", "aaa")
    project.run("revision", "-m", "two", "--rev-id", "bbb")
    project.run("revision", "-m", "three", "--rev-id", "ccc", "--head", "aaa", "--splice")
    project.run("stamp", "bbb", "ccc")
    assert version_rows(engine) == ["bbb", "ccc"]
    assert sorted(project.run("current").stdout.splitlines()) == ["bbb (head)", "ccc (head)"]
    project.run("stamp", "aaa")
    assert version_rows(engine) == ["aaa"]
    out = project.run("stamp", "--sql", "aaa:bbb").stdout
    assert "UPDATE retort_version SET version_num='bbb'" in out
    assert version_rows(engine) == ["aaa"]
    result = project.fails("stamp", "--sql", "aaa:bbb", "bbb:ccc")
    assert "one starting revision" in result.stderr
    project.run("stamp", "--purge", "ccc")
    assert version_rows(engine) == ["ccc"]
