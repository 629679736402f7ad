"""Snapshot → SQLAlchemy ``Table`` / ``Column`` objects.

Built only when something needs a real object: an operation that carries the
database's version of a table or column (drops, whose reverse re-creates it),
or a user hook whose documented signature takes a ``Table`` / ``Column``.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.elements import conv

from .model import ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, TableSnapshot, UniqueSnapshot

__all__ = ["table_from_snapshot", "column_from_snapshot", "server_default_from_snapshot"]



def _conv(name: str | None) -> Any:
    """A name the database already has, marked final (``conv``) as Alembic marks reflected names.

    No naming convention applies to it again, and rendered code writes it as
    ``op.f('name')``.
    """
    return conv(name) if name is not None else None

def server_default_from_snapshot(col: ColumnSnapshot) -> Any:
    """The column's server default as SQLAlchemy has it: DefaultClause, Computed, Identity or None."""
    if col.computed is not None:
        return Computed(text(col.computed.sqltext), persisted=col.computed.persisted)
    if col.identity is not None:
        ident = col.identity
        return Identity(
            always=ident.always,
            on_null=ident.on_null,
            start=ident.start,
            increment=ident.increment,
            minvalue=ident.minvalue,
            maxvalue=ident.maxvalue,
            cycle=ident.cycle,
            cache=ident.cache,
            order=ident.order,
        )
    if col.default is not None:
        return DefaultClause(text(col.default))
    return None


def _existing_type(type_: Any) -> Any:
    """A reflected named type (PostgreSQL ENUM, DOMAIN) exists already: re-creating its
    table (a drop's reverse) must not create it again; dropping a table leaves it."""
    if getattr(type_, "create_type", None) is True:
        type_ = copy.copy(type_)
        type_.create_type = False
    return type_


def column_from_snapshot(col: ColumnSnapshot) -> Column[Any]:
    """Return a new, unattached ``Column`` described by ``col``."""
    args: list[Any] = []
    if col.computed is not None or col.identity is not None:
        args.append(server_default_from_snapshot(col))
    kw: dict[str, Any] = {}
    if col.default is not None and col.computed is None and col.identity is None:
        kw["server_default"] = DefaultClause(text(col.default))
    autoinc = col.autoincrement
    if autoinc is not None:
        kw["autoincrement"] = autoinc
    return Column(
        col.name,
        _existing_type(col.type),
        *args,
        nullable=col.nullable,
        comment=col.comment,
        **kw,
    )


def _fk(fk: ForeignKeySnapshot) -> ForeignKeyConstraint:
    prefix = f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
    return ForeignKeyConstraint(
        list(fk.columns),
        [f"{prefix}.{c}" for c in fk.referred_columns],
        name=_conv(fk.name),
        **{k: v for k, v in fk.options.items() if k in ("ondelete", "onupdate", "deferrable", "initially", "match")},
    )


def index_from_snapshot(idx: IndexSnapshot, table: Table) -> Index:
    """Return an ``Index`` on ``table`` described by ``idx`` (attached to ``table``)."""
    elements: list[Any] = []
    for i, name in enumerate(idx.columns):
        if name is not None and idx.column_sorting.get(name):
            # kept as SQL text: an op copies the index onto tables of its own
            words = [m.replace("_", " ").upper() for m in idx.column_sorting[name]]
            elements.append(text(" ".join([name, *words])))
        elif name is not None:
            elements.append(table.c[name] if name in table.c else text(name))
        else:
            expr = idx.expressions[i] if i < len(idx.expressions) else None
            elements.append(text(expr or ""))
    kw = {}
    for key, value in idx.dialect_options.items():
        if key.endswith("_where") and isinstance(value, str):
            value = text(value)
        kw[key] = value
    return Index(_conv(idx.name), *elements, unique=idx.unique, _table=table, **kw)


def unique_from_snapshot(uq: UniqueSnapshot, table: Table) -> UniqueConstraint:
    const = UniqueConstraint(*[table.c[c] for c in uq.columns], name=_conv(uq.name), **uq.dialect_options)
    table.append_constraint(const)
    return const


def table_from_snapshot(snap: TableSnapshot, metadata: MetaData | None = None) -> Table:
    """Return a ``Table`` (in ``metadata`` or a fresh one) equal to the snapshot.

    Unique constraints that are really unique indexes (MySQL) become those
    indexes, and indexes that merely implement a unique constraint
    (PostgreSQL) are left out, so re-creating the table creates each object
    once.  Table options (``mysql_engine`` ...) come from ``dialect_options``.
    """
    md = metadata if metadata is not None else MetaData()
    args: list[Any] = [column_from_snapshot(c) for c in snap.columns]
    if snap.primary_key is not None:
        args.append(PrimaryKeyConstraint(*snap.primary_key.columns, name=_conv(snap.primary_key.name)))
    args.extend(_fk(f) for f in snap.foreign_keys)
    args.extend(CheckConstraint(text(c.sqltext), name=_conv(c.name)) for c in snap.checks)
    table = Table(snap.name, md, *args, schema=snap.schema, comment=snap.comment, **snap.dialect_options)
    for uq in snap.uniques:
        # a unique key that is really an index (MySQL) is built as that index
        if not uq.duplicates_index:
            unique_from_snapshot(uq, table)
    for idx in snap.indexes:
        if idx.duplicates_constraint:
            continue
        index_from_snapshot(idx, table)
    return table
