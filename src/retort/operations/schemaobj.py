"""Throw-away SQLAlchemy Table / Column / Constraint / Index objects built from names.

Operations name tables and columns by string; the DDL layer compiles real
SQLAlchemy constructs.  Every function here builds *new* objects (copies of
any Column or Constraint an op holds), so an op can be turned into SQL any
number of times.  Names wrapped in ``conv`` (``op.f()``) are left alone; other
names follow the naming convention of the migration's ``target_metadata``.
"""

from __future__ import annotations

from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import NULLTYPE

__all__ = ["SchemaObjects", "coerce_type", "copy_column", "ensure_fk_targets", "inline_literal", "table_of"]

_DROP_TYPES = {
    "foreignkey": "fk",
    "primary": "pk",
    "unique": "uq",
    "check": "ck",
}


class SchemaObjects:
    """Build schema objects for one migration context (for its naming convention)."""

    def __init__(self, migration_context: Any = None) -> None:
        self.migration_context = migration_context

    def metadata(self) -> sa.MetaData:
        """A fresh MetaData carrying the target metadata's naming convention."""
        convention = None
        opts = getattr(self.migration_context, "opts", None) or {}
        target = opts.get("target_metadata")
        if isinstance(target, (list, tuple)):
            target = target[0] if target else None
        if target is not None:
            convention = getattr(target, "naming_convention", None)
        if convention:
            return sa.MetaData(naming_convention=convention)
        return sa.MetaData()

    # -- tables and columns -------------------------------------------------

    def table(self, name: str, *items: Any, schema: str | None = None, **kw: Any) -> sa.Table:
        """A Table holding fresh copies of ``items`` (columns, constraints, indexes)."""
        constraints_included = kw.pop("_constraints_included", False)
        adopt = kw.pop("_adopt_columns", False) and not constraints_included
        metadata = kw.pop("_metadata", None) or self.metadata()
        if adopt:
            # Column._copy() is ~15us a column, so a column is used as is when
            # attaching it changes nothing else: on no table yet, a plain (not
            # schema-event) type, and no constraint / index / ForeignKey
            # waiting for it to attach (those would follow it onto our table)
            columns = [c if _adoptable(c) else copy_column(c) for c in items if isinstance(c, sa.Column)]
        else:
            columns = [copy_column(c) for c in items if isinstance(c, sa.Column)]
        if constraints_included:
            # a table taken from MetaData (from_table): its indexes are ops of
            # their own (CreateIndexOp), so Column(index=True) must not add one
            for col in columns:
                col.index = None
        table = sa.Table(name, metadata, *columns, schema=schema, **kw)
        for item in items:
            if isinstance(item, sa.Column):
                continue
            if isinstance(item, sa.Index):
                _copy_index(item, table)
            elif isinstance(item, sa_schema.Constraint):
                if constraints_included and _is_implicit(item):
                    continue
                _copy_constraint(item, table, name, items)
            elif isinstance(item, sa_schema.SchemaItem):
                # anything else SQLAlchemy accepts inside Table() (Identity, etc.)
                table._init_items(item)
            else:
                raise TypeError(
                    f"table {name!r}: expected Column, Constraint or Index objects, "
                    f"got {type(item).__name__} ({item!r})"
                )
        ensure_fk_targets(table)
        return table

    def column(self, name: str, type_: Any, **kw: Any) -> sa.Column[Any]:
        """A new unattached Column."""
        return sa.Column(name, type_, **kw)

    def _table_with_columns(
        self,
        metadata: sa.MetaData,
        table_name: str,
        columns: Sequence[Any],
        schema: str | None,
    ) -> sa.Table:
        """The table named ``table_name`` in ``metadata``, with NULLTYPE columns named."""
        key = f"{schema}.{table_name}" if schema else table_name
        table = metadata.tables.get(key)
        if table is None:
            table = sa.Table(table_name, metadata, schema=schema)
        for col in columns:
            name = col if isinstance(col, str) else getattr(col, "name", None)
            if isinstance(name, str) and name not in table.c:
                table.append_column(sa.Column(name, NULLTYPE))
        return table

    # -- constraints ---------------------------------------------------------

    def primary_key_constraint(
        self, name: str | None, table_name: str, cols: Sequence[str], schema: str | None = None, **dialect_kw: Any
    ) -> sa.PrimaryKeyConstraint:
        table = self._table_with_columns(self.metadata(), table_name, cols, schema)
        pk = sa.PrimaryKeyConstraint(*[table.c[c] for c in cols], name=name, **dialect_kw)
        table.append_constraint(pk)
        return pk

    def unique_constraint(
        self, name: str | None, source: str, local_cols: Sequence[str], schema: str | None = None, **kw: Any
    ) -> sa.UniqueConstraint:
        table = self._table_with_columns(self.metadata(), source, local_cols, schema)
        uq = sa.UniqueConstraint(*[table.c[c] for c in local_cols], name=name, **kw)
        table.append_constraint(uq)
        return uq

    def check_constraint(
        self, name: str | None, source: str, condition: Any, schema: str | None = None, **kw: Any
    ) -> sa.CheckConstraint:
        table = self._table_with_columns(self.metadata(), source, [], schema)
        if isinstance(condition, str):
            condition = sa.text(condition)
        ck = sa.CheckConstraint(condition, name=name, **kw)
        table.append_constraint(ck)
        return ck

    def foreign_key_constraint(
        self,
        name: str | None,
        source: str,
        referent: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> sa.ForeignKeyConstraint:
        metadata = self.metadata()
        # the referred table must exist in the same MetaData for the FK to compile
        if (source, source_schema) == (referent, referent_schema):
            self._table_with_columns(metadata, source, list(local_cols) + list(remote_cols), source_schema)
        else:
            self._table_with_columns(metadata, referent, remote_cols, referent_schema)
        source_table = self._table_with_columns(metadata, source, local_cols, source_schema)
        prefix = f"{referent_schema}.{referent}" if referent_schema else referent
        fk = sa.ForeignKeyConstraint(
            list(local_cols),
            [f"{prefix}.{c}" for c in remote_cols],
            name=name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            **dialect_kw,
        )
        source_table.append_constraint(fk)
        return fk

    def generic_constraint(
        self, name: str | None, table_name: str, type_: str | None, schema: str | None = None, **kw: Any
    ) -> sa_schema.Constraint:
        """A constraint good enough to DROP: right name, table and kind."""
        if type_ is not None and type_ not in _DROP_TYPES:
            raise ValueError(
                f"constraint type {type_!r} is not one of: "
                + ", ".join(repr(t) for t in _DROP_TYPES)
            )
        if type_ == "foreignkey":
            return self.foreign_key_constraint(name, table_name, "_referent", ["x"], ["x"], source_schema=schema)
        if type_ == "primary":
            return self.primary_key_constraint(name, table_name, ["x"], schema=schema)
        if type_ == "unique":
            return self.unique_constraint(name, table_name, ["x"], schema=schema)
        if type_ == "check":
            return self.check_constraint(name, table_name, sa.text("x"), schema=schema)
        table = self._table_with_columns(self.metadata(), table_name, [], schema)
        const = sa_schema.Constraint(name=name, **kw)
        table.append_constraint(const)
        return const

    # -- indexes -------------------------------------------------------------

    def index(
        self,
        name: str | None,
        tablename: str | None,
        columns: Sequence[Any],
        schema: str | None = None,
        **kw: Any,
    ) -> sa.Index:
        """An Index on a throw-away table; strings are column names, others expressions."""
        table = self._table_with_columns(
            self.metadata(), tablename if tablename is not None else "_no_table", [], schema
        )
        exprs: list[Any] = []
        for col in columns:
            if isinstance(col, str):
                if col not in table.c:
                    table.append_column(sa.Column(col, NULLTYPE))
                exprs.append(table.c[col])
            elif isinstance(col, sa.Column):
                if col.name not in table.c:
                    table.append_column(sa.Column(col.name, NULLTYPE))
                exprs.append(table.c[col.name])
            else:
                exprs.append(col)
        # covering-index options (postgresql_include, mssql_include) name
        # columns that must exist on the table too
        for key, value in kw.items():
            if key.endswith("_include") and isinstance(value, (list, tuple)):
                for col in value:
                    if isinstance(col, str) and col not in table.c:
                        table.append_column(sa.Column(col, NULLTYPE))
        return sa.Index(name, *exprs, _table=table, **kw)


def table_of(item: Any) -> sa.Table | None:
    """The Table a constraint / column / index is attached to, or None."""
    if isinstance(item, sa_schema.Constraint):
        # Constraint.table raises when unattached; .parent is the plain slot
        parent = getattr(item, "parent", None)
        return parent if isinstance(parent, sa.Table) else None
    table = getattr(item, "table", None)
    return table if isinstance(table, sa.Table) else None


def ensure_fk_targets(table: sa.Table) -> None:
    """Give every ForeignKey of ``table`` a stub target table in the same MetaData.

    The FK DDL only needs the target's name and column name, but SQLAlchemy
    compiles it by resolving the target column.
    """
    metadata = table.metadata
    for constraint in table.foreign_key_constraints:
        for fk in constraint.elements:
            if fk._colspec is not None and not isinstance(fk._colspec, str):
                continue  # points at a real Column object already
            spec = fk._get_colspec()
            parts = spec.split(".")
            if len(parts) < 2:
                continue
            col_name, tname = parts[-1], parts[-2]
            schema = ".".join(parts[:-2]) or None
            key = f"{schema}.{tname}" if schema else tname
            target = metadata.tables.get(key)
            if target is None:
                target = sa.Table(tname, metadata, schema=schema)
            if col_name not in target.c:
                target.append_column(sa.Column(col_name, NULLTYPE))


def copy_column(column: sa.Column[Any]) -> sa.Column[Any]:
    """A fresh, unattached copy of ``column``.

    As in Alembic, a column taken from a table keeps its own ForeignKeys only
    if they are not owned by that table's constraints: autogenerate emits
    those as separate CreateForeignKeyOps.
    """
    return column._copy()


def _adoptable(column: sa.Column[Any]) -> bool:
    return (
        column.table is None
        and not isinstance(column.type, SchemaEventTarget)
        and not column.dispatch.after_parent_attach
    )


def _is_implicit(constraint: Any) -> bool:
    # constraints that copying the columns recreates: type-bound CHECKs
    # (Enum / Boolean) and Column(unique=True)
    return bool(getattr(constraint, "_type_bound", False) or getattr(constraint, "_column_flag", False))


def _copy_constraint(constraint: Any, table: sa.Table, name: str, items: Sequence[Any]) -> None:
    if table_of(constraint) is None:
        # Constraint._copy() needs a parent table; give the caller's object a
        # private one built from copies of the op's columns (once), so the
        # object itself never lands on a table we hand out.
        scratch = sa.Table(
            name,
            sa.MetaData(),
            *[sa.Column(c.name, NULLTYPE) for c in items if isinstance(c, sa.Column)],
        )
        for col in getattr(constraint, "_pending_colargs", ()):
            col_name = col if isinstance(col, str) else getattr(col, "name", None)
            if isinstance(col_name, str) and col_name not in scratch.c:
                scratch.append_column(sa.Column(col_name, NULLTYPE))
        scratch.append_constraint(constraint)
    kw: dict[str, Any] = {"target_table": table}
    if isinstance(constraint, sa.ForeignKeyConstraint):
        kw["schema"] = None
    new = constraint._copy(**kw)
    # CREATE TABLE lists constraints by creation order: keep the caller's
    # order relative to the FKs that copying the columns just created
    new._creation_order = constraint._creation_order
    if table_of(new) is not table:
        table.append_constraint(new)


def _copy_index(index: sa.Index, table: sa.Table) -> None:
    exprs: list[Any] = []
    for expr in index.expressions:
        if isinstance(expr, str):
            exprs.append(table.c[expr])
        elif isinstance(expr, sa.Column) and expr.name in table.c:
            exprs.append(table.c[expr.name])
        else:
            exprs.append(expr)
    if not exprs:
        # unattached Index("ix", "a"): names are still pending
        for col in getattr(index, "_pending_colargs", ()):
            exprs.append(table.c[col] if isinstance(col, str) else col)
    sa.Index(index.name, *exprs, unique=index.unique, _table=table, **index.kwargs)


class _literal_bindparam(BindParameter[Any]):
    """A bound value that always renders inline in the SQL (``op.inline_literal``)."""

    inherit_cache = True


@compiles(_literal_bindparam)
def _render_literal_bindparam(element: _literal_bindparam, compiler: Any, **kw: Any) -> str:
    kw["literal_binds"] = True
    return compiler.visit_bindparam(element, **kw)


def inline_literal(value: str | int, type_: Any = None) -> _literal_bindparam:
    """A literal value rendered inline, for UPDATE / INSERT statements in migrations."""
    return _literal_bindparam(None, value, type_=type_, unique=True)


def coerce_type(type_: Any) -> Any:
    """Instantiate a TypeEngine class given where an instance is expected."""
    if type_ is None or type_ is False:
        return type_
    return sa.types.to_instance(type_)
