"""autogen: compare a synthetic schema of N tables with a target MetaData.

Each table has about a dozen columns of mixed types, a primary key, two
indexes, a unique constraint, a foreign key to an earlier table, a server
default and a comment.  The target MetaData differs by a few known changes.
"""

from __future__ import annotations

import tempfile

import sqlalchemy as sa

import databases
from harness import Case

CHANGES = 4  # added table, dropped column, added column, nullable change


def build_metadata(n: int, *, target: bool = False) -> sa.MetaData:
    """The database's schema (``target=False``) or the model that differs from it."""
    md = sa.MetaData()
    for i in range(n):
        cols = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("code", sa.String(20)),
            sa.Column("amount", sa.Numeric(12, 2)),
            sa.Column("ratio", sa.Float),
            sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
            sa.Column("created", sa.DateTime, server_default=sa.func.current_timestamp()),
            sa.Column("birthday", sa.Date),
            sa.Column("notes", sa.Text),
            sa.Column("counter", sa.BigInteger, server_default="0"),
            sa.Column("flag", sa.SmallInteger),
            sa.Column("blob", sa.LargeBinary),
        ]
        if i:
            cols.append(sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"t{i - 1}.id", name=f"fk_t{i}_parent")))
        if target and i == 0:
            cols = [c for c in cols if c.name != "notes"] + [sa.Column("extra", sa.String(30))]
        if target and i == 1:
            cols[2] = sa.Column("code", sa.String(20), nullable=False)
        sa.Table(
            f"t{i}", md, *cols,
            sa.UniqueConstraint("code", name=f"uq_t{i}_code"),
            sa.Index(f"ix_t{i}_name", "name"),
            sa.Index(f"ix_t{i}_created", "created", "active"),
            comment=f"table number {i}",
        )
    if target:
        sa.Table("brand_new", md, sa.Column("id", sa.Integer, primary_key=True))
    return md


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args, **kw) -> None:
        self.count += 1


def _statements(engine: sa.Engine, fn) -> int:
    counter = _Counter()
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def _compare(engine: sa.Engine, target: sa.MetaData, tool: str, render: bool):
    if tool == "retort":
        from retort.autogenerate import compare_metadata, produce_migrations, render_python_code
        from retort.migration import MigrationContext
    else:
        from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
        from alembic.migration import MigrationContext

    def run():
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn)
            if render:
                script = produce_migrations(mc, target)
                return render_python_code(script.upgrade_ops)
            diff = compare_metadata(mc, target)
            assert len(diff) >= CHANGES, diff
            return diff

    return run


def _floor(engine: sa.Engine):
    def run():
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            kinds = (sa.engine.reflection.ObjectKind.TABLE,)
            insp.get_multi_columns(kind=kinds[0])
            insp.get_multi_pk_constraint(kind=kinds[0])
            insp.get_multi_foreign_keys(kind=kinds[0])
            insp.get_multi_indexes(kind=kinds[0])
            insp.get_multi_unique_constraints(kind=kinds[0])
            if engine.dialect.supports_comments:
                insp.get_multi_table_comment(kind=kinds[0])

    return run


def cases(quick: bool, backends: list[str]) -> list[Case]:
    out = []
    for backend in backends:
        for n in ((50,) if quick else (50, 200, 1000)):
            url = databases.url_for(backend, tempfile.mkdtemp(prefix="retort-bench-autogen-"))

            def setup(backend=backend, url=url, n=n):
                databases.empty(backend, url)
                engine = sa.create_engine(url)
                build_metadata(n).create_all(engine)
                engine.dispose()

            engine = sa.create_engine(url)
            target = build_metadata(n, target=True)
            for render in (False, True):
                label = "produce+render" if render else "compare_metadata"
                retort_fn = _compare(engine, target, "retort", render)
                alembic_fn = _compare(engine, target, "alembic", render)
                case = Case(
                    "autogen", f"{label} {backend} {n} tables",
                    retort=retort_fn, alembic=alembic_fn,
                    floor=None if render else _floor(engine),
                    setup=setup if not render else None,
                    teardown=(lambda b=backend, u=url, e=engine: (e.dispose(), databases.empty(b, u)))
                    if render else None,
                    target="1000 postgresql: >= 5x alembic, <= 2x floor" if not render else "",
                )
                case.extra = {}

                def count(case=case, engine=engine, r=retort_fn, a=alembic_fn):
                    case.extra["retort_statements"] = _statements(engine, r)
                    case.extra["alembic_statements"] = _statements(engine, a)

                case.after_setup = count
                out.append(case)
    return out
