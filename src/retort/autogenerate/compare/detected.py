"""One INFO line per detected change, with Alembic 1.20's texts and logger names.

The lines are written once the comparison is complete, walking the ops in
their final order (the order of the migration), so that ``revision
--autogenerate`` prints them as Alembic does.  Most texts follow from the op
itself; a comparator that knows more (why an index changed) leaves the line
in ``op.info[LOG_KEY]``, and the drop half of a changed pair is marked with
``op.info[SILENT_KEY]``.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

__all__ = ["LOG_KEY", "SILENT_KEY", "log_detected", "changed_index_detail", "mark_changed"]

LOG_KEY = "retort.autogenerate.detected"
SILENT_KEY = "retort.autogenerate.silent"



class _Loggers:
    """The five loggers, under ``retort.`` (or ``alembic.`` in an Alembic-flavoured project, as the runtime's)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.tables = logging.getLogger(f"{prefix}.autogenerate.compare.tables")
        self.types = logging.getLogger(f"{prefix}.autogenerate.compare.types")
        self.constraints = logging.getLogger(f"{prefix}.autogenerate.compare.constraints")
        self.comments = logging.getLogger(f"{prefix}.autogenerate.compare.comments")
        self.defaults = logging.getLogger(f"{prefix}.autogenerate.compare.server_defaults")


_LOGGERS = {p: _Loggers(p) for p in ("retort", "alembic")}


def _qualified(name: Any, schema: str | None) -> str:
    return f"{schema}.{name}" if schema else str(name)


def log_detected(upgrade_ops: Any, impl: Any, *, flavor: str | None = None) -> None:
    """Log every op of ``upgrade_ops`` (depth first) as a 'Detected ...' line."""
    log = _LOGGERS["alembic" if flavor == "alembic" else "retort"]
    if not any(lg.isEnabledFor(logging.INFO) for lg in (log.tables, log.constraints, log.types)):
        return
    _walk(upgrade_ops.ops, impl, log)


def _walk(op_list: Iterable[Any], impl: Any, log: _Loggers) -> None:
    for op in op_list:
        inner = getattr(op, "ops", None)
        if inner is not None and type(op).__name__ == "ModifyTableOps":
            _walk(inner, impl, log)
        else:
            _log_one(op, impl, log)


def _log_one(op: Any, impl: Any, log: _Loggers) -> None:
    info = op.__dict__.get("_info") or {}
    if info.get(SILENT_KEY):
        return
    if LOG_KEY in info:
        logger, text = info[LOG_KEY]
        getattr(log, logger).info(text)
        return
    kind = type(op).__name__
    if kind == "CreateTableOp":
        log.tables.info("Detected added table %r", _qualified(op.table_name, op.schema))
    elif kind == "DropTableOp":
        log.tables.info("Detected removed table %r", _qualified(op.table_name, op.schema))
    elif kind == "AddColumnOp":
        log.tables.info("Detected added column '%s.%s'", op.table_name, op.column.name)
    elif kind == "DropColumnOp":
        log.tables.info("Detected removed column '%s.%s'", op.table_name, op.column_name)
    elif kind == "AlterColumnOp":
        _log_alter(op, impl, log)
    elif kind == "CreateIndexOp":
        cols = tuple(_index_column_names(op))
        log.constraints.info("Detected added index %r on '%s'", str(op.index_name), cols)
    elif kind == "DropIndexOp":
        log.constraints.info("Detected removed index %r on %r", str(op.index_name), op.table_name)
    elif kind == "CreateUniqueConstraintOp":
        log.constraints.info("Detected added unique constraint %r on '%s'", _name(op.constraint_name), tuple(op.columns))
    elif kind == "CreateForeignKeyOp":
        log.constraints.info(
            "Detected added foreign key (%s)(%s) on table %s",
            ", ".join(op.local_cols), ", ".join(op.remote_cols), _qualified(op.source_table, op.schema),
        )
    elif kind == "DropConstraintOp":
        _log_drop_constraint(op, log)


def _name(name: Any) -> str | None:
    return None if name is None else str(name)


def _index_column_names(op: Any) -> list[str]:
    names: list[str] = []
    for col in op.columns:
        if isinstance(col, str):
            names.append(col)
        elif getattr(col, "name", None) is not None:
            names.append(col.name)
        else:
            # an expression: the columns it uses, as Alembic names them
            names.extend(c.name for c in getattr(col, "_from_objects", ()) if getattr(c, "name", None))
    return names


def _log_drop_constraint(op: Any, log: _Loggers) -> None:
    kind = getattr(op, "constraint_type", None)
    reverse = getattr(op, "_reverse", None)
    if kind == "foreignkey":
        if reverse is not None and hasattr(reverse, "local_cols"):
            log.constraints.info(
                "Detected removed foreign key (%s)(%s) on table %s",
                ", ".join(reverse.local_cols), ", ".join(reverse.remote_cols),
                _qualified(op.table_name, op.schema),
            )
    elif kind == "unique":
        log.constraints.info("Detected removed unique constraint %r on %r", _name(op.constraint_name), op.table_name)


def _log_alter(op: Any, impl: Any, log: _Loggers) -> None:
    where = f"'{op.table_name}.{op.column_name}'"
    # Alembic's order: nullable, comment, type, server default
    if op.modify_nullable is not None:
        log.constraints.info("Detected %s on column %s", "NULL" if op.modify_nullable else "NOT NULL", where)
    if op.modify_comment is not False:
        log.comments.info("Detected column comment %s", where)
    if op.modify_type is not None:
        log.types.info("Detected type change from %r to %r on %s", op.existing_type, op.modify_type, where)
    if op.modify_server_default is not False:
        log.defaults.info("Dialect impl %r detected server default on column %s", impl, where)


def changed_index_detail(conn: Any, meta: Any) -> str:
    """Why an index changed, worded as Alembic words it (first difference found)."""
    cu, mu = bool(getattr(conn, "unique", True)), bool(getattr(meta, "unique", True))
    if cu != mu:
        return f"unique={cu} to unique={mu}"
    a, b = _elements(conn), _elements(meta)
    if len(a) != len(b):
        return f"expression number {len(a)} to {len(b)}"
    parts = [f"expression #{i} {x!r} to {y!r}" for i, (x, y) in enumerate(zip(a, b), start=1) if x != y]
    if parts:
        return ", ".join(parts)
    return "options changed"


def _elements(idx: Any) -> list[str]:
    out = []
    for i, col in enumerate(idx.columns):
        exprs = getattr(idx, "expressions", ())
        out.append(col if col is not None else str(exprs[i] if i < len(exprs) else ""))
    return out


def mark_changed(
    drop: Any, create: Any, kind: str, name: Any, table: str, conn: Any, meta: Any, detail: str | None = None
) -> None:
    """Word a changed index / unique constraint's pair as one line, on the re-create."""
    if detail:
        pass
    elif kind == "index":
        detail = changed_index_detail(conn, meta)
    else:
        detail = f"expression {tuple(sorted(conn.columns))!r} to {tuple(sorted(meta.columns))!r}"
    drop.info[SILENT_KEY] = True
    create.info[LOG_KEY] = (
        "constraints",
        f"Detected changed {'index' if kind == 'index' else 'unique constraint'} {str(name)!r} on {table!r}: {detail}",
    )
