"""The new shape of a batch-recreated table: the old table plus every recorded change.

``TablePlan`` starts from the existing ``Table`` (reflected or ``copy_from``),
takes the batch's operations one by one (the same method names and arguments
as ``DefaultImpl``), and then builds the ``Table`` to create under a temporary
name, the ``INSERT .. SELECT`` that fills it and the indexes to re-create once
it carries the final name.  It does no I/O.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema
from sqlalchemy.sql.elements import TextClause, UnaryExpression
from sqlalchemy.sql.sqltypes import SchemaType

from retort.operations.batch_build import BuiltTable, build_table, default_should_cast
from retort.operations.batch_order import ColumnOrder
from retort.operations.batch_specs import (
    MODIFIERS,
    ColumnSpec,
    ConstraintSpec,
    IndexSpec,
    TablePlanError,
    _constraint_column_names,
    _fk_options,
    _kind,
    _norm_name,
    rebuild_column,
    sql_mentions,
    sql_rename,
)

__all__ = ["TablePlan"]

_KIND_RANK = {"fk": 0, "unique": 1, "check": 2, "other": 3}


def _constraint_sort_key(const: Any) -> tuple[Any, ...]:
    kind = _kind(const) or "other"
    text = str(const.sqltext) if kind == "check" else ""
    return (_KIND_RANK.get(kind, 3), str(_norm_name(const.name) or ""), _constraint_column_names(const), text)


def _schema_type_name(type_: Any) -> str | None:
    if isinstance(type_, SchemaType) and getattr(type_, "create_constraint", False):
        return _norm_name(getattr(type_, "name", None))
    return None


class TablePlan:
    """Collect batch directives against ``source`` and build the replacement table."""

    def __init__(
        self,
        source: sa.Table,
        *,
        dialect: Any,
        table_args: Sequence[Any] = (),
        table_kwargs: dict[str, Any] | None = None,
        naming_convention: dict[Any, str] | None = None,
        partial_reordering: Sequence[Sequence[str]] | None = None,
        should_cast: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        self.source = source
        self.dialect = dialect
        self.schema = source.schema
        self.name: str = source.name
        self.comment = source.comment
        self.table_args = list(table_args)
        self.table_kwargs = {**source.dialect_kwargs, **(table_kwargs or {})}
        self.naming_convention = naming_convention
        self.partial_reordering = [tuple(o) for o in (partial_reordering or ())]
        self.should_cast = should_cast or default_should_cast
        self.columns: dict[str, ColumnSpec] = {}
        self.column_order = ColumnOrder([c.name for c in source.columns], self.partial_reordering)
        self.constraints: list[ConstraintSpec] = []
        self.indexes: list[IndexSpec] = []
        self._load(source)

    # ------------------------------------------------------------------ load

    def _load(self, source: sa.Table) -> None:
        for col in source.columns:
            # a type the database already has (PostgreSQL ENUM / DOMAIN) is neither
            # created again with the new table nor dropped with the old one
            if getattr(col.type, "create_type", False):
                col.type.create_type = False
            self.columns[col.name] = ColumnSpec(rebuild_column(col), source=col.name)
            for const in col.constraints:
                if isinstance(const, sa_schema.CheckConstraint) and not const._type_bound:
                    self._add_check(const)
        pk = source.primary_key
        if pk is not None and len(pk.columns):
            self.constraints.append(ConstraintSpec("pk", _norm_name(pk.name), [c.name for c in pk.columns]))
        # a stable order (Table.constraints is a set): same input, same CREATE TABLE
        for const in sorted(source.constraints, key=_constraint_sort_key):
            if isinstance(const, sa_schema.PrimaryKeyConstraint) or getattr(const, "_type_bound", False):
                continue
            self._add_constraint_obj(const, implicit=False)
        for index in sorted(source.indexes, key=lambda i: str(i.name or "")):
            self.indexes.append(self._index_spec(index))

    def _add_check(self, const: sa_schema.CheckConstraint, implicit: bool = False) -> None:
        self.constraints.append(
            ConstraintSpec("check", _norm_name(const.name), sqltext=self._sql_text(const.sqltext), implicit=implicit)
        )

    def _sql_text(self, clause: Any) -> Any:
        """CHECK text as a string, so renames can reach inside it."""
        if isinstance(clause, str):
            return clause
        if isinstance(clause, TextClause):
            return clause.text
        try:
            return str(
                clause.compile(
                    dialect=self.dialect,
                    compile_kwargs={"literal_binds": True, "include_table": False},
                )
            )
        except Exception:  # a construct this dialect cannot render alone: keep it as is
            return clause

    def _fk_spec(self, const: sa_schema.ForeignKeyConstraint, implicit: bool) -> ConstraintSpec:
        refs = []
        for element in const.elements:
            schema, table, column = element._column_tokens
            refs.append((schema, table, column))
        self_ref = all(
            table == self.source.name and schema in (None, self.source.schema)
            for schema, table, _ in refs
        )
        return ConstraintSpec(
            "fk",
            _norm_name(const.name),
            _constraint_column_names(const),
            refs=refs,
            self_ref=self_ref,
            options=_fk_options(const),
            implicit=implicit,
        )

    def _add_constraint_obj(self, const: Any, implicit: bool) -> None:
        kind = _kind(const)
        if kind == "fk":
            self.constraints.append(self._fk_spec(const, implicit))
        elif kind == "unique":
            options = dict(const.dialect_kwargs)
            for key in ("deferrable", "initially"):
                if getattr(const, key, None) is not None:
                    options[key] = getattr(const, key)
            self.constraints.append(
                ConstraintSpec("unique", _norm_name(const.name), _constraint_column_names(const), options=options, implicit=implicit)
            )
        elif kind == "check":
            self._add_check(const, implicit)
        else:
            self.constraints.append(ConstraintSpec("other", _norm_name(const.name), obj=const))

    def _index_spec(self, index: sa.Index, implicit: bool = False) -> IndexSpec:
        items: list[tuple[str, Any, Any]] = []
        for expr in index.expressions:
            if isinstance(expr, sa.Column):
                items.append(("col", expr.name, None))
            elif isinstance(expr, str):
                items.append(("col", expr, None))
            elif (
                isinstance(expr, UnaryExpression)
                and isinstance(expr.element, sa.sql.ColumnElement)
                and getattr(expr.element, "name", None) in self.columns
                and expr.modifier in MODIFIERS
            ):
                items.append(("col", expr.element.name, expr.modifier))
            elif isinstance(expr, TextClause):
                items.append(("expr", expr.text, None))
            else:
                items.append(("expr", self._sql_text(expr), None))
        return IndexSpec(_norm_name(index.name), items, bool(index.unique), dict(index.dialect_kwargs), implicit)

    # ---------------------------------------------------------------- lookups

    def _column(self, name: str, directive: str) -> ColumnSpec:
        if name not in self.columns:
            raise TablePlanError(
                f"batch {directive}: table {self.name!r} has no column {name!r} "
                f"(columns: {', '.join(self.column_order.names)})",
                table_name=self.name,
            )
        return self.columns[name]

    def _require_columns(self, names: Sequence[str], directive: str) -> None:
        for name in names:
            self._column(name, directive)

    def _place(self, name: str, before: str | None, after: str | None, directive: str) -> None:
        if before is not None and after is not None:
            raise TablePlanError(
                f"batch {directive}({name!r}): give insert_before or insert_after, not both",
                table_name=self.name,
            )
        anchor = before if before is not None else after
        if anchor is not None:
            if anchor == name or anchor not in self.columns:
                arg = "insert_before" if before is not None else "insert_after"
                raise TablePlanError(
                    f"batch {directive}({name!r}, {arg}={anchor!r}): no other column {anchor!r} "
                    f"in table {self.name!r}",
                    table_name=self.name,
                )
        if directive == "add_column":
            self.column_order.add(name, before, after)
        else:
            self.column_order.move(name, before, after)

    def _replace_implicit_twin(self, spec: ConstraintSpec) -> None:
        for i, other in enumerate(self.constraints):
            if other.implicit and other.kind == spec.kind and other.columns == spec.columns:
                del self.constraints[i]
                return

    def _drop_named_check(self, name: str | None) -> None:
        if name is None:
            return
        self.constraints = [c for c in self.constraints if not (c.kind == "check" and c.name == name)]

    # ------------------------------------------------------------- directives

    def add_column(
        self,
        table_name: str,
        column: sa.Column[Any],
        schema: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        name = column.name
        if name in self.columns:
            raise TablePlanError(
                f"batch add_column: table {self.name!r} already has a column {name!r}",
                table_name=self.name,
            )
        self.columns[name] = ColumnSpec(rebuild_column(column), source=None)
        self._place(name, insert_before, insert_after, "add_column")
        if column.primary_key:
            pk = self._pk()
            if pk is None:
                self.constraints.insert(0, ConstraintSpec("pk", None, [name]))
            elif name not in pk.columns:
                pk.columns.append(name)
        if column.index:
            self.indexes.append(IndexSpec(None, [("col", name, None)], bool(column.unique), implicit=True))
        elif column.unique:
            self.constraints.append(ConstraintSpec("unique", None, [name], implicit=True))
        for fk in column.foreign_keys:
            schema_, table, col = fk._column_tokens
            const = fk.constraint
            options = _fk_options(const) if const is not None else {
                k: getattr(fk, k) for k in ("onupdate", "ondelete", "deferrable", "initially", "match")
                if getattr(fk, k, None) is not None
            }
            self.constraints.append(
                ConstraintSpec(
                    "fk",
                    _norm_name(const.name if const is not None else fk.name),
                    [name],
                    refs=[(schema_, table, col)],
                    self_ref=table == self.source.name and schema_ in (None, self.source.schema),
                    options=options,
                    implicit=True,
                )
            )
        for const in column.constraints:
            if isinstance(const, sa_schema.CheckConstraint) and not const._type_bound:
                self._add_check(const, implicit=True)

    def drop_column(self, table_name: str, column: Any, schema: str | None = None, **kw: Any) -> None:
        name = column if isinstance(column, str) else column.name
        if name not in self.columns and kw.get("if_exists"):
            return
        self._column(name, "drop_column")
        del self.columns[name]
        self.column_order.drop(name)
        existing = kw.get("existing_type")
        if existing is not None:
            self._drop_named_check(_schema_type_name(sa.types.to_instance(existing)))
        kept = []
        for const in self.constraints:
            if const.kind == "pk":
                if name in const.columns:
                    const.columns.remove(name)
                if not const.columns:
                    continue
            elif const.kind in ("unique", "fk") and name in const.columns:
                continue
            elif const.kind == "fk" and const.self_ref and any(ref[2] == name for ref in const.refs):
                continue
            elif const.kind == "check" and isinstance(const.sqltext, str) and sql_mentions(const.sqltext, name):
                # a CHECK on a column that no longer exists cannot be created
                continue
            kept.append(const)
        self.constraints = kept
        self.indexes = [
            ix for ix in self.indexes
            if name not in ix.column_names()
            and not any(kind == "expr" and isinstance(e, str) and sql_mentions(e, name) for kind, e, _ in ix.items)
        ]

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: Any = None,
        comment: Any = False,
        existing_comment: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: Any = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        spec = self._column(column_name, "alter_column")
        changes: dict[str, Any] = {}
        if nullable is not None:
            changes["nullable"] = nullable
        if server_default is not False:
            changes["server_default"] = server_default
        if autoincrement is not None:
            changes["autoincrement"] = autoincrement
        if comment is not False:
            changes["comment"] = comment
        if type_ is not None:
            type_ = sa.types.to_instance(type_)
            old_type = sa.types.to_instance(existing_type) if existing_type is not None else spec.column.type
            # the old schema type's CHECK (Boolean / Enum) goes away with the type
            self._drop_named_check(_schema_type_name(old_type))
            changes["type_"] = type_
            if spec.source is not None:
                spec.cast_to = type_
        using = kw.get(f"{self.dialect.name}_using")
        if using is not None:
            spec.using = sa.text(using) if isinstance(using, str) else using
        if changes:
            spec.column = rebuild_column(spec.column, **changes)
        if name is not None and name != column_name:
            self._rename(column_name, name)
        if insert_before is not None or insert_after is not None:
            self._place(name or column_name, insert_before, insert_after, "alter_column")

    def _rename(self, old: str, new: str) -> None:
        if new in self.columns:
            raise TablePlanError(
                f"batch alter_column({old!r}, new_column_name={new!r}): table {self.name!r} "
                f"already has a column {new!r}",
                table_name=self.name,
            )
        spec = self.columns[old]
        spec.column = rebuild_column(spec.column, name=new)
        self.columns = {(new if k == old else k): v for k, v in self.columns.items()}
        self.column_order.rename(old, new)
        quoted = self.dialect.identifier_preparer.quote(new)
        for const in self.constraints:
            const.columns = [new if c == old else c for c in const.columns]
            if const.kind == "fk" and const.self_ref:
                const.refs = [(s, t, new if c == old else c) for s, t, c in const.refs]
            if const.kind == "check" and isinstance(const.sqltext, str):
                const.sqltext = sql_rename(const.sqltext, old, quoted)
        for ix in self.indexes:
            ix.items = [
                ("col", new, mod) if kind == "col" and e == old
                else ("expr", sql_rename(e, old, quoted), mod) if kind == "expr" and isinstance(e, str)
                else (kind, e, mod)
                for kind, e, mod in ix.items
            ]

    def keeps_key(self, columns: Sequence[str], *, retype_ok: bool = False) -> bool:
        """Whether ``columns`` survive under their names (and types) and stay a unique key.

        Foreign keys of other tables that refer to the table by name (SQLite,
        MySQL) can only follow such columns.
        """
        for c in columns:
            spec = self.columns.get(c)
            if spec is None or spec.source != c or (spec.cast_to is not None and not retype_ok):
                return False
        keys = [set(k.columns) for k in self.constraints if k.kind in ("pk", "unique")]
        keys += [set(ix.column_names()) for ix in self.indexes if ix.unique]
        return set(columns) in keys

    def _pk(self) -> ConstraintSpec | None:
        return next((c for c in self.constraints if c.kind == "pk"), None)

    def add_constraint(self, const: Any, **kw: Any) -> None:
        if getattr(const, "_type_bound", False):
            return  # a Boolean / Enum CHECK: the column's type re-creates it with the table
        kind = _kind(const)
        if kind == "pk":
            cols = _constraint_column_names(const)
            self._require_columns(cols, "create_primary_key")
            self.constraints = [c for c in self.constraints if c.kind != "pk"]
            self.constraints.insert(0, ConstraintSpec("pk", _norm_name(const.name), cols))
            return
        before = len(self.constraints)
        self._add_constraint_obj(const, implicit=False)
        spec = self.constraints.pop()
        assert len(self.constraints) == before
        if spec.kind in ("unique", "fk"):
            self._require_columns(spec.columns, "create_unique_constraint" if spec.kind == "unique" else "create_foreign_key")
            self._replace_implicit_twin(spec)
        self.constraints.append(spec)

    def drop_constraint(self, const: Any, if_exists: bool | None = None, **kw: Any) -> None:
        name = _norm_name(const.name)
        kind = _kind(const)
        for i, spec in enumerate(self.constraints):
            if (kind is None or spec.kind == kind) and spec.name is not None and spec.name == name:
                del self.constraints[i]
                return
        if kind == "pk":
            # an unnamed primary key (SQLite) is dropped whatever name was given
            pk = self._pk()
            if pk is not None and pk.name is None:
                self.constraints.remove(pk)
                return
        if kind in (None, "check") and name is not None:
            # a named Boolean / Enum CHECK that belongs to a column's type
            for spec in self.columns.values():
                if _schema_type_name(spec.column.type) == name:
                    new_type = spec.column.type.copy()
                    new_type.create_constraint = False
                    spec.column = rebuild_column(spec.column, type_=new_type)
                    return
        if if_exists:
            return
        known = ", ".join(repr(c.name) for c in self.constraints if c.name) or "none"
        raise TablePlanError(
            f"No such constraint: {name!r} on table {self.name!r} (named constraints: {known})",
            table_name=self.name,
        )

    def create_index(self, index: sa.Index, **kw: Any) -> None:
        spec = self._index_spec(index)
        self._require_columns(spec.column_names(), "create_index")
        for i, other in enumerate(self.indexes):
            if other.implicit and other.column_names() == spec.column_names():
                del self.indexes[i]
                break
        self.indexes.append(spec)

    def drop_index(self, index: Any, **kw: Any) -> None:
        name = _norm_name(index if isinstance(index, str) else index.name)
        for i, spec in enumerate(self.indexes):
            if spec.name == name:
                del self.indexes[i]
                return
        if kw.get("if_exists"):
            return
        known = ", ".join(repr(ix.name) for ix in self.indexes if ix.name) or "none"
        raise TablePlanError(
            f"No such index: {name!r} on table {self.name!r} (indexes: {known})",
            table_name=self.name,
        )

    def rename_table(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        self.name = new_table_name

    def create_table_comment(self, table: sa.Table, **kw: Any) -> None:
        self.comment = table.comment

    def drop_table_comment(self, table: sa.Table, **kw: Any) -> None:
        self.comment = None

    def create_column_comment(self, column: sa.Column[Any], **kw: Any) -> None:
        spec = self._column(column.name, "alter_column")
        spec.column = rebuild_column(spec.column, comment=column.comment)

    def build(self, tmp_name: str, late_kinds: frozenset[str] = frozenset()) -> BuiltTable:
        """Build the temporary table, the copy statement and the final indexes (``batch_build``)."""
        return build_table(self, tmp_name, late_kinds)
