"""The migration lock: a second holder waits, then times out with MigrationLockTimeout."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from retort.ddl.impl import DefaultImpl, impl_for
from retort.util.exc import MigrationLockTimeout


def online(conn: sa.Connection) -> DefaultImpl:
    return impl_for(conn.dialect.name)(conn.dialect, conn, False, None, None, {})


def test_second_holder_times_out_then_gets_the_lock(engine):
    with engine.connect() as conn1, engine.connect() as conn2:
        first, second = online(conn1), online(conn2)
        first.acquire_migration_lock("retort_test", 5)
        with pytest.raises(MigrationLockTimeout) as err:
            second.acquire_migration_lock("retort_test", 0.2)
        assert err.value.lock_name == "retort_test"
        assert "retort_test" in str(err.value) and "another process" in str(err.value)

        # another name is independent
        second.acquire_migration_lock("retort_other", 1)
        second.release_migration_lock("retort_other")

        first.release_migration_lock("retort_test")
        second.acquire_migration_lock("retort_test", 5)
        second.release_migration_lock("retort_test")


def test_lock_leaves_no_transaction_open(engine):
    with engine.connect() as conn:
        impl = online(conn)
        impl.acquire_migration_lock("retort_test", 5)
        assert not conn.in_transaction()
        with conn.begin():
            conn.execute(sa.text("SELECT 1"))
        impl.release_migration_lock("retort_test")
        assert not conn.in_transaction()


def test_lock_survives_rollback(engine):
    with engine.connect() as conn1, engine.connect() as conn2:
        first = online(conn1)
        with conn1.begin() as txn:
            first.acquire_migration_lock("retort_test", 5)
            txn.rollback()
        with pytest.raises(MigrationLockTimeout):
            online(conn2).acquire_migration_lock("retort_test", 0)
        first.release_migration_lock("retort_test")


def test_release_without_acquire_is_harmless(engine):
    with engine.connect() as conn:
        online(conn).release_migration_lock("never_taken")


def test_sqlite_memory_database_needs_no_lock():
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn1, engine.connect() as conn2:
        online(conn1).acquire_migration_lock("retort_test", 0)
        online(conn2).acquire_migration_lock("retort_test", 0)


def test_sqlite_lock_file_sits_beside_the_database(sqlite_engine, tmp_path):
    with sqlite_engine.connect() as conn:
        impl = online(conn)
        impl.acquire_migration_lock("retort", 1)
        impl.release_migration_lock("retort")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.db", "test.db.retort.lock"]
