"""PostgreSQL: ALTER … TYPE … USING, identity columns, advisory lock.

Comments are ``COMMENT ON`` statements (SQLAlchemy's and the ANSI
ColumnComment), ``CREATE INDEX CONCURRENTLY`` / ``WHERE`` come from the
Index's ``postgresql_*`` options, which SQLAlchemy's compiler already reads.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Identity, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.sql.elements import ClauseElement

from retort.ddl import elements as el
from retort.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Table

__all__ = ["PostgresqlImpl", "PostgresqlColumnType", "advisory_lock_key"]


class PostgresqlColumnType(el.ColumnType):
    """``ALTER COLUMN c TYPE t [USING expr]``."""

    def __init__(self, table_name: str, column_name: str, type_: Any, using: Any = None, **kw: Any) -> None:
        super().__init__(table_name, column_name, type_, **kw)
        self.using = using


class PostgresqlImpl(DefaultImpl):
    __dialect__ = "postgresql"

    transactional_ddl = True
    type_synonyms = DefaultImpl.type_synonyms + ({"FLOAT", "DOUBLE PRECISION"},)
    binary_literal_format = "'\\x{hex}'::bytea"

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        postgresql_using: Any = None,
        **kw: Any,
    ) -> None:
        """As DefaultImpl, with the type change first so ``postgresql_using`` converts the data."""
        if postgresql_using is not None and type_ is None:
            raise TypeError("alter_column: postgresql_using= needs type_= (the new type) as well")
        if type_ is not None:
            self._exec(
                PostgresqlColumnType(
                    table_name,
                    column_name,
                    type_,
                    using=postgresql_using,
                    schema=schema,
                    existing_type=existing_type,
                    existing_nullable=existing_nullable,
                    existing_server_default=existing_server_default,
                    existing_comment=existing_comment,
                )
            )
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            name=name,
            type_=None,
            schema=schema,
            autoincrement=autoincrement,
            comment=comment,
            existing_comment=existing_comment,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_autoincrement=existing_autoincrement,
            **kw,
        )

    def prep_table_for_batch(self, batch_impl: Any, table: "Table") -> None:
        """Drop the old table's index-backed constraints before its copy is created.

        PostgreSQL names a primary key / unique / exclusion constraint after the
        index behind it, and index names are unique per schema: the new table
        could not reuse them while the old table still has them.  Foreign key
        and check constraint names are per table and stay.
        """
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        for const in sorted(table.constraints, key=lambda c: str(c.name or "")):
            if const.name is not None and isinstance(
                const, (PrimaryKeyConstraint, UniqueConstraint, ExcludeConstraint)
            ):
                self.drop_constraint(const)

    # ------------------------------------------------------------------ advisory lock

    def _acquire_lock(self, name: str, timeout: float | None) -> None:
        """Session-level ``pg_try_advisory_lock``, polled; never blocks CONCURRENTLY DDL."""
        if name in self._held_locks:
            return
        key = advisory_lock_key(name)

        def try_once() -> bool:
            return bool(
                self._run_outside_txn(
                    lambda conn: conn.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                    ).scalar()
                )
            )

        self._poll_lock(name, timeout, try_once)
        self._held_locks[name] = key

    def _release_lock(self, name: str) -> None:
        key = self._held_locks.pop(name, None)
        if key is None:
            return
        self._run_outside_txn(
            lambda conn: conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        )


def advisory_lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lock name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# ---------------------------------------------------------------------------
# compilation


@compiles(PostgresqlColumnType, "postgresql")
def _pg_column_type(element: PostgresqlColumnType, compiler: Any, **kw: Any) -> str:
    sql = "%s %s TYPE %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.alter_column(compiler, element.column_name),
        el.format_type(compiler, element.type_),
    )
    if element.using is not None:
        using = element.using
        if isinstance(using, ClauseElement):
            using = compiler.sql_compiler.process(using, literal_binds=True)
        sql += " USING %s" % using
    return sql


_IDENTITY_OPTION_DEFAULTS = {
    # what PostgreSQL goes back to when an option is removed
    "increment": "INCREMENT BY 1",
    "start": "START WITH 1",
    "minvalue": "NO MINVALUE",
    "maxvalue": "NO MAXVALUE",
    "nominvalue": "NO MINVALUE",
    "nomaxvalue": "NO MAXVALUE",
    "cache": "CACHE 1",
    "cycle": "NO CYCLE",
}


def _identity_option(identity: Identity | None, attr: str, compiler: Any) -> str:
    value = getattr(identity, attr, None) if identity is not None else None
    if value is None:
        return _IDENTITY_OPTION_DEFAULTS[attr]
    single = Identity(**{attr: value})
    return compiler.get_identity_options(single)


@compiles(el.IdentityColumnDefault, "postgresql")
def _pg_identity(element: el.IdentityColumnDefault, compiler: Any, **kw: Any) -> str:
    prefix = "%s %s" % (
        el.alter_table(compiler, element.table_name, element.schema),
        el.alter_column(compiler, element.column_name),
    )
    new, existing = element.default, element.existing_server_default
    if new is None:
        return prefix + " DROP IDENTITY"
    if not isinstance(existing, Identity):
        return prefix + " ADD " + compiler.process(new)
    impl = element.impl
    changed, _, _ = impl._compare_identity_default(new, existing)
    clauses = []
    if "always" in changed:
        clauses.append("SET GENERATED %s" % ("ALWAYS" if new.always else "BY DEFAULT"))
    for attr in _IDENTITY_OPTION_DEFAULTS:
        if attr in changed:
            clauses.append("SET " + _identity_option(new, attr, compiler))
    if not clauses:
        # nothing PostgreSQL can alter changed; re-state the generation mode
        clauses.append("SET GENERATED %s" % ("ALWAYS" if new.always else "BY DEFAULT"))
    return prefix + " " + " ".join(clauses)


def __getattr__(name: str) -> Any:
    # Alembic users import the EXCLUDE op from here (``alembic.ddl.postgresql``);
    # it lives with the other ops, and ddl/ must not import operations/ at import time
    if name == "CreateExcludeConstraintOp":
        from retort.operations.ops.exclude import CreateExcludeConstraintOp

        return CreateExcludeConstraintOp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
