"""Time compare_metadata on 1,000 PostgreSQL tables: retort vs Alembic vs the bare inspector.

Scratch-quality benchmark, not part of the tests.  It creates a dedicated
database (dropped at the end), fills it with N tables (columns of several
types, a primary key, a foreign key, an index, a unique constraint, a
comment), and times, on the same connection and with the target equal to the
database (so the comparison is complete and finds nothing):

* floor    - the bare ``Inspector.get_multi_*`` calls retort makes
* retort   - ``retort.autogenerate.compare_metadata``
* alembic  - ``alembic.autogenerate.compare_metadata`` (Alembic 1.20)

Usage::

    python bench/autogen_compare.py [--tables 1000] [--repeat 3] [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import sqlalchemy as sa


def build_metadata(n: int) -> sa.MetaData:
    m = sa.MetaData()
    for i in range(n):
        cols = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("amount", sa.Numeric(10, 2)),
            sa.Column("created", sa.DateTime, server_default=sa.func.now()),
            sa.Column("flag", sa.Boolean),
            sa.Column("note", sa.Text, comment="a note"),
            sa.Column("code", sa.String(20)),
        ]
        if i:
            cols.append(sa.Column("prev_id", sa.Integer, sa.ForeignKey(f"t{i - 1}.id", name=f"fk_t{i}_prev")))
        sa.Table(
            f"t{i}", m, *cols,
            sa.Index(f"ix_t{i}_name", "name"),
            sa.UniqueConstraint("code", name=f"uq_t{i}_code"),
            comment=f"table {i}",
        )
    return m


def floor(conn: sa.Connection) -> None:
    insp = sa.inspect(conn)
    names = insp.get_table_names()
    kw = {"filter_names": names}
    insp.get_multi_columns(**kw)
    insp.get_multi_pk_constraint(**kw)
    insp.get_multi_foreign_keys(**kw)
    insp.get_multi_indexes(**kw)
    insp.get_multi_unique_constraints(**kw)
    insp.get_multi_check_constraints(**kw)
    insp.get_multi_table_comment(**kw)


def run_retort(conn: sa.Connection, md: sa.MetaData) -> list:
    from retort.autogenerate import compare_metadata
    from retort.migration import MigrationContext

    return compare_metadata(MigrationContext.configure(conn), md)


def run_alembic(conn: sa.Connection, md: sa.MetaData) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    return compare_metadata(MigrationContext.configure(conn), md)


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--alembic-repeat", type=int, default=2)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    admin_url = sa.make_url(args.url)
    db = f"retort_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {db}")
    engine = sa.create_engine(admin_url.set(database=db))
    try:
        md = build_metadata(args.tables)
        t0 = time.perf_counter()
        md.create_all(engine)
        print(f"created {args.tables} tables in {time.perf_counter() - t0:.1f}s")
        with engine.connect() as conn:
            floor(conn)  # warm the catalogue caches
            diff = run_retort(conn, md)
            assert diff == [], diff[:5]
            # interleaved, best of N: the machine is shared, so the minimum is
            # the least disturbed measurement of each
            f: list[float] = []
            r: list[float] = []
            a: list[float] = []
            for i in range(args.repeat):
                f += timed(lambda: floor(conn), 1)
                r += timed(lambda: run_retort(conn, md), 1)
                if i < args.alembic_repeat:
                    a += timed(lambda: run_alembic(conn, md), 1)
        fm, rm, am = min(f), min(r), min(a)
        print(f"floor   (get_multi_*): best {fm:.3f}s  median {statistics.median(f):.3f}s")
        print(f"retort  compare:       best {rm:.3f}s  median {statistics.median(r):.3f}s")
        print(f"alembic compare:       best {am:.3f}s  median {statistics.median(a):.3f}s")
        print(f"retort vs alembic: {am / rm:.1f}x faster   retort vs floor: {rm / fm:.2f}x")
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        admin.dispose()


if __name__ == "__main__":
    main()
