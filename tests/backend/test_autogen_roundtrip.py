"""Round-trip property suite: compare, upgrade, compare again, downgrade — on every backend.

For each generated pair (database schema A, target schema B) from a seeded
corpus: create A, ``produce_migrations`` against B, run the upgrade with
``Operations.invoke`` (batch mode on SQLite, as spec 03), check that
comparing again finds nothing, run the downgrade and check the database is A
again (as ``sqlalchemy.inspect`` sees it).  The corpus covers the type
families (ENUM value changes on SQLite and MariaDB), server defaults, nullability, indexes (unique, partial on
PostgreSQL), named unique constraints, foreign keys (with ``ondelete``,
across schemas / databases on PostgreSQL and MariaDB), table / column comments, tables added and
dropped (including one another table's key pointed at), generated (computed)
columns, and identity keys on PostgreSQL.

A second run takes another part of the corpus through the whole of
autogenerate: the operations are rendered as Python (``render_python_code``,
batch blocks on SQLite) and the rendered code is executed.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from retort.autogenerate import compare_metadata, produce_migrations
from retort.migration import MigrationContext
from retort.operations import Operations

from autogen_support import run_ops

SEEDS = range(60)
OTHER_SCHEMA = "rt_other"


def other_schema(engine: sa.Engine) -> str | None:
    """A second schema to spread tables over: PostgreSQL schema, MariaDB database."""
    if engine.name == "postgresql":
        return OTHER_SCHEMA
    if engine.name == "mysql":
        # named after the session database, so the fixtures drop it
        return f"{engine.url.database}_o"
    return None

# family -> (factory(arg), possible args, default values usable with it)
FAMILIES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "int": (lambda a: sa.Integer(), (None,)),
    "bigint": (lambda a: sa.BigInteger(), (None,)),
    "smallint": (lambda a: sa.SmallInteger(), (None,)),
    "str": (lambda a: sa.String(a), (20, 50, 100)),
    "text": (lambda a: sa.Text(), (None,)),
    "numeric": (lambda a: sa.Numeric(*a), ((10, 2), (12, 4))),
    "float": (lambda a: sa.Float(), (None,)),
    "bool": (lambda a: sa.Boolean(), (None,)),
    "date": (lambda a: sa.Date(), (None,)),
    "datetime": (lambda a: sa.DateTime(), (None,)),
    "time": (lambda a: sa.Time(), (None,)),
    "binary": (lambda a: sa.LargeBinary(), (None,)),
    "json": (lambda a: sa.JSON(), (None,)),
    "uuid": (lambda a: sa.Uuid(), (None,)),
    # not on PostgreSQL, where changing a named ENUM type's values is not an ALTER COLUMN
    "enum": (lambda a: sa.Enum(*a, name="rt_enum_" + "_".join(a)), (("a", "b"), ("a", "b", "cc"))),
}
DEFAULTS: dict[str, tuple[Any, ...]] = {
    "int": ("int:5", "int:7"),
    "bigint": ("int:5",),
    "smallint": ("int:1",),
    "str": ("str:abc", "str:x y"),
    "bool": ("bool:1", "bool:0"),
    "datetime": ("now",),
}
INDEXABLE = ("int", "bigint", "smallint", "str", "date")
# type changes every backend can make on an empty table, keeping indexes valid
SAFE_CHANGES = {
    "int": ("bigint",), "bigint": ("int",), "str": ("str",), "numeric": ("numeric",), "text": ("str",),
    "enum": ("enum",),
}


@dataclass
class Col:
    name: str
    family: str
    arg: Any = None
    nullable: bool = True
    default: str | None = None
    comment: str | None = None
    fk: tuple[str, str | None, str | None] | None = None  # (fk name, referred schema, referred table)
    flag: str | None = None  # "index" / "unique": Column(index=True) / Column(unique=True)


@dataclass
class Tbl:
    name: str
    schema: str | None = None
    cols: list[Col] = field(default_factory=list)
    indexes: list[tuple[str, tuple[str, ...], bool, str | None]] = field(default_factory=list)
    uniques: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    comment: str | None = None
    identity: bool = False  # PostgreSQL: the key is an identity column
    computed: str | None = None  # name of a generated column "id * 2"


def _default(spec: str | None) -> Any:
    if spec is None:
        return None
    kind, _, value = spec.partition(":")
    if kind == "int":
        return text(value)
    if kind == "str":
        return value
    if kind == "bool":
        return sa.true() if value == "1" else sa.false()
    return sa.func.now()


NAMING_CONVENTION = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}


def build(tables: list[Tbl]) -> sa.MetaData:
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    for t in tables:
        id_args = [sa.Identity(start=10)] if t.identity else []
        cols: list[Any] = [sa.Column("id", sa.Integer, *id_args, primary_key=True)]
        if t.computed:
            # a fixed base column and a column generated from it
            cols.append(sa.Column("num", sa.Integer))
            cols.append(sa.Column(t.computed, sa.Integer, sa.Computed("num * 2", persisted=True)))
        for c in t.cols:
            factory = FAMILIES[c.family][0]
            args: list[Any] = []
            if c.fk:
                fk_name, ref_schema, ref_table = c.fk
                target = f"{ref_schema}.{ref_table}.id" if ref_schema else f"{ref_table}.id"
                args.append(sa.ForeignKey(target, name=fk_name, ondelete="CASCADE" if fk_name.endswith("c") else None))
            cols.append(
                sa.Column(c.name, factory(c.arg), *args, nullable=c.nullable,
                          server_default=_default(c.default), comment=c.comment,
                          index=True if c.flag == "index" else None,
                          unique=True if c.flag == "unique" else None)
            )
        table = sa.Table(t.name, md, *cols, schema=t.schema, comment=t.comment)
        for name, ucols in t.uniques:
            table.append_constraint(sa.UniqueConstraint(*ucols, name=name))
        for name, icols, unique, where in t.indexes:
            kw = {"postgresql_where": text(where)} if where else {}
            sa.Index(name, *[table.c[c] for c in icols], unique=unique, **kw)
    return md


class Gen:
    """Random schemas and mutations of them, for one backend."""

    def __init__(self, seed: int, backend: str, other: str | None = None) -> None:
        self.rng = random.Random(seed)
        self.backend = backend
        self.other = other
        self.n = 0

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def column(self, fk_targets: list[Tbl], schema: str | None = None) -> Col:
        rng = self.rng
        if self.backend == "mysql" and schema is not None:
            # MariaDB reads an unqualified REFERENCES in the referencing table's
            # database, so a key from the second database stays inside it
            fk_targets = [x for x in fk_targets if x.schema == schema]
        if fk_targets and rng.random() < 0.25:
            target = rng.choice(fk_targets)
            suffix = "c" if rng.random() < 0.5 else "n"
            return Col(self.name("fk_col"), "int", fk=(self.name("fk") + "_" + suffix, target.schema, target.name))
        families = [f for f in FAMILIES if not (f == "enum" and self.backend == "postgresql")]
        family = rng.choice(families)
        col = Col(self.name("c"), family, rng.choice(FAMILIES[family][1]))
        col.nullable = rng.random() < 0.7
        if family in DEFAULTS and rng.random() < 0.4:
            col.default = rng.choice(DEFAULTS[family])
        if rng.random() < 0.2:
            col.comment = rng.choice(["first", "second note"])
        if family in INDEXABLE and rng.random() < 0.15:
            col.flag = rng.choice(["index", "unique"])
        return col

    def table(self, existing: list[Tbl], schema: str | None = None) -> Tbl:
        rng = self.rng
        t = Tbl(self.name("t"), schema)
        for _ in range(rng.randint(1, 5)):
            t.cols.append(self.column(existing, schema))
        if rng.random() < 0.3:
            t.comment = rng.choice(["a table", "another"])
        if rng.random() < 0.2:
            t.computed = self.name("gen")
        t.identity = self.backend == "postgresql" and rng.random() < 0.3
        self.add_index(t)
        self.add_unique(t)
        return t

    def add_index(self, t: Tbl) -> None:
        cands = [c.name for c in t.cols if c.family in INDEXABLE and not c.fk]
        if cands and self.rng.random() < 0.6:
            cols = tuple(self.rng.sample(cands, min(len(cands), self.rng.randint(1, 2))))
            where = None
            if self.backend == "postgresql" and self.rng.random() < 0.3 and "int" in [
                c.family for c in t.cols if c.name == cols[0]
            ]:
                where = f"{cols[0]} > 0"
            t.indexes.append((self.name("ix"), cols, self.rng.random() < 0.3, where))

    def add_unique(self, t: Tbl) -> None:
        # not on a unique=True column: two identical constraints are one to the DDL
        cands = [c.name for c in t.cols if c.family in INDEXABLE and not c.fk and c.flag != "unique"]
        if cands and self.rng.random() < 0.4:
            cols = (self.rng.choice(cands),)
            # two identical unique constraints are one to SQLite's reflection
            if cols not in [u[1] for u in t.uniques]:
                t.uniques.append((self.name("uq"), cols))

    def schema(self) -> list[Tbl]:
        tables: list[Tbl] = []
        for _ in range(self.rng.randint(1, 4)):
            schema = self.other if self.other and self.rng.random() < 0.3 else None
            tables.append(self.table(tables, schema))
        return tables

    def mutate(self, tables: list[Tbl]) -> list[Tbl]:
        rng = self.rng
        new = copy.deepcopy(tables)
        if len(new) > 1 and rng.random() < 0.3:
            gone = new.pop(rng.randrange(len(new)))
            for t in new:  # keys that pointed at it go too
                for c in t.cols:
                    if c.fk and (c.fk[1], c.fk[2]) == (gone.schema, gone.name):
                        c.fk = None
        if rng.random() < 0.3:
            new.append(self.table(new))
        for t in new:
            for _ in range(rng.randint(2, 4)):
                self.mutate_table(t, new)
        return new

    def mutate_table(self, t: Tbl, tables: list[Tbl]) -> None:
        rng = self.rng
        action = rng.choice(["add_col", "drop_col", "type", "nullable", "default", "comment",
                             "index", "unique", "table_comment", "fk"])
        plain = [c for c in t.cols if not c.fk]
        if action == "add_col":
            t.cols.append(self.column([x for x in tables if x is not t], t.schema))
        elif action == "drop_col" and len(t.cols) > 1:
            col = rng.choice(t.cols)
            t.cols.remove(col)
            t.indexes = [i for i in t.indexes if col.name not in i[1]]
            t.uniques = [u for u in t.uniques if col.name not in u[1]]
        elif action == "type":
            cands = [c for c in plain if c.family in SAFE_CHANGES]
            if cands:
                col = rng.choice(cands)
                indexed = any(col.name in i[1] for i in t.indexes) or any(col.name in u[1] for u in t.uniques)
                family = rng.choice(SAFE_CHANGES[col.family])
                if indexed and family not in INDEXABLE:
                    return
                if col.default and family not in DEFAULTS:
                    return
                if col.default and not col.default.startswith(
                    {"int": "int", "bigint": "int", "str": "str"}.get(family, "?")
                ):
                    return
                col.family = family
                col.arg = rng.choice([a for a in FAMILIES[family][1] if a != col.arg] or FAMILIES[family][1])
        elif action == "nullable" and plain:
            col = rng.choice(plain)
            col.nullable = not col.nullable
        elif action == "default":
            cands = [c for c in plain if c.family in DEFAULTS]
            if cands:
                col = rng.choice(cands)
                col.default = rng.choice([None, *DEFAULTS[col.family]])
        elif action == "comment" and t.cols:
            rng.choice(t.cols).comment = rng.choice([None, "changed", "first"])
        elif action == "index":
            if t.indexes and rng.random() < 0.5:
                t.indexes.pop(rng.randrange(len(t.indexes)))
            else:
                self.add_index(t)
        elif action == "unique":
            if t.uniques and rng.random() < 0.5:
                t.uniques.pop(rng.randrange(len(t.uniques)))
            else:
                self.add_unique(t)
        elif action == "table_comment":
            t.comment = rng.choice([None, "a table", "changed"])
        elif action == "fk":
            others = [x for x in tables if x is not t]
            fk_cols = [c for c in t.cols if c.fk]
            if fk_cols and rng.random() < 0.5:
                col = rng.choice(fk_cols)
                col.fk = (col.fk[0][:-1] + ("n" if col.fk[0].endswith("c") else "c"), col.fk[1], col.fk[2]) \
                    if rng.random() < 0.5 else None
            elif others:
                t.cols.append(self.column(others, t.schema))


# -- the database as a user sees it -------------------------------------------


def describe(engine: sa.Engine, schemas: list[str | None]) -> dict[Any, Any]:
    """Everything compared, from sqlalchemy.inspect, in an order-free form."""
    insp = sa.inspect(engine)
    result: dict[Any, Any] = {}
    compiler = engine.dialect.type_compiler_instance
    for schema in schemas:
        names = insp.get_table_names(schema=schema)
        if not names:
            continue
        kw = {"schema": schema, "filter_names": names}
        columns = insp.get_multi_columns(**kw)
        pks = insp.get_multi_pk_constraint(**kw)
        fks = insp.get_multi_foreign_keys(**kw)
        indexes = insp.get_multi_indexes(**kw)
        uniques = insp.get_multi_unique_constraints(**kw)
        comments = insp.get_multi_table_comment(**kw) if engine.dialect.supports_comments else {}
        for key in columns:
            fk_cols = {tuple(f["constrained_columns"]) for f in fks.get(key, [])}
            result[key] = {
                "columns": sorted(
                    (c["name"], compiler.process(c["type"]), bool(c["nullable"]),
                     c.get("default"), c.get("comment"))
                    for c in columns[key]
                ),
                "pk": tuple(pks[key]["constrained_columns"]) if pks.get(key) else (),
                "fks": sorted(
                    (f["name"], tuple(f["constrained_columns"]), f["referred_schema"], f["referred_table"],
                     tuple(f["referred_columns"]), tuple(sorted((f.get("options") or {}).items())))
                    for f in fks.get(key, [])
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]),
                     str((i.get("dialect_options") or {}).get("postgresql_where")))
                    for i in indexes.get(key, [])
                    if not i.get("duplicates_constraint")
                    and not (engine.name == "mysql" and not i["unique"] and tuple(i["column_names"]) in fk_cols)
                ),
                "uniques": sorted((u["name"], tuple(u["column_names"])) for u in uniques.get(key, [])),
                "comment": (comments.get(key) or {}).get("text"),
            }
    return result


def _opts(engine: sa.Engine) -> dict[str, Any]:
    opts: dict[str, Any] = {"compare_server_default": True}
    other = other_schema(engine)
    if other:
        opts["include_schemas"] = True
        opts["include_name"] = lambda name, type_, parents: type_ != "schema" or name == other
    return opts


def compare(engine: sa.Engine, md: sa.MetaData) -> list[Any]:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=_opts(engine)), md)


@pytest.mark.parametrize("seed", SEEDS)
def test_roundtrip(engine, seed):
    other = other_schema(engine)
    gen = Gen(seed, engine.name, other)
    before = gen.schema()
    after = gen.mutate(before)
    md_before, md_after = build(before), build(after)
    schemas: list[str | None] = [None]
    if other:
        schemas.append(other)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {other}"))
    try:
        _roundtrip(engine, md_before, md_after, schemas)
    finally:
        if engine.name == "mysql":
            # a key from the default database into the second one would stop
            # the fixture from dropping the second database first
            with engine.begin() as conn:
                conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
                conn.execute(text(f"DROP DATABASE IF EXISTS {other}"))
                conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


def _roundtrip(engine: sa.Engine, md_before: sa.MetaData, md_after: sa.MetaData, schemas: list[Any]) -> None:
    md_before.create_all(engine)
    original = describe(engine, schemas)
    assert compare(engine, md_before) == [], "the database made from A must compare equal to A"

    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts=_opts(engine)), md_after)
    run_ops(engine, script.upgrade_ops)
    assert compare(engine, md_after) == [], "after the upgrade the database must equal B"

    run_ops(engine, script.downgrade_ops)
    assert describe(engine, schemas) == original, "after the downgrade the database must be A again"


# -- the same corpus through rendered Python ---------------------------------------


def run_rendered(engine: sa.Engine, container: Any) -> None:
    """Render ``container`` as a revision body would be, then execute it with ``op`` bound."""
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    from retort.autogenerate import render_python_code

    with engine.begin() as conn:
        mc = MigrationContext.configure(conn)
        code = render_python_code(container, render_as_batch=engine.name == "sqlite", migration_context=mc)
        body = "\n".join(
            line if line.startswith("    ") or not line.strip() else "    " + line for line in code.splitlines()
        )
        namespace = {"op": Operations(mc), "sa": sa, "postgresql": postgresql, "mysql": mysql, "sqlite": sqlite}
        exec(compile(f"def step():\n{body}\n    pass\nstep()\n", "<rendered>", "exec"), namespace)


@pytest.mark.parametrize("seed", range(30))
def test_rendered_roundtrip(engine, seed):
    gen = Gen(1000 + seed, engine.name)
    before = gen.schema()
    after = gen.mutate(before)
    md_before, md_after = build(before), build(after)
    md_before.create_all(engine)
    original = describe(engine, [None])
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts=_opts(engine)), md_after)
    run_rendered(engine, script.upgrade_ops)
    assert compare(engine, md_after) == [], "after the rendered upgrade the database must equal B"
    run_rendered(engine, script.downgrade_ops)
    assert describe(engine, [None]) == original, "after the rendered downgrade the database must be A again"
