"""PostgreSQL move-and-copy: serial / identity sequences carry on where they were.

The temporary table's SERIAL (or identity) column gets a fresh sequence
starting at 1; once the rows are copied it is moved past the highest copied
value, and once the table has its final name the sequence gets the old
sequence's name back (the old one went with the old table).  A GENERATED
ALWAYS identity is created BY DEFAULT (so the rows can be copied) and set
back to ALWAYS at the end.  Named
constraints of the old table are dropped first by the impl's
``prep_table_for_batch`` (their names are schema-wide); all of it runs in a
SAVEPOINT, so a failure puts everything back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from retort.operations.batch_run import rules
from retort.util.exc import BatchError

if TYPE_CHECKING:
    from retort.operations.batch import BatchOperationsImpl
    from retort.operations.batch_build import BuiltTable
    from retort.operations.batch_plan import TablePlan

__all__: list[str] = []


def _sequenced_columns(table: sa.Table) -> list[sa.Column[Any]]:
    auto = table.autoincrement_column
    return [c for c in table.columns if c is auto or c.identity is not None]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _serial_sequence(batch_impl: BatchOperationsImpl, table_ident: str, column: str) -> str | None:
    return batch_impl.impl.connection.exec_driver_sql(
        f"SELECT pg_get_serial_sequence({_literal(table_ident)}, {_literal(column)})"
    ).scalar()


@rules.dispatch_for("before_create", qualifier="postgresql")
def _before_create(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    # GENERATED ALWAYS refuses the copied values: copy BY DEFAULT, switch back after
    always = [c for c in built.table.columns if c.identity is not None and c.identity.always]
    for col in always:
        col.identity.always = False
    state["identity_always"] = [c.name for c in always]
    if not batch_impl.impl.as_sql:
        _drop_referencing(batch_impl, plan, state)
    # they depend on the primary key that prep_table_for_batch drops, and go
    # with the old table anyway (the new table has its own)
    source = plan.source
    for const in sorted(source.foreign_key_constraints, key=lambda c: str(c.name or "")):
        if const.name is not None and all(
            el._column_tokens[1] == source.name and el._column_tokens[0] in (None, source.schema)
            for el in const.elements
        ):
            batch_impl.impl.drop_constraint(const)


@rules.dispatch_for("after_copy", qualifier="postgresql")
def _advance_sequences(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    impl = batch_impl.impl
    preparer = impl.dialect.identifier_preparer
    tmp_ident = preparer.format_table(built.table)
    old_ident = preparer.format_table(plan.source)
    renames = []
    for col in _sequenced_columns(built.table):
        if col.name not in {c.name for c in plan.source.columns}:
            continue
        qcol = preparer.quote(col.name)
        impl._exec(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence({_literal(tmp_ident)}, {_literal(col.name)}), "
                f"COALESCE(MAX({qcol}), 0) + 1, false) FROM {tmp_ident}"
            )
        )
        source = plan.columns.get(col.name)
        if source is None or source.source is None:
            continue
        if impl.as_sql:
            # offline there is nothing to ask: PostgreSQL's own naming is assumed
            old_seq = f"{plan.source.name}_{source.source}_seq"
            new_seq = f"{built.table.name}_{col.name}_seq"
        else:
            old_seq = _serial_sequence(batch_impl, old_ident, source.source)
            new_seq = _serial_sequence(batch_impl, tmp_ident, col.name)
        if old_seq and new_seq:
            renames.append((new_seq, old_seq))
    state["sequence_renames"] = renames


@rules.dispatch_for("after_rename", qualifier="postgresql")
def _rename_sequences(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    impl = batch_impl.impl
    preparer = impl.dialect.identifier_preparer
    schema = plan.schema
    for new_seq, old_seq in state.get("sequence_renames", ()):
        if impl.as_sql:
            new_ident = preparer.format_table(sa.table(new_seq, schema=schema))
            old_name = preparer.quote(old_seq)
        else:
            # pg_get_serial_sequence answers with a quoted, schema-qualified name
            new_ident = new_seq
            old_name = preparer.quote(old_seq.split(".")[-1].strip('"'))
        if new_ident.split(".")[-1].strip('"') == old_name.strip('"'):
            continue
        impl._exec(sa.text(f"ALTER SEQUENCE {new_ident} RENAME TO {old_name}"))
    final = preparer.format_table(built.final)
    for name in state.get("identity_always", ()):
        impl._exec(sa.text(f"ALTER TABLE {final} ALTER COLUMN {preparer.quote(name)} SET GENERATED ALWAYS"))


def _referencing(batch_impl: BatchOperationsImpl, plan: TablePlan) -> list[dict[str, Any]]:
    """Foreign keys of other tables in the same schema that point at the batch table."""
    source = plan.source
    found = []
    insp = sa.inspect(batch_impl.impl.connection)
    for (schema, table), fks in insp.get_multi_foreign_keys(schema=source.schema).items():
        if table == source.name:
            continue  # its own: rebuilt with it
        for fk in fks:
            if fk["referred_table"] == source.name and fk["referred_schema"] in (None, source.schema):
                found.append({**fk, "table": table, "schema": schema})
    return found


def _fk_object(fk: dict[str, Any], referred: str, referred_schema: str | None, columns: list[str]) -> Any:
    meta = sa.MetaData()
    child = sa.Table(
        fk["table"], meta, *[sa.Column(c, sa.types.NullType()) for c in fk["constrained_columns"]],
        schema=fk["schema"],
    )
    parent = sa.Table(referred, meta, *[sa.Column(c, sa.types.NullType()) for c in columns], schema=referred_schema)
    const = sa.ForeignKeyConstraint(
        fk["constrained_columns"],
        [parent.c[c] for c in columns],
        name=fk["name"],
        **{k: v for k, v in fk.get("options", {}).items() if v is not None},
    )
    child.append_constraint(const)
    return const


def _drop_referencing(batch_impl: BatchOperationsImpl, plan: TablePlan, state: dict[str, Any]) -> None:
    # they would keep the old table (and its primary key) from being dropped;
    # they come back, pointing at the new table, at the end
    fks = _referencing(batch_impl, plan)
    for fk in fks:
        batch_impl.impl.drop_constraint(_fk_object(fk, plan.source.name, plan.source.schema, fk["referred_columns"]))
    state["referencing"] = fks


@rules.dispatch_for("finish", qualifier="postgresql")
def _restore_referencing(
    batch_impl: BatchOperationsImpl, plan: TablePlan, built: BuiltTable, state: dict[str, Any]
) -> None:
    renamed = {spec.source: name for name, spec in plan.columns.items() if spec.source is not None}
    for fk in state.get("referencing", ()):
        missing = [c for c in fk["referred_columns"] if c not in renamed]
        if missing:
            raise BatchError(
                f"foreign key {fk['name']!r} of table {fk['table']!r} refers to column(s) "
                f"{', '.join(missing)} of {plan.source.name!r}, which this batch drops; drop "
                "that foreign key first",
                table_name=plan.source.name,
            )
        columns = [renamed[c] for c in fk["referred_columns"]]
        batch_impl.impl.add_constraint(_fk_object(fk, plan.name, plan.schema, columns))
