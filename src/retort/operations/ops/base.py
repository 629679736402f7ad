"""The root of every operation object, and the containers that group them.

Operation objects are plain data: they say *what* a migration does and never
touch a database themselves.  ``Operations.invoke`` carries them out,
autogenerate renders them, linters read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:
    import os

__all__ = [
    "MigrateOperation",
    "AlterTableOp",
    "OpContainer",
    "ModifyTableOps",
    "UpgradeOps",
    "DowngradeOps",
    "MigrationScript",
]


class MigrateOperation:
    """Base of every migration operation.

    Subclasses hold their arguments as attributes; ``reverse()`` returns the
    operation that undoes this one and ``to_diff_tuple()`` the tuple
    ``compare_metadata()`` reports for it.
    """

    # Rewriter bookkeeping: the rewrite functions already applied to this op,
    # so that a rewrite returning an op of the same type is not re-applied.
    _mutations: frozenset[Any] = frozenset()

    @property
    def info(self) -> dict[Any, Any]:
        """A dictionary for user-defined data, created on first access."""
        try:
            return self.__dict__["_info"]
        except KeyError:
            return self.__dict__.setdefault("_info", {})

    @info.setter
    def info(self, value: dict[Any, Any]) -> None:
        self.__dict__["_info"] = value

    def reverse(self) -> MigrateOperation:
        """Return the operation that undoes this one."""
        raise NotImplementedError(f"{type(self).__name__} is not reversible")

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """Return the ``compare_metadata()``-style tuple describing this op."""
        raise NotImplementedError(f"{type(self).__name__} has no diff tuple")

    def describe(self) -> str:
        """Return a one-line human description (used in error messages)."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


class AlterTableOp(MigrateOperation):
    """An operation that changes one existing table."""

    def __init__(self, table_name: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


def qualified(table_name: str | None, schema: str | None) -> str:
    """``schema.table`` (or ``table``) for descriptions."""
    if schema:
        return f"{schema}.{table_name}"
    return str(table_name)


class OpContainer(MigrateOperation):
    """An ordered group of operations (``.ops``)."""

    def __init__(self, ops: Sequence[MigrateOperation] = ()) -> None:
        self.ops = list(ops)

    def is_empty(self) -> bool:
        """True when the container holds no operations."""
        return not self.ops

    def as_diffs(self) -> list[Any]:
        """Return the diff tuples of every operation, nested containers flattened."""
        return list(self._iter_diffs(self))

    @classmethod
    def _iter_diffs(cls, container: OpContainer) -> Iterator[Any]:
        for op in container.ops:
            if isinstance(op, OpContainer):
                yield from cls._iter_diffs(op)
            else:
                yield op.to_diff_tuple()

    def describe(self) -> str:
        return f"{type(self).__name__} with {len(self.ops)} operation(s)"


def _reversed_ops(ops: Sequence[MigrateOperation]) -> list[MigrateOperation]:
    return [op.reverse() for op in reversed(ops)]


class ModifyTableOps(OpContainer):
    """The operations that change one table, grouped (batch mode runs them together)."""

    def __init__(
        self, table_name: str, ops: Sequence[MigrateOperation], *, schema: str | None = None
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(self.table_name, _reversed_ops(self.ops), schema=self.schema)

    def describe(self) -> str:
        return f"{len(self.ops)} change(s) to table {qualified(self.table_name, self.schema)}"


class UpgradeOps(OpContainer):
    """The operations of a revision's ``upgrade()``.

    :param upgrade_token: the template variable the rendered code goes into.
    """

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), upgrade_token: str = "upgrades"
    ) -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops: DowngradeOps) -> DowngradeOps:
        """Fill ``downgrade_ops`` with the reverse of these operations and return it."""
        downgrade_ops.ops[:] = _reversed_ops(self.ops)
        return downgrade_ops

    def reverse(self) -> DowngradeOps:
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The operations of a revision's ``downgrade()``.

    :param downgrade_token: the template variable the rendered code goes into.
    """

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(ops=_reversed_ops(self.ops))


def _as_list(value: Any, kind: type) -> list[Any]:
    if value is None:
        items: list[Any] = []
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = [value]
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(
                f"MigrationScript expects {kind.__name__} objects, got {type(item).__name__}"
            )
    return items


class MigrationScript(MigrateOperation):
    """A whole revision file: its identifiers and its upgrade / downgrade operations.

    ``upgrade_ops`` / ``downgrade_ops`` may be given as a list (one entry per
    engine in a multi-database run); read them back as ``upgrade_ops_list`` /
    ``downgrade_ops_list``.
    """

    def __init__(
        self,
        rev_id: str | None,
        upgrade_ops: UpgradeOps | Sequence[UpgradeOps],
        downgrade_ops: DowngradeOps | Sequence[DowngradeOps],
        *,
        message: str | None = None,
        imports: set[str] | frozenset[str] = frozenset(),
        head: str | None = None,
        splice: bool | None = None,
        branch_label: Any = None,
        version_path: str | os.PathLike[str] | None = None,
        depends_on: Any = None,
    ) -> None:
        self.rev_id = rev_id
        self.message = message
        # a fresh set per script (the default is shared and immutable)
        self.imports = imports if isinstance(imports, set) else set(imports)
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = version_path
        self.depends_on = depends_on
        self.upgrade_ops = upgrade_ops  # type: ignore[assignment]
        self.downgrade_ops = downgrade_ops  # type: ignore[assignment]

    @property
    def upgrade_ops(self) -> UpgradeOps | None:
        """The single UpgradeOps; an error when there are several (see ``upgrade_ops_list``)."""
        return self._single(self._upgrade_ops, "UpgradeOps", "upgrade_ops_list")

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps | Sequence[UpgradeOps]) -> None:
        self._upgrade_ops = _as_list(value, UpgradeOps)

    @property
    def downgrade_ops(self) -> DowngradeOps | None:
        """The single DowngradeOps; an error when there are several (see ``downgrade_ops_list``)."""
        return self._single(self._downgrade_ops, "DowngradeOps", "downgrade_ops_list")

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps | Sequence[DowngradeOps]) -> None:
        self._downgrade_ops = _as_list(value, DowngradeOps)

    @property
    def upgrade_ops_list(self) -> list[UpgradeOps]:
        """Every UpgradeOps (one per engine in a multi-database run)."""
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self) -> list[DowngradeOps]:
        """Every DowngradeOps (one per engine in a multi-database run)."""
        return self._downgrade_ops

    @staticmethod
    def _single(items: list[Any], kind: str, list_attr: str) -> Any:
        if len(items) > 1:
            raise ValueError(
                f"This MigrationScript has {len(items)} {kind} entries; "
                f"use the {list_attr} attribute"
            )
        return items[0] if items else None

    def describe(self) -> str:
        return f"revision {self.rev_id}: {self.message or ''}".rstrip(": ")
