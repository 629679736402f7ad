"""Table level: foreign keys.

Foreign keys are matched by what they do — local columns, referred schema,
table and columns, and the options the backend reflects — not by name.  The
referred schema is compared with the default schema written as None on both
sides, so a key to a table in the default schema, or across schemas, is not
reported again on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retort.snapshot.model import ForeignKeySnapshot

from . import comparators
from .run import ComparisonRun, builtin, run_for

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_foreign_keys", "FK_OPTIONS_COMPARED", "FK_DEFAULT_ACTIONS"]

#: the options each backend reflects, so the ones compared
FK_OPTIONS_COMPARED: dict[str, tuple[str, ...]] = {
    "default": ("ondelete", "onupdate"),
    "postgresql": ("ondelete", "onupdate", "deferrable", "initially"),
}

#: referential actions that mean "the default", per dialect name
FK_DEFAULT_ACTIONS: dict[str, frozenset[str]] = {
    "default": frozenset({"NO ACTION"}),
    # InnoDB treats RESTRICT and NO ACTION alike and doesn't echo either
    "mysql": frozenset({"NO ACTION", "RESTRICT"}),
    "mariadb": frozenset({"NO ACTION", "RESTRICT"}),
}


def _option(key: str, value: Any, dialect_name: str) -> Any:
    if key in ("ondelete", "onupdate"):
        if value is None:
            return None
        value = str(value).upper()
        defaults = FK_DEFAULT_ACTIONS.get(dialect_name, FK_DEFAULT_ACTIONS["default"])
        return None if value in defaults else value
    if key == "deferrable":
        return bool(value)
    if key == "initially":
        if value is None:
            return None
        value = str(value).upper()
        return None if value == "IMMEDIATE" else value
    return value


def fk_signature(run: ComparisonRun, fk: ForeignKeySnapshot, table_schema: str | None) -> tuple[Any, ...]:
    """What a foreign key does, comparable between the two sides."""
    dialect_name = run.qualifier
    keys = FK_OPTIONS_COMPARED.get(dialect_name, FK_OPTIONS_COMPARED["default"])
    referred_schema = run.schema_key(fk.referred_schema)
    return (
        tuple(fk.columns),
        referred_schema,
        fk.referred_table,
        tuple(fk.referred_columns),
        tuple(_option(k, fk.options.get(k), dialect_name) for k in keys),
    )


@comparators.dispatch_for("table")
@builtin
def compare_foreign_keys(
    autogen_context: AutogenContext,
    modify_ops: Any,
    schema: str | None,
    tname: str,
    conn_table: Any,
    metadata_table: Any,
) -> None:
    """Create / drop foreign keys of a kept table that differ."""
    from retort.operations import ops

    if conn_table is None or metadata_table is None:
        return
    run = run_for(autogen_context)
    ctx = autogen_context
    conn = run.conn_snapshot(schema, tname)
    if conn is None:
        return
    meta = run.meta_snapshot(metadata_table)
    parents = {"schema_name": schema, "table_name": tname}
    filters = ctx.has_object_filters

    conn_fks = [
        f for f in conn.foreign_keys
        if f.name is None or ctx.run_name_filters(f.name, "foreign_key_constraint", parents)
    ]
    conn_sigs: dict[tuple[Any, ...], list[ForeignKeySnapshot]] = {}
    for f in conn_fks:
        conn_sigs.setdefault(fk_signature(run, f, schema), []).append(f)
    meta_sigs: dict[tuple[Any, ...], list[ForeignKeySnapshot]] = {}
    for f in meta.foreign_keys:
        meta_sigs.setdefault(fk_signature(run, f, schema), []).append(f)

    def conn_fk_object(snap: ForeignKeySnapshot) -> Any:
        table = run.conn_table(schema, tname)
        for fkc in table.foreign_key_constraints:
            if fkc.name == snap.name and tuple(c.name for c in fkc.columns) == tuple(snap.columns):
                return fkc
        return None

    for sig, found in conn_sigs.items():
        extra = found[len(meta_sigs.get(sig, ())):]
        for snap in extra:
            obj = conn_fk_object(snap)
            if obj is None:
                continue
            if filters and not ctx.run_object_filters(obj, snap.name, "foreign_key_constraint", True, None):
                continue
            modify_ops.ops.append(ops.DropConstraintOp.from_constraint(obj))

    for sig, wanted in meta_sigs.items():
        missing = wanted[len(conn_sigs.get(sig, ())):]
        for snap in missing:
            if filters and not ctx.run_object_filters(
                snap.source, snap.name, "foreign_key_constraint", False, None
            ):
                continue
            modify_ops.ops.append(ops.AddConstraintOp.from_constraint(snap.source))
