"""upgrade / downgrade / stamp through env.py on real databases: version table and schema afterwards."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from retort import command
from retort.util.exc import CommandError, RevisionStepError
from test_runtime_support import (
    add_revision,
    config_for,
    create_table_code,
    drop_table_code,
    make_project,
    table_names,
    version_rows,
)


def linear_project(tmp_path, engine, n=3):
    ini = make_project(tmp_path / "proj", engine.url)
    prev = None
    for i in range(1, n + 1):
        rev = f"r{i}"
        add_revision(ini, rev, prev, create_table_code(f"t{i}"), drop_table_code(f"t{i}"))
        prev = rev
    return ini


def test_upgrade_downgrade_linear(tmp_path, engine):
    ini = linear_project(tmp_path, engine)
    cfg = config_for(ini)
    command.upgrade(cfg, "r2")
    assert version_rows(engine) == ["r2"]
    assert {"t1", "t2"} <= table_names(engine) and "t3" not in table_names(engine)
    command.upgrade(cfg, "head")
    assert version_rows(engine) == ["r3"]
    command.downgrade(cfg, "-1")
    assert version_rows(engine) == ["r2"]
    assert "t3" not in table_names(engine)
    command.downgrade(cfg, "base")
    assert version_rows(engine) == []
    assert table_names(engine) == {"retort_version"}


def test_branches_merge_and_stamp(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url)
    add_revision(ini, "a", None, create_table_code("ta"), drop_table_code("ta"))
    add_revision(ini, "b", "a", create_table_code("tb"), drop_table_code("tb"))
    add_revision(ini, "c", "a", create_table_code("tc"), drop_table_code("tc"))
    add_revision(ini, "m", ["b", "c"])
    cfg = config_for(ini)
    command.upgrade(cfg, "b")
    assert version_rows(engine) == ["b"]
    command.upgrade(cfg, "c")
    assert version_rows(engine) == ["b", "c"]
    command.upgrade(cfg, "heads")
    assert version_rows(engine) == ["m"]
    command.downgrade(cfg, "m-1") if False else command.downgrade(cfg, "a")
    assert version_rows(engine) == ["a"]
    assert "tb" not in table_names(engine) and "tc" not in table_names(engine)
    command.stamp(cfg, "m")
    assert version_rows(engine) == ["m"]
    command.stamp(cfg, "base")
    assert version_rows(engine) == []


def test_stamp_purge_clears_unknown_revisions(tmp_path, engine):
    ini = linear_project(tmp_path, engine, n=2)
    cfg = config_for(ini)
    command.upgrade(cfg, "head")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO retort_version (version_num) VALUES ('ghost')")
    command.stamp(cfg, "r1", purge=True)
    assert version_rows(engine) == ["r1"]


def test_depends_on_across_branches(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url)
    add_revision(ini, "a1", None, create_table_code("a1t"), labels="alpha")
    add_revision(ini, "b1", None, create_table_code("b1t"), labels="beta")
    add_revision(ini, "a2", "a1", create_table_code("a2t"), depends="b1")
    cfg = config_for(ini)
    command.upgrade(cfg, "a2")
    # b1 ran as a dependency; a2 implies it, so only a2 is a head
    assert {"a1t", "b1t", "a2t"} <= table_names(engine)
    assert version_rows(engine) == ["a2"]
    command.downgrade(cfg, "a1")
    assert version_rows(engine) == ["a1", "b1"]


def test_failed_revision_keeps_last_completed(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url)
    add_revision(ini, "r1", None, create_table_code("t1"))
    add_revision(ini, "r2", "r1", create_table_code("t2"))
    bad = add_revision(
        ini,
        "r3",
        "r2",
        create_table_code("t3") + "\nop.execute('INSERT INTO no_such_table VALUES (1)')",
    )
    cfg = config_for(ini)
    with pytest.raises(RevisionStepError) as info:
        command.upgrade(cfg, "head")
    err = info.value
    assert err.revision == "r3"
    assert err.path == str(bad)
    assert str(bad) in str(err)
    assert version_rows(engine) == ["r2"]
    tables = table_names(engine)
    assert {"t1", "t2"} <= tables
    if engine.dialect.name == "mysql":
        # DDL commits implicitly: the error says which statement ran
        assert "t3" in tables
        assert len(err.statements) == 1 and "CREATE TABLE t3" in err.statements[0]
        assert "CREATE TABLE t3" in str(err)
    else:
        assert "t3" not in tables
        assert err.statements == []
        assert "rolled back" in str(err)


def test_failed_revision_with_transaction_per_migration(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url, env_extra=", transaction_per_migration=True")
    add_revision(ini, "r1", None, create_table_code("t1"))
    add_revision(ini, "r2", "r1", create_table_code("t2") + "\nraise RuntimeError('nope')")
    cfg = config_for(ini)
    with pytest.raises(RevisionStepError, match="nope"):
        command.upgrade(cfg, "head")
    assert version_rows(engine) == ["r1"]
    if engine.dialect.name != "mysql":
        assert "t2" not in table_names(engine)


def test_on_version_apply_and_run_args(tmp_path, engine):
    calls = []
    ini = make_project(
        tmp_path / "proj",
        engine.url,
        env_extra=", on_version_apply=config.attributes['hook']",
    )
    add_revision(ini, "a", None)
    add_revision(ini, "b", "a")
    cfg = config_for(ini)
    cfg.attributes["hook"] = lambda ctx, step, heads, run_args: calls.append(
        (step.up_revision_id, step.is_upgrade, step.is_stamp, sorted(heads))
    )
    command.upgrade(cfg, "head")
    command.stamp(cfg, "a")
    assert calls == [
        ("a", True, False, ["a"]),
        ("b", True, False, ["b"]),
        ("b", False, True, ["a"]),
    ]


def test_version_table_options(tmp_path, engine):
    ini = make_project(
        tmp_path / "proj",
        engine.url,
        env_extra=", version_table='my_versions', version_table_pk=False",
    )
    add_revision(ini, "a", None)
    command.upgrade(config_for(ini), "head")
    assert version_rows(engine, "my_versions") == ["a"]
    with engine.connect() as conn:
        assert sa.inspect(conn).get_pk_constraint("my_versions")["constrained_columns"] == []
    assert "retort_version" not in table_names(engine)


def test_offline_sql(tmp_path, engine):
    ini = linear_project(tmp_path, engine, n=2)
    buf = io.StringIO()
    cfg = config_for(ini, output_buffer=buf)
    command.upgrade(cfg, "head", sql=True)
    out = buf.getvalue()
    assert "-- Running upgrade  -> r1" in out
    assert "-- Running upgrade r1 -> r2" in out
    assert "INSERT INTO retort_version (version_num) VALUES ('r1')" in out
    assert re.search(r"UPDATE retort_version SET version_num='r2' WHERE (retort_version\.)?version_num = 'r1'", out)
    assert out.index("CREATE TABLE retort_version") < out.index("CREATE TABLE t1")
    # nothing happened to the database
    assert table_names(engine) == set()
    buf2 = io.StringIO()
    command.downgrade(config_for(ini, output_buffer=buf2), "r2:base", sql=True)
    down = buf2.getvalue()
    assert "DROP TABLE t2" in down
    assert re.search(r"DELETE FROM retort_version WHERE (retort_version\.)?version_num = 'r1'", down)


def test_broken_revision_file_stops_before_anything_runs(tmp_path, engine):
    ini = make_project(tmp_path / "proj", engine.url)
    add_revision(ini, "r1", None, create_table_code("t1"))
    broken = add_revision(ini, "r2", "r1", create_table_code("t2"))
    broken.write_text(broken.read_text() + "\ndef oops(:\n")
    with pytest.raises(CommandError) as info:
        command.upgrade(config_for(ini), "head")
    assert "r2_rev.py" in str(info.value)
    assert table_names(engine) == set()


def test_offline_stamp(tmp_path, engine):
    ini = linear_project(tmp_path, engine, n=2)
    buf = io.StringIO()
    command.stamp(config_for(ini, output_buffer=buf), "r2", sql=True)
    out = buf.getvalue()
    assert "CREATE TABLE retort_version" in out
    assert "INSERT INTO retort_version (version_num) VALUES ('r2')" in out
    assert "CREATE TABLE t1" not in out
    assert table_names(engine) == set()


def test_batch_move_and_copy_inside_a_run_sqlite(tmp_path, sqlite_engine):
    ini = make_project(tmp_path / "proj", sqlite_engine.url)
    add_revision(
        ini,
        "r1",
        None,
        "op.create_table('t1', sa.Column('id', sa.Integer, primary_key=True), sa.Column('x', sa.Integer))\n"
        "op.bulk_insert(sa.table('t1', sa.column('id'), sa.column('x')), [{'id': 1, 'x': 5}])",
    )
    add_revision(
        ini,
        "r2",
        "r1",
        "with op.batch_alter_table('t1', recreate='always') as batch:\n"
        "    batch.add_column(sa.Column('y', sa.Integer))\n"
        "    batch.alter_column('x', new_column_name='xx')",
    )
    add_revision(
        ini,
        "r3",
        "r2",
        "with op.batch_alter_table('t1', recreate='always') as batch:\n"
        "    batch.drop_column('y')\n"
        "raise RuntimeError('after batch')",
    )
    with pytest.raises(RevisionStepError, match="after batch"):
        command.upgrade(config_for(ini), "head")
    assert version_rows(sqlite_engine) == ["r2"]
    with sqlite_engine.connect() as conn:
        cols = [c["name"] for c in sa.inspect(conn).get_columns("t1")]
        rows = conn.exec_driver_sql("SELECT * FROM t1").all()
    # r3's rebuild was rolled back with the rest of r3
    assert cols == ["id", "xx", "y"]
    assert rows == [(1, 5, None)]
    assert table_names(sqlite_engine) == {"retort_version", "t1"}
