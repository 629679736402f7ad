"""Autogenerate's per-dialect hooks: are two types / defaults the same, how to render them.

Mixed into :class:`retort.ddl.impl.DefaultImpl`; dialect impls refine the
data (``type_synonyms``, ``type_arg_extract``) before overriding methods.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Sequence

from sqlalchemy import types as sqltypes
from sqlalchemy.schema import Identity

if TYPE_CHECKING:
    from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint
    from sqlalchemy.engine import Dialect

__all__ = ["ComparisonHooks", "ComparisonResult", "TypeParts"]


class TypeParts:
    """A rendered type split into words and arguments: ``NUMERIC(10, 2)`` → (["NUMERIC"], ["10", "2"])."""

    __slots__ = ("words", "args", "kwargs")

    def __init__(self, words: list[str], args: list[str], kwargs: dict[str, str]) -> None:
        self.words = words
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"TypeParts({self.words!r}, {self.args!r}, {self.kwargs!r})"


_ARGS = re.compile(r"\((.*?)\)")


class ComparisonResult(NamedTuple):
    """The outcome of comparing a metadata index / constraint with a reflected one.

    ``status`` is ``"equal"``, ``"different"`` (``message`` says how) or
    ``"skip"`` (``message`` says why it cannot be compared).
    """

    status: Literal["equal", "different", "skip"]
    message: str

    @property
    def is_equal(self) -> bool:
        return self.status == "equal"

    @property
    def is_different(self) -> bool:
        return self.status == "different"

    @property
    def is_skip(self) -> bool:
        return self.status == "skip"

    @classmethod
    def Equal(cls) -> "ComparisonResult":  # noqa: N802 - Alembic's name
        return cls("equal", "The two constraints are equal")

    @classmethod
    def Different(cls, reason: str | Sequence[str]) -> "ComparisonResult":  # noqa: N802
        return cls("different", reason if isinstance(reason, str) else ", ".join(reason))

    @classmethod
    def Skip(cls, reason: str | Sequence[str]) -> "ComparisonResult":  # noqa: N802
        return cls("skip", reason if isinstance(reason, str) else ", ".join(reason))


class ComparisonHooks:
    """Comparison and rendering hooks autogenerate asks the dialect impl."""

    dialect: "Dialect"

    #: groups of type names the database treats as the same type
    type_synonyms: ClassVar[tuple[set[str], ...]] = ({"DECIMAL", "NUMERIC"},)
    #: regexes pulling arguments out of the reflected type text (e.g. MySQL charset)
    type_arg_extract: ClassVar[tuple[str, ...]] = ()
    #: Identity attributes that never count as a difference on this dialect
    identity_attrs_ignore: ClassVar[tuple[str, ...]] = ("order", "on_null")

    # ------------------------------------------------------------------ types

    def _tokenize_column_type(self, column: "Column[Any]") -> TypeParts:
        definition = self.dialect.type_compiler_instance.process(column.type).lower()
        args: list[str] = []
        kwargs: dict[str, str] = {}
        for regex in self.type_arg_extract:
            for found in re.findall(regex, definition):
                args.append(found.strip() if isinstance(found, str) else " ".join(found))
            definition = re.sub(regex, "", definition)
        match = _ARGS.search(definition)
        if match:
            for token in match.group(1).split(","):
                token = token.strip()
                if "=" in token:
                    key, _, value = token.partition("=")
                    kwargs[key.strip()] = value.strip()
                elif token:
                    args.append(token)
            definition = _ARGS.sub("", definition)
        words = [w for w in re.split(r"\s+", definition.strip()) if w]
        return TypeParts([w.upper() for w in words], args, kwargs)

    def _words_equivalent(self, a: list[str], b: list[str]) -> bool:
        if a == b:
            return True
        left, right = " ".join(a), " ".join(b)
        return any(left in group and right in group for group in self.type_synonyms)

    def _column_types_match(self, inspector: TypeParts, metadata: TypeParts) -> bool:
        if not self._words_equivalent(inspector.words, metadata.words):
            # "TIMESTAMP WITHOUT TIME ZONE" reflects what "TIMESTAMP" created
            tz_words = {"WITH", "WITHOUT", "TIME", "ZONE"}
            same_base = (
                inspector.words[:1] == metadata.words[:1]
                and set(inspector.words[1:]) <= tz_words
                and set(metadata.words[1:]) <= tz_words
                and _has_time_zone(inspector.words) == _has_time_zone(metadata.words)
            )
            if not same_base:
                return False
        # arguments only count when the metadata states them
        if metadata.args and [a.lower() for a in metadata.args] != [
            a.lower() for a in inspector.args[: len(metadata.args)]
        ]:
            return False
        for key, value in metadata.kwargs.items():
            if inspector.kwargs.get(key) != value:
                return False
        return True

    def compare_type(self, inspector_column: "Column[Any]", metadata_column: "Column[Any]") -> bool:
        """Return True when the two columns' types differ on this database."""
        if isinstance(inspector_column.type, sqltypes.NullType) or isinstance(
            metadata_column.type, sqltypes.NullType
        ):
            return False
        insp = self._tokenize_column_type(inspector_column)
        meta = self._tokenize_column_type(metadata_column)
        return not self._column_types_match(insp, meta)

    # ------------------------------------------------------------------ defaults

    def compare_server_default(
        self,
        inspector_column: "Column[Any]",
        metadata_column: "Column[Any]",
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool:
        """Return True when the rendered server defaults differ."""
        return _normalize_default(rendered_inspector_default) != _normalize_default(
            rendered_metadata_default
        )

    def _compare_identity_default(
        self, metadata_identity: Identity | None, inspector_identity: Identity | None
    ) -> tuple[set[str], set[str], bool]:
        """Which Identity attributes differ: (changed, ignored, is_alter)."""
        attrs = ("always", "on_null", "start", "increment", "minvalue", "maxvalue", "nominvalue",
                 "nomaxvalue", "cycle", "cache", "order")
        meta = metadata_identity if metadata_identity is not None else Identity()
        insp = inspector_identity if inspector_identity is not None else Identity()
        defaults = Identity()
        diff: set[str] = set()
        for attr in attrs:
            mv = getattr(meta, attr, None)
            iv = getattr(insp, attr, None)
            if mv != iv and not (mv is None and iv == getattr(defaults, attr, None)):
                diff.add(attr)
        ignored = diff & set(self.identity_attrs_ignore)
        diff -= ignored
        is_alter = metadata_identity is not None and inspector_identity is not None
        return diff, ignored, is_alter

    # ------------------------------------------------------------------ indexes, constraints

    def compare_indexes(self, metadata_index: "Index", reflected_index: "Index") -> ComparisonResult:
        """Compare two indexes by uniqueness and by their columns / expressions, in order."""
        if bool(metadata_index.unique) != bool(reflected_index.unique):
            return ComparisonResult.Different(
                f"unique={bool(reflected_index.unique)} to unique={bool(metadata_index.unique)}"
            )
        return self._compare_elements(list(metadata_index.expressions), list(reflected_index.expressions))

    def compare_unique_constraint(
        self, metadata_constraint: "UniqueConstraint", reflected_constraint: "UniqueConstraint"
    ) -> ComparisonResult:
        """Compare two unique constraints by their columns, in order."""
        return self._compare_elements(list(metadata_constraint.columns), list(reflected_constraint.columns))

    def compare_check_constraint(
        self, metadata_constraint: "CheckConstraint", reflected_constraint: "CheckConstraint"
    ) -> ComparisonResult:
        """Compare two CHECK constraints; their SQL text is not compared (databases rewrite it)."""
        return ComparisonResult.Equal()

    def _compare_elements(self, metadata: list[Any], reflected: list[Any]) -> ComparisonResult:
        meta = tuple(self._element_sig(e) for e in metadata)
        refl = tuple(self._element_sig(e) for e in reflected)
        if meta == refl:
            return ComparisonResult.Equal()
        return ComparisonResult.Different(f"expression {refl!r} to {meta!r}")

    def _element_sig(self, element: Any) -> str:
        if isinstance(element, str):
            return element.lower()
        name = getattr(element, "name", None)
        if isinstance(name, str) and getattr(element, "table", None) is not None:
            return name.lower()
        try:
            text = self.render_ddl_sql_expr(element)
        except Exception:  # noqa: BLE001 - an expression this dialect cannot render inline
            text = str(element)
        return " ".join(text.lower().split())

    # ------------------------------------------------------------------ autogen corrections

    def autogen_column_reflect(self, inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
        """Hook on the ``column_reflect`` event while autogenerate reflects; edit ``column_info`` in place."""

    def correct_for_autogen_constraints(
        self,
        conn_uniques: set[Any],
        conn_indexes: set[Any],
        metadata_unique_constraints: set[Any],
        metadata_indexes: set[Any],
    ) -> None:
        """Adjust reflected vs. metadata constraints for dialect quirks; nothing by default."""

    def correct_for_autogen_foreignkeys(self, conn_fks: set[Any], metadata_fks: set[Any]) -> None:
        """Adjust reflected vs. metadata foreign keys for dialect quirks; nothing by default."""

    def adjust_reflected_dialect_options(self, reflected_object: dict[str, Any], kind: str) -> dict[str, Any]:
        """Return the dialect options of a reflected index / constraint worth comparing."""
        return dict(reflected_object.get("dialect_options", {}) or {})

    # ------------------------------------------------------------------ rendering

    def render_ddl_sql_expr(self, expr: Any, is_server_default: bool = False, **kw: Any) -> str:
        """Render a SQL expression (index expression, default) as this dialect writes it."""
        compiled = expr.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True, "include_table": False})
        return str(compiled)

    def render_type(self, type_obj: Any, autogen_context: Any) -> str | Literal[False]:
        """Dialect-specific Python rendering of a type for autogenerate; False = default."""
        return False

    def cast_for_batch_migrate(self, existing: Any, existing_transfer: dict[str, Any], new_type: Any) -> None:
        """Wrap the copied value in CAST when a batch copy changes the column's type affinity."""
        from sqlalchemy import cast

        if existing.type._type_affinity is not new_type._type_affinity:
            existing_transfer["expr"] = cast(existing_transfer["expr"], new_type)


def _has_time_zone(words: list[str]) -> bool:
    return "WITH" in words and "ZONE" in words and "WITHOUT" not in words


def _normalize_default(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    # reflected defaults come back wrapped in parentheses or casts depending on the database
    while len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    text = re.sub(r"::[\w ]+(\[\])?$", "", text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text
