"""SQLAlchemy schema objects → Python source: types, columns, defaults, constraints.

The op renderers (:mod:`retort.autogenerate.render_ops`) call these helpers for
the objects an op carries.  Every helper first offers the object to the user's
``render_item`` hook; a hook that returns ``False`` leaves the default
rendering in place.

Types render through ``repr()`` (which SQLAlchemy keeps constructor-shaped)
with the right module prefix: ``sa.`` for SQLAlchemy's generic types, the
dialect module for dialect types (``postgresql.JSONB``, whose import is added
to ``autogen_context.imports``), and ``user_module_prefix`` or the type's own
module for user types.  Types nested inside a type (``ARRAY``'s item type,
``JSONB``'s ``astext_type``) get the same treatment so the rendered code runs.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes
from sqlalchemy.sql import elements as sql_elements
from sqlalchemy.sql.base import _NoneName

from retort.util.registry import Dispatcher

__all__ = [
    "type_renderers",
    "render_type",
    "render_column",
    "render_server_default",
    "render_constraint",
    "render_gen_name",
    "render_expression_text",
    "render_potential_expr",
    "sqla_prefix",
    "op_prefix",
]

#: ``type class → fn(type_, autogen_context) -> str | False``; a qualifier names the
#: dialect of the migration context the rule applies to (``"default"`` applies always).
type_renderers = Dispatcher(what="type renderer")


# --- context options -------------------------------------------------------


def _opt(autogen_context: Any, name: str, default: Any = None) -> Any:
    opts = getattr(autogen_context, "opts", None) or {}
    return opts.get(name, default)


def sqla_prefix(autogen_context: Any) -> str:
    """The prefix SQLAlchemy names get (``sa.`` unless configured)."""
    prefix = _opt(autogen_context, "sqlalchemy_module_prefix")
    return "sa." if prefix is None else prefix


def op_prefix(autogen_context: Any) -> str:
    """The prefix op directives get: ``batch_op.`` inside a batch block, else ``op.``."""
    if getattr(autogen_context, "_has_batch", False):
        return "batch_op."
    prefix = _opt(autogen_context, "alembic_module_prefix")
    return "op." if prefix is None else prefix


def _module_op_prefix(autogen_context: Any) -> str:
    # op.f() always lives on the module-level ``op``, even inside a batch block.
    prefix = _opt(autogen_context, "alembic_module_prefix")
    return "op." if prefix is None else prefix


def _dialect(autogen_context: Any) -> Any:
    return getattr(autogen_context, "dialect", None)


def _dialect_name(autogen_context: Any) -> str:
    dialect = _dialect(autogen_context)
    return getattr(dialect, "name", None) or "default"


def _imports(autogen_context: Any) -> set[str]:
    imports = getattr(autogen_context, "imports", None)
    if imports is None:
        imports = set()
        try:
            autogen_context.imports = imports
        except AttributeError:
            pass
    return imports


def user_render(type_: str, obj: Any, autogen_context: Any) -> Any:
    """Offer ``obj`` to the ``render_item`` hook; ``False`` means render normally."""
    hook: Callable[..., Any] | None = _opt(autogen_context, "render_item")
    if hook is None:
        return False
    return hook(type_, obj, autogen_context)


# --- names and expressions ---------------------------------------------------


def render_gen_name(autogen_context: Any, name: Any) -> str:
    """Render a constraint / index name; names made by a naming convention get ``op.f()``."""
    if isinstance(name, sql_elements.conv):
        return f"{_module_op_prefix(autogen_context)}f({str(name)!r})"
    if name is None or isinstance(name, _NoneName):
        return "None"
    return repr(name)


def render_expression_text(expr: Any, autogen_context: Any, *, is_server_default: bool = False) -> str:
    """Return the SQL text of ``expr`` (unqualified column names, literal values)."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, sql_elements.TextClause):
        return expr.text
    impl = getattr(getattr(autogen_context, "migration_context", None), "impl", None)
    impl_render = getattr(impl, "render_ddl_sql_expr", None)
    if impl_render is not None:
        # a dialect may spell expressions its own way
        return impl_render(expr, is_server_default=is_server_default)
    dialect = _dialect(autogen_context)
    if dialect is None and is_server_default:
        # no target database known (render_python_code without a migration
        # context): a default is written as SQLAlchemy's generic dialect
        # compiles it, as Alembic does -- sa.true() becomes '1', which every
        # database without a native boolean (SQLite, MySQL, MSSQL) accepts
        from sqlalchemy.engine.default import DefaultDialect

        dialect = DefaultDialect()
    compiled = expr.compile(
        dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


def render_potential_expr(value: Any, autogen_context: Any, *, wrap: str = "text") -> str:
    """repr() a plain value; SQL expressions become ``sa.text('...')`` (or ``wrap``)."""
    if isinstance(value, sql_elements.ClauseElement):
        return f"{sqla_prefix(autogen_context)}{wrap}({render_expression_text(value, autogen_context)!r})"
    return repr(value)


# --- types -----------------------------------------------------------------


def render_type(type_: Any, autogen_context: Any) -> str:
    """Render a type instance (or class) as a constructor call with its module prefix."""
    if isinstance(type_, type):
        type_ = type_()
    rendered = user_render("type", type_, autogen_context)
    if rendered is not False:
        return rendered
    impl = getattr(getattr(autogen_context, "migration_context", None), "impl", None)
    impl_render = getattr(impl, "render_type", None)
    if impl_render is not None:
        rendered = impl_render(type_, autogen_context)
        if rendered:
            return rendered
    variants = getattr(type_, "_variant_mapping", None) or {}
    if variants:
        base = type_.copy()
        base._variant_mapping = {}
        text = render_type(base, autogen_context)
        for dialect_name in sorted(variants):
            text += ".with_variant(%s, %r)" % (
                render_type(variants[dialect_name], autogen_context),
                dialect_name,
            )
        return text
    special = type_renderers.find(type_, _dialect_name(autogen_context))
    if special is not None:
        rendered = special(type_, autogen_context)
        if rendered is not False:
            return rendered
    return _type_prefix(type_, autogen_context) + _repr_with_nested(type_, autogen_context)


def _type_prefix(type_: Any, autogen_context: Any) -> str:
    module = type(type_).__module__
    if module.startswith("sqlalchemy.dialects."):
        dialect_module = module.split(".")[2]
        _imports(autogen_context).add(f"from sqlalchemy.dialects import {dialect_module}")
        return f"{dialect_module}."
    if module.startswith("sqlalchemy."):
        name = type(type_).__name__
        if not hasattr(sa, name) and hasattr(sqltypes, name):
            # NullType and friends are not exported at the top level
            return f"{sqla_prefix(autogen_context)}types."
        return sqla_prefix(autogen_context)
    user_prefix = _opt(autogen_context, "user_module_prefix")
    if user_prefix is not None:
        return user_prefix
    if module not in ("__main__", "builtins"):
        # unlike Alembic, import the type's module so the revision runs as written
        _imports(autogen_context).add(f"import {module}")
    return f"{module}."


def _repr_with_nested(type_: Any, autogen_context: Any) -> str:
    """repr() the type, re-rendering nested types (item types) with their own prefixes."""
    text = repr(type_)
    head, paren, args = text.partition("(")
    if not paren:
        return text
    for value in _constructor_values(type_):
        if isinstance(value, type) and issubclass(value, sqltypes.TypeEngine):
            value = value()
        if isinstance(value, sqltypes.TypeEngine) and not isinstance(value, sqltypes.NullType):
            inner = repr(value)
            if inner in args:
                args = args.replace(inner, render_type(value, autogen_context), 1)
    return head + paren + args


def _constructor_values(type_: Any) -> list[Any]:
    """Instance state plus constructor arguments kept as class defaults (JSONB.astext_type)."""
    values = list(vars(type_).values())
    try:
        params = inspect.signature(type(type_).__init__).parameters
    except (TypeError, ValueError):
        return values
    for name in params:
        if name != "self" and name not in vars(type_):
            value = getattr(type_, name, None)
            if value is not None:
                values.append(value)
    return values


def _render_domain(type_: Any, autogen_context: Any) -> str:
    """postgresql.DOMAIN: its repr leaves out the default, check and options."""
    args = [repr(type_.name), render_type(type_.data_type, autogen_context)]
    for key in ("collation", "default", "constraint_name", "not_null", "check"):
        value = getattr(type_, key, None)
        if value is None or (key == "not_null" and not value):
            continue
        if isinstance(value, sql_elements.ClauseElement):
            value = render_expression_text(value, autogen_context)
        args.append(f"{key}={value!r}")
    if getattr(type_, "_schema_provided", False) and type_.schema:
        args.append(f"schema={type_.schema!r}")
    if getattr(type_, "create_type", True) is False:
        args.append("create_type=False")
    return _type_prefix(type_, autogen_context) + f"DOMAIN({', '.join(args)})"


def _register_dialect_type_renderers() -> None:
    try:
        from sqlalchemy.dialects.postgresql import DOMAIN
    except ImportError:  # SQLAlchemy without DOMAIN
        return
    type_renderers.register(DOMAIN, _render_domain)


_register_dialect_type_renderers()


# --- defaults, computed, identity --------------------------------------------


def render_server_default(default: Any, autogen_context: Any, *, repr_: bool = True) -> str | None:
    """Render a server default: strings as literals, SQL as ``sa.text(...)``; None if none."""
    rendered = user_render("server_default", default, autogen_context)
    if rendered is not False:
        return rendered
    if isinstance(default, sa_schema.Computed):
        return render_computed(default, autogen_context)
    if isinstance(default, sa_schema.Identity):
        return render_identity(default, autogen_context)
    if isinstance(default, sa_schema.DefaultClause):
        default = default.arg
    elif isinstance(default, sa_schema.FetchedValue):
        return f"{sqla_prefix(autogen_context)}FetchedValue()"
    if isinstance(default, sql_elements.ClauseElement):
        text = render_expression_text(default, autogen_context, is_server_default=True)
        if _dialect(autogen_context) is not None:
            # as Alembic: rendered for a known dialect, the SQL is spelled as
            # that dialect needs it in DEFAULT (SQLite: in parentheses)
            from retort.snapshot.from_database import server_default_spellings

            spell = server_default_spellings.find("server_default", _dialect_name(autogen_context))
            if spell is not None:
                text = spell(text)
        return f"{sqla_prefix(autogen_context)}text({text!r})"
    if default is None:
        return None
    if isinstance(default, str):
        return repr(default) if repr_ else default
    return repr(default)


def render_computed(computed: sa_schema.Computed, autogen_context: Any) -> str:
    """``sa.Computed('expr', persisted=...)``."""
    text = render_expression_text(computed.sqltext, autogen_context)
    persisted = f"persisted={computed.persisted!r}" if computed.persisted is not None else ""
    return f"{sqla_prefix(autogen_context)}Computed({text!r}, {persisted})"


_IDENTITY_OPTIONS = (
    "always",
    "on_null",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
)


def render_identity(identity: sa_schema.Identity, autogen_context: Any) -> str:
    """``sa.Identity(always=..., start=..., ...)`` with the options that are set."""
    state = vars(identity)
    args = []
    for key in _IDENTITY_OPTIONS:
        value = state.get(key)
        if key == "always" or value is not None:
            args.append(f"{key}={bool(value) if key == 'always' else value!r}")
    dialect_kwargs = getattr(identity, "dialect_kwargs", {}) or {}
    for key in sorted(dialect_kwargs):
        if dialect_kwargs[key] is not None:
            args.append(f"{key}={dialect_kwargs[key]!r}")
    return f"{sqla_prefix(autogen_context)}Identity({', '.join(args)})"


# --- columns -----------------------------------------------------------------


def render_column(column: sa.Column[Any], autogen_context: Any) -> str:
    """Render ``sa.Column(name, type, [Computed/Identity], server_default=, nullable=, ...)``."""
    rendered = user_render("column", column, autogen_context)
    if rendered is not False:
        return rendered
    args = [repr(column.name), render_type(column.type, autogen_context)]
    if isinstance(column.computed, sa_schema.Computed):
        args.append(render_computed(column.computed, autogen_context))
    if isinstance(column.identity, sa_schema.Identity):
        args.append(render_identity(column.identity, autogen_context))
    server_default = column.server_default
    if server_default is not None and not isinstance(
        server_default, (sa_schema.Computed, sa_schema.Identity)
    ):
        text = render_server_default(server_default, autogen_context)
        if text is not None:
            args.append(f"server_default={text}")
    if column.autoincrement != "auto":
        args.append(f"autoincrement={column.autoincrement!r}")
    args.append(f"nullable={column.nullable!r}")
    if column.comment:
        args.append(f"comment={column.comment!r}")
    for key, value in sorted(column.dialect_kwargs.items()):
        args.append(f"{key}={render_potential_expr(value, autogen_context)}")
    return f"{sqla_prefix(autogen_context)}Column({', '.join(args)})"


# --- constraints (inside create_table) -----------------------------------------


_CONSTRAINT_ITEM = {
    sa_schema.PrimaryKeyConstraint: "primary_key",
    sa_schema.ForeignKeyConstraint: "foreign_key",
    sa_schema.UniqueConstraint: "unique",
    sa_schema.CheckConstraint: "check",
}


def _item_name(constraint: Any) -> str | None:
    if hasattr(constraint, "_render_exprs") and hasattr(constraint, "using"):
        return "exclude"  # postgresql.ExcludeConstraint, without importing the dialect
    for cls in type(constraint).__mro__:
        if cls in _CONSTRAINT_ITEM:
            return _CONSTRAINT_ITEM[cls]
    return None


def should_render_constraint(constraint: Any) -> bool:
    """Skip constraints a type creates itself (Enum / Boolean CHECKs) and empty PKs."""
    if getattr(constraint, "_type_bound", False):
        return False
    if isinstance(constraint, sa_schema.PrimaryKeyConstraint) and not constraint.columns:
        return False
    return True


def render_constraint(constraint: Any, autogen_context: Any) -> str | None:
    """Render a table-level constraint for ``create_table``; None when it is skipped."""
    kind = _item_name(constraint)
    rendered = user_render(kind or "constraint", constraint, autogen_context)
    if rendered is not False:
        return rendered
    fn = _CONSTRAINT_RENDERERS.get(kind)  # type: ignore[arg-type]
    if fn is None:
        return None
    return fn(constraint, autogen_context)


def _deferrable_initially(constraint: Any) -> list[str]:
    opts = []
    if constraint.deferrable is not None:
        opts.append(f"deferrable={constraint.deferrable!r}")
    if constraint.initially is not None:
        opts.append(f"initially={constraint.initially!r}")
    return opts


def _name_opt(constraint: Any, autogen_context: Any) -> list[str]:
    name = constraint.name
    if name is None or isinstance(name, _NoneName):
        return []
    return [f"name={render_gen_name(autogen_context, name)}"]


def _render_primary_key(constraint: Any, autogen_context: Any) -> str:
    args = [repr(c.name) for c in constraint.columns]
    args += _deferrable_initially(constraint) + _name_opt(constraint, autogen_context)
    return f"{sqla_prefix(autogen_context)}PrimaryKeyConstraint({', '.join(args)})"


def _render_unique(constraint: Any, autogen_context: Any) -> str:
    args = [repr(c.name) for c in constraint.columns]
    args += _deferrable_initially(constraint) + _name_opt(constraint, autogen_context)
    for key, value in sorted(constraint.dialect_kwargs.items()):
        args.append(f"{key}={render_potential_expr(value, autogen_context)}")
    return f"{sqla_prefix(autogen_context)}UniqueConstraint({', '.join(args)})"


def fk_target(element: Any) -> str:
    """``[schema.]table.column`` that a ForeignKey element points at."""
    return element._get_colspec()


def _render_foreign_key(constraint: Any, autogen_context: Any) -> str:
    local = [repr(c) for c in constraint.column_keys]
    remote = [repr(fk_target(e)) for e in constraint.elements]
    opts = _name_opt(constraint, autogen_context)
    for key in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
        value = getattr(constraint, key, None)
        if value is not None and not (key == "use_alter" and value is False):
            opts.append(f"{key}={value!r}")
    return "%sForeignKeyConstraint([%s], [%s], %s)" % (
        sqla_prefix(autogen_context),
        ", ".join(local),
        ", ".join(remote),
        ", ".join(opts),
    )


def _render_check(constraint: Any, autogen_context: Any) -> str:
    args = [repr(render_expression_text(constraint.sqltext, autogen_context))]
    args += _deferrable_initially(constraint) + _name_opt(constraint, autogen_context)
    return f"{sqla_prefix(autogen_context)}CheckConstraint({', '.join(args)})"


def render_exclude_elements(elements: Any, autogen_context: Any) -> list[str]:
    """``(sa.column('room'), '=')`` pairs of an EXCLUDE constraint."""
    prefix = sqla_prefix(autogen_context)
    out = []
    for expr, operator in elements:
        if isinstance(expr, str):
            text = f"{prefix}column({expr!r})"
        elif isinstance(expr, sa.Column) or (
            isinstance(expr, sql_elements.ColumnClause) and not expr.is_literal
        ):
            text = f"{prefix}column({expr.name!r})"
        else:
            text = f"{prefix}text({render_expression_text(expr, autogen_context)!r})"
        out.append(f"({text}, {operator!r})")
    return out


def exclude_options(where: Any, options: dict[str, Any], autogen_context: Any) -> list[str]:
    """``where=``, ``deferrable=``, ``initially=``, ``using=`` of an EXCLUDE constraint."""
    out = []
    if where is not None:
        out.append(f"where={render_potential_expr(where, autogen_context)}")
    for key in ("deferrable", "initially", "using"):
        if options.get(key) is not None:
            out.append(f"{key}={options[key]!r}")
    return out


def _render_exclude(constraint: Any, autogen_context: Any) -> str:
    _imports(autogen_context).add("from sqlalchemy.dialects import postgresql")
    elements = [(expr, operator) for expr, _name, operator in constraint._render_exprs]
    args = render_exclude_elements(elements, autogen_context)
    options = {k: getattr(constraint, k, None) for k in ("deferrable", "initially", "using")}
    args += exclude_options(constraint.where, options, autogen_context)
    args += _name_opt(constraint, autogen_context)
    return f"postgresql.ExcludeConstraint({', '.join(args)})"


_CONSTRAINT_RENDERERS: dict[str, Callable[[Any, Any], str]] = {
    "primary_key": _render_primary_key,
    "unique": _render_unique,
    "foreign_key": _render_foreign_key,
    "check": _render_check,
    "exclude": _render_exclude,
}
