"""The built-in renderers: one function per op class, registered on ``renderers``.

Each returns the ``op.<directive>(...)`` call Alembic's autogenerate writes
for the same op, so revision files read the same.  Inside a
``render_as_batch`` block (``autogen_context._has_batch``) the table name and
schema are left out and the call goes to ``batch_op.``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from retort.autogenerate.render import render_op, renderers
from retort.autogenerate.render_objects import (
    exclude_options,
    op_prefix,
    render_column,
    render_exclude_elements,
    render_constraint,
    render_expression_text,
    render_gen_name,
    render_potential_expr,
    render_server_default,
    render_type,
    should_render_constraint,
    sqla_prefix,
)
from retort.operations import ops

__all__: list[str] = []


def _batch(autogen_context: Any) -> bool:
    return bool(getattr(autogen_context, "_has_batch", False))


def _kw(op: Any) -> dict[str, Any]:
    return dict(getattr(op, "kw", None) or {})


def _attr_or_kw(op: Any, name: str) -> Any:
    value = getattr(op, name, None)
    if value is None:
        value = _kw(op).get(name)
    return value


# --- containers ----------------------------------------------------------------


@renderers.dispatch_for(ops.ModifyTableOps)
def _render_modify_table(autogen_context: Any, op: ops.ModifyTableOps) -> list[str]:
    opts = getattr(autogen_context, "opts", None) or {}
    if not opts.get("render_as_batch", False):
        lines: list[str] = []
        for sub in op.ops:
            lines.extend(render_op(autogen_context, sub))
        return lines
    if not op.ops:
        return []
    lines = [
        "with %sbatch_alter_table(%r, schema=%r) as batch_op:"
        % (op_prefix(autogen_context), op.table_name, op.schema)
    ]
    previous = getattr(autogen_context, "_has_batch", False)
    autogen_context._has_batch = True
    try:
        for sub in op.ops:
            # only the first line of a multi-line call is shifted; the rest sit
            # inside brackets where indentation does not matter
            lines.extend("    " + line for line in render_op(autogen_context, sub))
    finally:
        autogen_context._has_batch = previous
    lines.append("")
    return lines


# --- tables --------------------------------------------------------------------


@renderers.dispatch_for(ops.CreateTableOp)
def _render_create_table(autogen_context: Any, op: ops.CreateTableOp) -> str:
    table = op.to_table()
    args = [render_column(col, autogen_context) for col in table.columns]
    constraints = []
    for constraint in table.constraints:
        if not should_render_constraint(constraint):
            continue
        text = render_constraint(constraint, autogen_context)
        if text:
            constraints.append(text)
    args.extend(sorted(constraints))
    if op.schema is not None:
        args.append(f"schema={op.schema!r}")
    comment = getattr(op, "comment", None)
    if comment is None:
        comment = table.comment
    if comment:
        args.append(f"comment={comment!r}")
    info = getattr(op, "info", None) or table.info
    if info:
        args.append(f"info={info!r}")
    for key, value in sorted(table.dialect_kwargs.items()):
        args.append(f"{key}={render_potential_expr(value, autogen_context)}")
    prefixes = getattr(op, "prefixes", None) or table._prefixes
    if prefixes:
        args.append(f"prefixes={list(prefixes)!r}")
    if _attr_or_kw(op, "if_not_exists") is not None:
        args.append(f"if_not_exists={_attr_or_kw(op, 'if_not_exists')!r}")
    text = "%screate_table(%r,\n%s\n)" % (
        op_prefix(autogen_context),
        op.table_name,
        ",\n".join(args),
    )
    return text


@renderers.dispatch_for(ops.DropTableOp)
def _render_drop_table(autogen_context: Any, op: ops.DropTableOp) -> str:
    args = [repr(op.table_name)]
    if op.schema:
        args.append(f"schema={op.schema!r}")
    if _attr_or_kw(op, "if_exists") is not None:
        args.append(f"if_exists={_attr_or_kw(op, 'if_exists')!r}")
    return f"{op_prefix(autogen_context)}drop_table({', '.join(args)})"


@renderers.dispatch_for(ops.RenameTableOp)
def _render_rename_table(autogen_context: Any, op: ops.RenameTableOp) -> str:
    if _batch(autogen_context):
        return f"batch_op.rename_table({op.new_table_name!r})"
    args = [repr(op.table_name), repr(op.new_table_name)]
    if op.schema:
        args.append(f"schema={op.schema!r}")
    return f"{op_prefix(autogen_context)}rename_table({', '.join(args)})"


def _comment_call(autogen_context: Any, name: str, args: list[str], op: Any) -> str:
    args = list(args)
    args.append(f"existing_comment={op.existing_comment!r}")
    if not _batch(autogen_context):
        args.insert(0, repr(op.table_name))
        args.append(f"schema={op.schema!r}")
    body = ",\n".join("    " + a for a in args)
    return f"{op_prefix(autogen_context)}{name}(\n{body}\n)"


@renderers.dispatch_for(ops.CreateTableCommentOp)
def _render_create_table_comment(autogen_context: Any, op: ops.CreateTableCommentOp) -> str:
    return _comment_call(autogen_context, "create_table_comment", [repr(op.comment)], op)


@renderers.dispatch_for(ops.DropTableCommentOp)
def _render_drop_table_comment(autogen_context: Any, op: ops.DropTableCommentOp) -> str:
    return _comment_call(autogen_context, "drop_table_comment", [], op)


# --- columns -------------------------------------------------------------------


def _table_args(autogen_context: Any, op: Any, *positional: str) -> list[str]:
    """Leading arguments: the table name unless in batch, then ``positional``."""
    if _batch(autogen_context):
        return list(positional)
    return [repr(op.table_name), *positional]


@renderers.dispatch_for(ops.AddColumnOp)
def _render_add_column(autogen_context: Any, op: ops.AddColumnOp) -> str:
    args = _table_args(autogen_context, op, render_column(op.column, autogen_context))
    if not _batch(autogen_context):
        if op.schema:
            args.append(f"schema={op.schema!r}")
        if_not_exists = _attr_or_kw(op, "if_not_exists")
        if if_not_exists is not None:
            args.append(f"if_not_exists={if_not_exists!r}")
    return f"{op_prefix(autogen_context)}add_column({', '.join(args)})"


@renderers.dispatch_for(ops.DropColumnOp)
def _render_drop_column(autogen_context: Any, op: ops.DropColumnOp) -> str:
    args = _table_args(autogen_context, op, repr(op.column_name))
    if not _batch(autogen_context):
        if op.schema:
            args.append(f"schema={op.schema!r}")
        if_exists = _attr_or_kw(op, "if_exists")
        if if_exists is not None:
            args.append(f"if_exists={if_exists!r}")
    return f"{op_prefix(autogen_context)}drop_column({', '.join(args)})"


_ALTER_INDENT = " " * 11


@renderers.dispatch_for(ops.AlterColumnOp)
def _render_alter_column(autogen_context: Any, op: ops.AlterColumnOp) -> str:
    head = ", ".join(_table_args(autogen_context, op, repr(op.column_name)))
    opts: list[str] = []
    if op.existing_type is not None:
        opts.append(f"existing_type={render_type(op.existing_type, autogen_context)}")
    if op.modify_server_default is not False:
        opts.append(
            "server_default=%s" % render_server_default(op.modify_server_default, autogen_context)
        )
    if op.modify_name:
        opts.append(f"new_column_name={op.modify_name!r}")
    if op.modify_type is not None:
        opts.append(f"type_={render_type(op.modify_type, autogen_context)}")
    if op.modify_nullable is not None:
        opts.append(f"nullable={op.modify_nullable!r}")
    if op.modify_comment is not False:
        opts.append(f"comment={op.modify_comment!r}")
    if op.existing_comment is not None:
        opts.append(f"existing_comment={op.existing_comment!r}")
    if op.modify_nullable is None and op.existing_nullable is not None:
        opts.append(f"existing_nullable={op.existing_nullable!r}")
    # Alembic writes the autoincrement flag autogenerate found (MySQL's MODIFY
    # must restate AUTO_INCREMENT) right here, before existing_server_default
    if _kw(op).get("autoincrement") is not None:
        opts.append(f"autoincrement={_kw(op)['autoincrement']!r}")
    if op.modify_server_default is False and op.existing_server_default not in (None, False):
        opts.append(
            "existing_server_default=%s"
            % render_server_default(op.existing_server_default, autogen_context)
        )
    # dialect options such as postgresql_using travel with the op
    for key, value in _kw(op).items():
        if not key.startswith(("modify_", "existing_")) and "_" in key and key != "autoincrement":
            opts.append(f"{key}={render_potential_expr(value, autogen_context)}")
    if op.schema and not _batch(autogen_context):
        opts.append(f"schema={op.schema!r}")
    text = f"{op_prefix(autogen_context)}alter_column({head}"
    if opts:
        text += ",\n" + ",\n".join(_ALTER_INDENT + o for o in opts)
    return text + ")"


# --- indexes ---------------------------------------------------------------------


def _render_index_column(col: Any, autogen_context: Any) -> str:
    if isinstance(col, str):
        return repr(col)
    if isinstance(col, sa.Column):
        return repr(col.name)
    return "%sliteral_column(%r)" % (
        sqla_prefix(autogen_context),
        render_expression_text(col, autogen_context),
    )


def _index_kw(op: Any, autogen_context: Any) -> list[str]:
    out = []
    for key, value in _kw(op).items():
        if key in ("unique", "if_not_exists", "if_exists", "schema", "table_name"):
            continue
        out.append(f"{key}={render_potential_expr(value, autogen_context)}")
    return out


@renderers.dispatch_for(ops.CreateIndexOp)
def _render_create_index(autogen_context: Any, op: ops.CreateIndexOp) -> str:
    cols = "[%s]" % ", ".join(_render_index_column(c, autogen_context) for c in op.columns)
    name = render_gen_name(autogen_context, op.index_name)
    if _batch(autogen_context):
        args = [name, cols]
    else:
        args = [name, repr(op.table_name), cols]
    # as Alembic: a falsy flag reads False, a truthy one as given (SQLite
    # reflects a unique index's flag as the integer 1: ``unique=1``)
    args.append(f"unique={(op.unique or False)!r}")
    if op.schema and not _batch(autogen_context):
        args.append(f"schema={op.schema!r}")
    args.extend(_index_kw(op, autogen_context))
    if_not_exists = _attr_or_kw(op, "if_not_exists")
    if if_not_exists is not None:
        args.append(f"if_not_exists={if_not_exists!r}")
    return f"{op_prefix(autogen_context)}create_index({', '.join(args)})"


@renderers.dispatch_for(ops.DropIndexOp)
def _render_drop_index(autogen_context: Any, op: ops.DropIndexOp) -> str:
    args = [render_gen_name(autogen_context, op.index_name)]
    if not _batch(autogen_context):
        args.append(f"table_name={op.table_name!r}")
        if op.schema:
            args.append(f"schema={op.schema!r}")
    args.extend(_index_kw(op, autogen_context))
    if_exists = _attr_or_kw(op, "if_exists")
    if if_exists is not None:
        args.append(f"if_exists={if_exists!r}")
    return f"{op_prefix(autogen_context)}drop_index({', '.join(args)})"


# --- constraints ---------------------------------------------------------------


def _columns_list(cols: Any) -> str:
    return "[%s]" % ", ".join(repr(c if isinstance(c, str) else c.name) for c in cols)


def _constraint_kw(op: Any, autogen_context: Any, *, skip: tuple[str, ...] = ()) -> list[str]:
    kw = _kw(op)
    out = []
    for key in ("deferrable", "initially"):
        if kw.get(key) is not None:
            out.append(f"{key}={kw[key]!r}")
    if op.schema and not _batch(autogen_context):
        out.append(f"schema={op.schema!r}")
    for key, value in kw.items():
        if key in ("deferrable", "initially", "schema") or key in skip or value is None:
            continue
        out.append(f"{key}={render_potential_expr(value, autogen_context)}")
    return out


@renderers.dispatch_for(ops.CreateUniqueConstraintOp)
def _render_unique_constraint(autogen_context: Any, op: ops.CreateUniqueConstraintOp) -> str:
    args = [render_gen_name(autogen_context, op.constraint_name)]
    args += _table_args(autogen_context, op, _columns_list(op.columns))
    args += _constraint_kw(op, autogen_context)
    return f"{op_prefix(autogen_context)}create_unique_constraint({', '.join(args)})"


@renderers.dispatch_for(ops.CreatePrimaryKeyOp)
def _render_primary_key(autogen_context: Any, op: ops.CreatePrimaryKeyOp) -> str:
    args = [render_gen_name(autogen_context, op.constraint_name)]
    args += _table_args(autogen_context, op, _columns_list(op.columns))
    args += _constraint_kw(op, autogen_context)
    return f"{op_prefix(autogen_context)}create_primary_key({', '.join(args)})"


_FK_OPTIONS = ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match")


@renderers.dispatch_for(ops.CreateForeignKeyOp)
def _render_foreign_key(autogen_context: Any, op: ops.CreateForeignKeyOp) -> str:
    kw = _kw(op)
    args = [render_gen_name(autogen_context, op.constraint_name)]
    if not _batch(autogen_context):
        args.append(repr(op.source_table))
    args += [repr(op.referent_table), _columns_list(op.local_cols), _columns_list(op.remote_cols)]
    if kw.get("source_schema") and not _batch(autogen_context):
        args.append(f"source_schema={kw['source_schema']!r}")
    if kw.get("referent_schema"):
        args.append(f"referent_schema={kw['referent_schema']!r}")
    for key in _FK_OPTIONS:
        if kw.get(key) is not None:
            args.append(f"{key}={kw[key]!r}")
    for key, value in kw.items():
        if key in _FK_OPTIONS or key in ("source_schema", "referent_schema") or value is None:
            continue
        args.append(f"{key}={render_potential_expr(value, autogen_context)}")
    return f"{op_prefix(autogen_context)}create_foreign_key({', '.join(args)})"


@renderers.dispatch_for(ops.CreateCheckConstraintOp)
def _render_check_constraint(autogen_context: Any, op: ops.CreateCheckConstraintOp) -> str:
    condition = repr(render_expression_text(op.condition, autogen_context))
    args = [render_gen_name(autogen_context, op.constraint_name)]
    args += _table_args(autogen_context, op, condition)
    args += _constraint_kw(op, autogen_context)
    return f"{op_prefix(autogen_context)}create_check_constraint({', '.join(args)})"


@renderers.dispatch_for(ops.CreateExcludeConstraintOp)
def _render_exclude_constraint(autogen_context: Any, op: Any) -> str:
    args = [render_gen_name(autogen_context, op.constraint_name)]
    if not _batch(autogen_context):
        args.append(repr(op.table_name))
    args += render_exclude_elements(op.elements, autogen_context)
    args += exclude_options(op.where, _kw(op), autogen_context)
    if op.schema and not _batch(autogen_context):
        args.append(f"schema={op.schema!r}")
    return f"{op_prefix(autogen_context)}create_exclude_constraint({', '.join(args)})"


@renderers.dispatch_for(ops.DropConstraintOp)
def _render_drop_constraint(autogen_context: Any, op: ops.DropConstraintOp) -> str | list[str]:
    text = _drop_constraint_text(autogen_context, op)
    if op.constraint_name is not None:
        return text
    # as Alembic 1.20: a warning, and a comment above the directive that will fail
    import warnings

    warnings.warn(
        f"Autogenerate rendered a drop_constraint() directive for an unnamed constraint on table "
        f"{op.table_name!r}; the migration will fail unless a constraint name is added to the directive.  "
        "Consider using a naming convention so that constraint names are known ahead of time.",
        UserWarning,
        stacklevel=2,
    )
    return [
        "# WARNING: constraint name is None; this directive will fail as",
        "# rendered.  Add a name, or use a naming convention; see",
        "# https://alembic.sqlalchemy.org/en/latest/naming.html",
        text,
    ]


def _drop_constraint_text(autogen_context: Any, op: ops.DropConstraintOp) -> str:
    args = [render_gen_name(autogen_context, op.constraint_name)]
    if not _batch(autogen_context):
        args.append(repr(op.table_name))
        if op.schema:
            args.append(f"schema={op.schema!r}")
    if op.constraint_type:
        args.append(f"type_={op.constraint_type!r}")
    if_exists = _attr_or_kw(op, "if_exists")
    if if_exists is not None:
        args.append(f"if_exists={if_exists!r}")
    return f"{op_prefix(autogen_context)}drop_constraint({', '.join(args)})"


# --- data ----------------------------------------------------------------------


@renderers.dispatch_for(ops.ExecuteSQLOp)
def _render_execute(autogen_context: Any, op: ops.ExecuteSQLOp) -> str:
    sqltext = op.sqltext
    if isinstance(sqltext, str):
        arg = repr(sqltext)
    elif isinstance(sqltext, sa.sql.elements.TextClause):
        arg = f"{sqla_prefix(autogen_context)}text({sqltext.text!r})"
    else:
        raise NotImplementedError(
            "Autogenerate rendering of SQL Expression language constructs "
            "not supported here; please use a plain SQL string"
        )
    args = [arg]
    if getattr(op, "execution_options", None):
        args.append(f"execution_options={op.execution_options!r}")
    return f"{op_prefix(autogen_context)}execute({', '.join(args)})"


@renderers.dispatch_for(ops.BulkInsertOp)
def _render_bulk_insert(autogen_context: Any, op: ops.BulkInsertOp) -> str:
    table = op.table
    prefix = sqla_prefix(autogen_context)
    cols = ", ".join(
        f"{prefix}column({c.name!r}, {render_type(c.type, autogen_context)})" for c in table.c
    )
    table_args = [repr(table.name)]
    if cols:
        table_args.append(cols)
    if getattr(table, "schema", None):
        table_args.append(f"schema={table.schema!r}")
    rows = list(op.rows)
    _add_value_imports(rows, autogen_context)
    args = [f"{prefix}table({', '.join(table_args)})", repr(rows)]
    if getattr(op, "multiinsert", True) is False:
        args.append("multiinsert=False")
    return f"{op_prefix(autogen_context)}bulk_insert({', '.join(args)})"


def _add_value_imports(rows: list[Any], autogen_context: Any) -> None:
    """Import what the repr() of row values needs (datetime.date(...), Decimal('1.5'), UUID(...))."""
    import datetime
    import decimal
    import uuid

    imports = autogen_context.imports
    for row in rows:
        for value in (row.values() if isinstance(row, dict) else ()):
            if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
                imports.add("import datetime")
            elif isinstance(value, decimal.Decimal):
                imports.add("from decimal import Decimal")
            elif isinstance(value, uuid.UUID):
                imports.add("from uuid import UUID")
