"""Bench databases: a dedicated database per server, emptied between runs."""

from __future__ import annotations

import os

import sqlalchemy as sa

SERVER_URLS = {
    "postgresql": os.environ.get(
        "RETORT_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("RETORT_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BENCH_DB = "retort_bench"


def url_for(backend: str, workdir: str) -> str:
    """The URL of the bench database on ``backend`` (created if missing)."""
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(workdir, 'bench.db')}"
    url = sa.make_url(SERVER_URLS[backend])
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if backend == "postgresql":
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)
            ).scalar()
            if not exists:
                conn.exec_driver_sql(f"CREATE DATABASE {BENCH_DB}")
        else:
            conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {BENCH_DB}")
    admin.dispose()
    return url.set(database=BENCH_DB).render_as_string(hide_password=False)


def empty(backend: str, url: str) -> None:
    """Drop everything in the bench database."""
    if backend == "sqlite":
        path = sa.make_url(url).database
        if path and os.path.exists(path):
            os.remove(path)
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if backend == "postgresql":
            # a hundred tables per transaction first: dropping the schema of a
            # 1,000-table autogen run in one go needs more locks than the
            # server's lock table holds ("out of shared memory")
            names = [row[0] for row in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )]
            for i in range(0, len(names), 100):
                quoted = ", ".join('"%s"' % n.replace('"', '""') for n in names[i:i + 100])
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quoted} CASCADE")
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            conn.exec_driver_sql(f"DROP DATABASE {BENCH_DB}")
            conn.exec_driver_sql(f"CREATE DATABASE {BENCH_DB}")
    engine.dispose()


def drop(backend: str) -> None:
    """Remove the bench database from the server when the run is over."""
    if backend == "sqlite":
        return
    engine = sa.create_engine(SERVER_URLS[backend], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    engine.dispose()
