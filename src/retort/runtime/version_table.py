"""The version table: create it, read its heads, move them.

This is the only module that writes the version table, so that a future
journal of applied revisions grows in one place.  Writes go through the
dialect impl, so the same calls produce SQL text in ``--sql`` mode and real
statements online; online, every UPDATE / DELETE checks that it matched
exactly one row, which catches a concurrent run that moved the heads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, bindparam, inspect, literal_column

from retort.util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["VersionTable", "DEFAULT_VERSION_TABLE", "ALEMBIC_VERSION_TABLE"]

DEFAULT_VERSION_TABLE = "retort_version"
ALEMBIC_VERSION_TABLE = "alembic_version"


class VersionTable:
    """The table holding the current head revisions of one database.

    :param impl: the dialect impl (``retort.ddl.impl.DefaultImpl``) statements go through.
    :param name: table name (``retort_version`` / ``alembic_version``).
    :param schema: schema of the table, or None for the default schema.
    :param primary_key: give ``version_num`` a primary key constraint (``<name>_pkc``).
    """

    def __init__(self, impl: Any, name: str, schema: str | None = None, *, primary_key: bool = True) -> None:
        self.impl = impl
        self.name = name
        self.schema = schema
        factory = getattr(impl, "version_table_impl", None)
        if factory is not None:
            # a dialect may shape the table (column type, options) itself
            self.table = factory(version_table=name, version_table_schema=schema, version_table_pk=primary_key)
        else:
            args: list[Any] = [Column("version_num", String(32), nullable=False)]
            if primary_key:
                args.append(PrimaryKeyConstraint("version_num", name=f"{name}_pkc"))
            self.table = Table(name, MetaData(), *args, schema=schema)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    # -- reading -------------------------------------------------------

    def exists(self, connection: Connection) -> bool:
        """Tell whether the table exists in the database (online only)."""
        return inspect(connection).has_table(self.name, schema=self.schema)

    def read_heads(self, connection: Connection) -> tuple[str, ...]:
        """Return the revisions stored in the table, () when it does not exist."""
        if not self.exists(connection):
            return ()
        rows = connection.execute(self.table.select().order_by(self.table.c.version_num))
        return tuple(row[0] for row in rows)

    # -- writing -------------------------------------------------------

    def create(self, connection: Connection | None = None) -> None:
        """Create the table; online only when it is missing."""
        if connection is not None and not self.impl.as_sql and self.exists(connection):
            return
        self.impl.create_table(self.table)

    def drop(self) -> None:
        """Drop the table (offline downgrade to base)."""
        self.impl.drop_table(self.table)

    def insert(self, revision: str) -> None:
        """Add ``revision`` as a new head."""
        # not inline(): with the primary key the dialect adds its RETURNING /
        # OUTPUT clause, which is what Alembic's --sql output shows too
        self._write(self.table.insert().values(version_num=_literal(revision)))

    def update(self, old: str, new: str) -> None:
        """Replace head ``old`` by ``new``."""
        if not self.impl.as_sql:
            # one UPDATE per revision: a statement compiled once, whose values
            # are rendered inline at execution (the same text as below)
            template = self._update_template()
            if template is not None and _SAFE_ID.issuperset(old) and _SAFE_ID.issuperset(new):
                # the text SQLAlchemy would render, sent as it is: executing
                # the construct cost ~3x more (cache key, literal_execute pass)
                sql, render = template
                sql = sql.replace(_NEW_SLOT, render(new)).replace(_OLD_SLOT, render(old))
                result = self.impl.connection.exec_driver_sql(sql)
            else:
                result = self.impl._exec(self._online_update(), params={"old": old, "new": new})
            self._check(result, f"updating '{old}' to '{new}'")
            return
        stmt = (
            self.table.update()
            .where(self.table.c.version_num == _literal(old))
            .values(version_num=_literal(new))
        )
        self._check(self._write(stmt), f"updating '{old}' to '{new}'")

    _update_stmt: Any = None

    def _online_update(self) -> Any:
        if self._update_stmt is None:
            col = self.table.c.version_num
            self._update_stmt = (
                self.table.update()
                .where(col == bindparam("old", type_=col.type, literal_execute=True))
                .values(version_num=bindparam("new", type_=col.type, literal_execute=True))
            )
        return self._update_stmt

    _update_sql: Any = None

    def _update_template(self) -> tuple[str, Any] | None:
        """The online UPDATE's text with slots for the ids, and the id literal renderer."""
        if self._update_sql is None:
            self._update_sql = False
            dialect = self.impl.dialect
            render = self.table.c.version_num.type.literal_processor(dialect)
            sql = str(self._online_update().compile(dialect=dialect))
            if render is not None and self.impl.connection is not None and sql.count(_NEW_SLOT) == 1 == sql.count(_OLD_SLOT):
                self._update_sql = (sql, render)
        return self._update_sql or None

    def delete(self, revision: str) -> None:
        """Remove head ``revision``."""
        stmt = self.table.delete().where(self.table.c.version_num == _literal(revision))
        self._check(self._write(stmt), f"deleting '{revision}'")

    def delete_all(self) -> None:
        """Remove every row (``stamp --purge``)."""
        self._write(self.table.delete())

    def _write(self, stmt: Any) -> Any:
        if self.impl.as_sql:
            # compiled as-is, not through the impl's literal_binds path (which
            # drops the table name from the WHERE clause): the ids are literals
            # already, and the text is then exactly Alembic's for every dialect
            self.impl._emit_statement(str(stmt.compile(dialect=self.impl.dialect)))
            return None
        return self.impl._exec(stmt)

    def move(self, old_heads: Iterable[str], new_heads: Iterable[str], *, order: Sequence[str] = ()) -> None:
        """Turn the stored heads ``old_heads`` into ``new_heads`` with UPDATE / DELETE / INSERT.

        One removed head is UPDATEd into one added head (so a concurrent
        writer is detected by the row count); the other removals are DELETEs
        and the other additions INSERTs.  ``order`` lists revision ids in a
        preferred order (a step's parents first).  As in Alembic, a merge
        deletes its other parents' rows and updates its *last* parent's row;
        an unmerge inserts its other parents' rows and updates the merge's
        row into its *first* parent.
        """
        old = set(old_heads)
        new = set(new_heads)
        removed = _ordered(old - new, order)
        added = _ordered(new - old, order)
        if removed and added:
            for rev in removed[:-1]:
                self.delete(rev)
            for rev in added[1:]:
                self.insert(rev)
            self.update(removed[-1], added[0])
            return
        for rev in removed:
            self.delete(rev)
        for rev in added:
            self.insert(rev)

    def _check(self, result: Any, what: str) -> None:
        if self.impl.as_sql or result is None:
            return
        count = getattr(result, "rowcount", None)
        if count is not None and count != 1:
            raise CommandError(
                f"Online migration expected to match one row when {what} in "
                f"'{self.qualified_name}'; {count} found (did another process move the heads?)"
            )


# revision ids made of these render the same with any dialect's quoting rules
_SAFE_ID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_NEW_SLOT = "__[POSTCOMPILE_new]"
_OLD_SLOT = "__[POSTCOMPILE_old]"


def _literal(revision: str) -> Any:
    # revision ids are written as literals, so offline SQL reads like online SQL
    # ('abc', not a bind parameter); quotes are doubled so no id escapes the literal
    return literal_column("'" + str(revision).replace("'", "''") + "'", String(32))


def _ordered(revs: set[str], order: Sequence[str]) -> list[str]:
    position: dict[str, int] = {}
    for i, rev in enumerate(order):
        position.setdefault(rev, i)  # the first mention wins
    return sorted(revs, key=lambda r: (position.get(r, len(position)), r))
