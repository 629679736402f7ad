"""Column level: server defaults, computed (generated) columns and identity columns.

Server defaults, identity options included, are compared only with
``compare_server_default`` (off by default, as in Alembic).  Both sides are SQL text, normalised so that what the
database echoes back for an unchanged default is equal to what the target
states: outer parentheses, PostgreSQL ``::type`` casts, quoted numbers, case
outside string literals, and a few spellings of "now".  A sequence default
(``nextval(...)``) on a column the target gives no server default is the
database's own and is not reported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from retort.util.messaging import warn

from . import comparators
from .run import builtin, run_for

if TYPE_CHECKING:
    from retort.autogenerate.api import AutogenContext

__all__ = ["compare_server_default", "normalize_default", "DEFAULT_SYNONYMS"]

#: normalised default text → canonical spelling
DEFAULT_SYNONYMS = {
    "now": "current_timestamp",
    "localtimestamp": "current_timestamp",
    "transaction_timestamp": "current_timestamp",
    "statement_timestamp": "current_timestamp",
    "curdate": "current_date",
    "true": "1",
    "false": "0",
    "null": "",
}

_CAST_RE = re.compile(
    r"::(\"[^\"]+\"|[a-z_][a-z0-9_]*(\s+(varying|precision|without\s+time\s+zone|with\s+time\s+zone))?)"
    r"(\(\d+(,\s*\d+)?\))?(\[\])*",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"^'(-?\d+(\.\d+)?)'$")
_PLAIN_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
# a typed literal, interval '1 day', is echoed as a cast, '1 day'::interval
_TYPED_LITERAL_RE = re.compile(
    r"\b(interval|date|time|timestamp|timestamptz|numeric|decimal|text|uuid|jsonb|json)\s+$", re.IGNORECASE
)
_IDENTITY_ATTRS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache", "order", "on_null")


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0 and i != len(text) - 1:
                    return text
        text = text[1:-1].strip()
    return text


def _outside_quotes(text: str, fn: Any) -> str:
    """Apply ``fn`` to the parts of ``text`` outside single-quoted literals."""
    parts = re.split(r"('(?:[^']|'')*')", text)
    return "".join(p if p.startswith("'") else fn(p) for p in parts)


def _drop_literal_types(text: str) -> str:
    parts = re.split(r"('(?:[^']|'')*')", text)
    for i, part in enumerate(parts):
        if part.startswith("'") and i and _TYPED_LITERAL_RE.search(parts[i - 1]):
            parts[i - 1] = _TYPED_LITERAL_RE.sub("", parts[i - 1])
    return "".join(parts)


def normalize_default(text: str | None) -> str | None:
    """Reduce a server default's SQL text to a canonical form for comparison."""
    if text is None:
        return None
    s = _strip_parens(text.strip())
    s = _outside_quotes(s, lambda p: _CAST_RE.sub("", p))
    s = _drop_literal_types(s)
    s = _strip_parens(s.strip())
    m = _NUMBER_RE.match(s)
    if m:
        s = m.group(1)
    if _PLAIN_NUMBER_RE.match(s):
        # 1.50 and 1.5 are the same default for a NUMERIC column
        s = format(Decimal(s).normalize(), "f")
    # parentheses and spacing outside literals carry no meaning once casts are gone
    s = _outside_quotes(
        s, lambda p: "".join(ch for ch in p.lower() if ch not in ' \t\n()"`')
    )
    s = DEFAULT_SYNONYMS.get(s, s)
    return s or None


def _is_sequence_default(text: str | None) -> bool:
    return bool(text) and text.lower().lstrip("(").startswith("nextval(")  # type: ignore[union-attr]


@comparators.dispatch_for("column")
@builtin
def compare_server_default(
    autogen_context: AutogenContext,
    alter_column_op: Any,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> None:
    """Report server default, computed and identity changes."""
    run = run_for(autogen_context)
    if run.current_column is None:
        return
    cc, mc = run.current_column
    if mc.computed is not None or cc.computed is not None:
        _compare_computed(tname, cname, cc, mc)
        return
    setting = run.compare_server_default
    if mc.identity is not None or cc.identity is not None:
        # identity options are a kind of server default: compared when those are
        if setting:
            _compare_identity(alter_column_op, cc, mc, metadata_col=mc.source)
        return
    if not setting:
        return
    if mc.default is None and cc.default is None:
        return
    if mc.default is None and _is_sequence_default(cc.default):
        return
    meta_default = mc.source.server_default if mc.source is not None else None
    if callable(setting):
        decided = setting(
            autogen_context.migration_context,
            conn_col,
            metadata_col,
            cc.default,
            meta_default,
            mc.default,
        )
        if decided is not None:
            if decided:
                alter_column_op.modify_server_default = meta_default
            return
    if "compare_server_default" in run.impl_hooks:
        # a third-party dialect impl decides, as in Alembic
        if run.impl.compare_server_default(conn_col, metadata_col, mc.default, cc.default):
            alter_column_op.modify_server_default = meta_default
        return
    if normalize_default(cc.default) != normalize_default(mc.default):
        alter_column_op.modify_server_default = meta_default


def _compare_computed(tname: str, cname: str, cc: Any, mc: Any) -> None:
    meta = normalize_default(mc.computed.sqltext) if mc.computed else None
    conn = normalize_default(cc.computed.sqltext) if cc.computed else None
    if meta != conn:
        warn(
            f"retort: the computed (generated) expression of column {tname}.{cname} differs "
            "from the database; a computed column cannot be altered, so no change is "
            "generated (drop and re-add the column by hand)"
        )


def _compare_identity(alter_column_op: Any, cc: Any, mc: Any, *, metadata_col: Any) -> None:
    meta, conn = mc.identity, cc.identity
    if meta is None:
        alter_column_op.modify_server_default = None
        return
    if conn is None:
        alter_column_op.modify_server_default = metadata_col.server_default
        return
    changed = bool(meta.always) != bool(conn.always)
    for attr in _IDENTITY_ATTRS:
        wanted = getattr(meta, attr)
        # an option the target leaves unset is whatever the database chose
        if wanted is None:
            continue
        have = getattr(conn, attr)
        if have is None and wanted is False:
            continue
        if wanted != have:
            changed = True
    if changed:
        alter_column_op.modify_server_default = metadata_col.server_default

