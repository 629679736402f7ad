"""Column level: type changes.

Both types are compiled for the connection's dialect and reduced to a
signature (name, arguments, modifiers); names that the dialect treats as the
same type are mapped through a per-dialect synonym table, so ``VARCHAR`` vs
``String`` or ``INTEGER`` vs ``Integer`` is not a change.  Arguments (length,
precision, …) are compared only when both sides state them.  A user
``compare_type`` callable decides first; returning None falls back to this.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import types as sqltypes
from sqlalchemy.exc import CompileError

from retort.util.messaging import warn

from . import comparators
from .run import builtin, run_for

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_type", "type_signature", "types_differ", "TYPE_SYNONYMS"]

def _pg_float(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    # FLOAT(p) is real up to 24 bits of precision, double precision above (and without p)
    if args and args[0].isdigit() and int(args[0]) <= 24:
        return "REAL", ()
    return "DOUBLE", ()


#: name → canonical name with arguments (None: keep them), or a function of the
#: arguments giving both; per dialect name, "default" applying to all.
TYPE_SYNONYMS: dict[str, dict[str, Any]] = {
    "default": {
        "INT": ("INTEGER", None),
        "INT4": ("INTEGER", None),
        "INT8": ("BIGINT", None),
        "INT2": ("SMALLINT", None),
        "BOOL": ("BOOLEAN", None),
        "DOUBLE PRECISION": ("DOUBLE", None),
        "FLOAT8": ("DOUBLE", None),
        "FLOAT4": ("REAL", None),
        "CHARACTER VARYING": ("VARCHAR", None),
        "CHARACTER": ("CHAR", None),
        "DECIMAL": ("NUMERIC", None),
        "TIMESTAMPTZ": ("TIMESTAMP", None),
        "NCHAR": ("CHAR", None),
        "NVARCHAR": ("VARCHAR", None),
        "NATIONAL CHAR": ("CHAR", None),
        "NATIONAL VARCHAR": ("VARCHAR", None),
    },
    "postgresql": {
        "FLOAT": _pg_float,
    },
    "mysql": {
        "BOOL": ("TINYINT", ("1",)),
        "BOOLEAN": ("TINYINT", ("1",)),
        # MariaDB stores JSON as LONGTEXT with a json_valid() check
        "JSON": ("LONGTEXT", None),
        "REAL": ("DOUBLE", None),
    },
}
TYPE_SYNONYMS["mariadb"] = TYPE_SYNONYMS["mysql"]

#: types whose arguments are display hints, not part of the type, per dialect name.
IGNORED_ARGUMENTS: dict[str, frozenset[str]] = {
    "mysql": frozenset({"INTEGER", "BIGINT", "SMALLINT", "MEDIUMINT", "YEAR"}),
}
IGNORED_ARGUMENTS["mariadb"] = IGNORED_ARGUMENTS["mysql"]

_FLAG_WORDS = ("UNSIGNED", "ZEROFILL", "BINARY")
_TZ_RE = re.compile(r"\s+WITH(OUT)?\s+TIME\s+ZONE")
_CHARSET_RE = re.compile(r"\s+(CHARACTER SET|COLLATE)\s+(\"[^\"]*\"|\S+)")

Signature = tuple[str, tuple[str, ...], frozenset[str]]


def _resolve(type_: Any, dialect: Dialect) -> Any:
    """The type the DDL really writes: its variant for this dialect, a TypeDecorator's engine."""
    for _ in range(10):
        variants = getattr(type_, "_variant_mapping", None)
        if variants and dialect.name in variants:
            type_ = variants[dialect.name]
            continue
        if isinstance(type_, sqltypes.TypeDecorator):
            try:
                # what CREATE TABLE compiles for it (Interval is INTERVAL where native)
                type_ = type_.type_engine(dialect)
            except Exception:
                type_ = type_.load_dialect_impl(dialect)
            if isinstance(type_, sqltypes.TypeDecorator):
                type_ = type_.impl_instance
            continue
        break
    return type_


_SIGNATURES: dict[Any, Signature | None] = {}


def type_signature(type_: Any, dialect: Dialect) -> Signature | None:
    """Reduce a type to (name, arguments, modifiers) for ``dialect``; None when opaque.

    Signatures are cached by the type's class and attributes: most columns
    share a handful of distinct types, and compiling is the costly part.
    """
    try:
        key: Any = (dialect.name, type(type_), tuple(vars(type_).items()))
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        try:
            return _SIGNATURES[key]
        except KeyError:
            pass
    sig = _type_signature(type_, dialect)
    if key is not None:
        if len(_SIGNATURES) > 10000:
            _SIGNATURES.clear()
        _SIGNATURES[key] = sig
    return sig


def _type_signature(type_: Any, dialect: Dialect) -> Signature | None:
    type_ = _resolve(type_, dialect)
    if isinstance(type_, sqltypes.NullType):
        return None
    try:
        compiled = dialect.type_compiler_instance.process(type_)
    except (CompileError, NotImplementedError, TypeError, AttributeError):
        return None
    text = " ".join(str(compiled).upper().split())
    flags: set[str] = set()
    tz = _TZ_RE.search(text)
    if tz:
        if not tz.group(1):
            flags.add("TZ")
        text = _TZ_RE.sub("", text)
    for m in _CHARSET_RE.finditer(text):
        flags.add(f"{m.group(1)}={m.group(2)}")
    text = _CHARSET_RE.sub("", text)
    args: tuple[str, ...] = ()
    if "(" in text:
        name, _, rest = text.partition("(")
        depth, end = 1, 0
        for i, ch in enumerate(rest):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        args = tuple(a.strip() for a in rest[:end].split(",") if a.strip())
        tail = rest[end + 1 :].replace("[][]", "[]")
        name = (name.strip() + " " + tail.strip()).strip() if tail.strip().startswith("[") else name.strip()
        for word in tail.split():
            if word in _FLAG_WORDS:
                flags.add(word)
    else:
        # PostgreSQL keeps no array dimensions: INTEGER[][] is INTEGER[]
        words = text.replace("[][]", "[]").replace("[][]", "[]").split()
        kept = [w for w in words if w not in _FLAG_WORDS]
        flags.update(w for w in words if w in _FLAG_WORDS)
        name = " ".join(kept)
    for table in (TYPE_SYNONYMS.get(dialect.name, {}), TYPE_SYNONYMS["default"]):
        if name in table:
            rule = table[name]
            if callable(rule):
                name, args = rule(args)
            else:
                name = rule[0]
                if rule[1] is not None:
                    args = rule[1]
            break
    if name in IGNORED_ARGUMENTS.get(dialect.name, ()):
        args = ()
    return name, args, frozenset(flags)


def types_differ(conn_type: Any, metadata_type: Any, dialect: Dialect) -> bool | None:
    """True / False, or None when either type is opaque (cannot be compared)."""
    conn_sig = type_signature(conn_type, dialect)
    meta_sig = type_signature(metadata_type, dialect)
    if conn_sig is None or meta_sig is None:
        return None
    if conn_sig[0] != meta_sig[0]:
        return True
    if conn_sig[1] and meta_sig[1] and conn_sig[1] != meta_sig[1]:
        return True
    conn_flags, meta_flags = conn_sig[2], meta_sig[2]
    # charset / collation only count when the target states them
    significant = {f for f in meta_flags if "=" in f}
    if significant and not significant <= conn_flags:
        return True
    if {f for f in conn_flags if "=" not in f} != {f for f in meta_flags if "=" not in f}:
        return True
    return False


@comparators.dispatch_for("column")
@builtin
def compare_type(
    autogen_context: AutogenContext,
    alter_column_op: Any,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> None:
    """Report a type change (``compare_type``, on by default)."""
    run = run_for(autogen_context)
    setting = run.compare_type
    if setting is False or run.current_column is None:
        return
    cc, mc = run.current_column
    conn_type, meta_type = cc.type, mc.type
    if callable(setting):
        decided = setting(
            autogen_context.migration_context, conn_col, metadata_col, conn_type, meta_type
        )
        if decided is not None:
            if decided:
                alter_column_op.modify_type = meta_type
            return
    if "compare_type" in run.impl_hooks:
        # a third-party dialect impl decides, as in Alembic
        if run.impl.compare_type(conn_col, metadata_col):
            alter_column_op.modify_type = meta_type
        return
    differ = types_differ(conn_type, meta_type, run.dialect)
    if differ is None:
        if isinstance(conn_type, sqltypes.NullType) and not isinstance(meta_type, sqltypes.NullType):
            warn(
                f"retort: the database type of column {tname}.{cname} was not recognised; "
                "its type is compared as opaque (no type change reported)"
            )
        return
    if differ:
        alter_column_op.modify_type = meta_type
