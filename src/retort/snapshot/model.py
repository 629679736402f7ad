"""A plain, comparable description of a schema: schema → table → column / index / constraint.

Snapshots are frozen dataclasses with no I/O, so they can be built from a
``MetaData`` (:mod:`.from_metadata`), from a live database
(:mod:`.from_database`) or, later, from replayed operations.  Anything a
dialect adds that the common fields don't cover goes in ``dialect_options``.

``source`` keeps the object a snapshot was made from (a SQLAlchemy ``Table``,
``Column``, ``Index`` … on the MetaData side, ``None`` on the database side);
it is excluded from equality so two snapshots compare by content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping



@dataclass(frozen=True, slots=True)
class ComputedSnapshot:
    """A generated column's expression (``GENERATED ALWAYS AS``)."""

    sqltext: str
    persisted: bool | None = None


@dataclass(frozen=True, slots=True)
class IdentitySnapshot:
    """An identity column's options; ``None`` means "the database's default"."""

    always: bool = False
    on_null: bool | None = None
    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    cycle: bool | None = None
    cache: int | None = None
    order: bool | None = None


@dataclass(frozen=True, slots=True)
class ColumnSnapshot:
    """One column; ``default`` is the server default as SQL text (or None)."""

    name: str
    type: Any  # a SQLAlchemy TypeEngine instance
    nullable: bool = True
    default: str | None = None
    autoincrement: bool | str | None = None
    comment: str | None = None
    computed: ComputedSnapshot | None = None
    identity: IdentitySnapshot | None = None
    dialect_options: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PrimaryKeySnapshot:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UniqueSnapshot:
    """A unique constraint; ``duplicates_index`` names the index that implements it (MySQL)."""

    name: str | None
    columns: tuple[str, ...]
    duplicates_index: str | None = None
    dialect_options: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IndexSnapshot:
    """An index; ``expressions`` has SQL text where an element is not a plain column.

    ``columns[i]`` is ``None`` exactly where ``expressions[i]`` holds the
    element.  ``duplicates_constraint`` names the unique constraint this
    index implements (PostgreSQL).
    """

    name: str | None
    columns: tuple[str | None, ...]
    unique: bool = False
    expressions: tuple[str | None, ...] = ()
    duplicates_constraint: str | None = None
    dialect_options: Mapping[str, Any] = field(default_factory=dict)
    #: column name → ordering modifiers ("desc", "nulls_first", "nulls_last")
    column_sorting: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ForeignKeySnapshot:
    """A foreign key; ``options`` holds ondelete / onupdate / deferrable / initially / match."""

    name: str | None
    columns: tuple[str, ...]
    referred_schema: str | None
    referred_table: str
    referred_columns: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CheckSnapshot:
    name: str | None
    sqltext: str


@dataclass(frozen=True, slots=True)
class TableSnapshot:
    """One table with everything autogenerate compares."""

    schema: str | None
    name: str
    columns: tuple[ColumnSnapshot, ...]
    primary_key: PrimaryKeySnapshot | None = None
    foreign_keys: tuple[ForeignKeySnapshot, ...] = ()
    indexes: tuple[IndexSnapshot, ...] = ()
    uniques: tuple[UniqueSnapshot, ...] = ()
    checks: tuple[CheckSnapshot, ...] = ()
    comment: str | None = None
    dialect_options: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: Any = field(default=None, compare=False, repr=False)

    def column(self, name: str) -> ColumnSnapshot | None:
        """Return the column called ``name``, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class SchemaSnapshot:
    """The tables of one schema (``name`` None = the connection's default schema)."""

    name: str | None
    tables: Mapping[str, TableSnapshot] = field(default_factory=dict)
