"""Rewriter: rewrite selected operation objects of a MigrationScript, by type.

A ``Rewriter`` is passed as ``process_revision_directives`` in env.py.  It
walks every ``MigrationScript`` → each ``UpgradeOps`` / ``DowngradeOps``
(all of them in the list form of a multi-engine run) → each op, descending
into ``ModifyTableOps``, and hands every op whose type has a registered
function to that function, which returns the op, a replacement, or a list
of zero or more ops.  An op a function returned is not handed to the same
function again, so returning ``[op, other]`` does not loop.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from retort.util.registry import Dispatcher

__all__ = ["Rewriter"]

RewriteFn = Callable[[Any, Any, Any], Any]


class Rewriter:
    """A helper object that allows easy 'rewriting' of ops streams.

    Register functions with :meth:`rewrites`; pass the object itself to
    ``EnvironmentContext.configure(process_revision_directives=...)``.
    """

    def __init__(self) -> None:
        self.dispatch = Dispatcher(what="rewrite function")
        # writers that run before this one, in order (see chain())
        self._chained: tuple[Rewriter, ...] = ()

    def chain(self, other: Rewriter) -> Rewriter:
        """Produce a "chain" of this Rewriter to another.

        :param other: a ``Rewriter`` instance.
        :return: a new ``Rewriter`` that runs this writer's rewrites, then
            ``other``'s, in succession.
        """
        chained = Rewriter()
        # ``other``'s own registrations stay live: rewrites added to it later apply too
        chained.dispatch = other.dispatch
        chained._chained = (*self._chained, self._own(), *other._chained)
        return chained

    def _own(self) -> Rewriter:
        """A writer holding only this writer's own registrations."""
        own = Rewriter()
        own.dispatch = self.dispatch
        return own

    def rewrites(self, operator: type) -> Callable[[RewriteFn], RewriteFn]:
        """Register a function as rewriter for a given type.

        The function receives ``(context, revision, op)`` and returns an op
        (the same one or a replacement) or a list of zero or more ops.
        """
        return self.dispatch.dispatch_for(operator)

    def __call__(self, context: Any, revision: Any, directives: list[Any]) -> None:
        self.process_revision_directives(context, revision, directives)

    def process_revision_directives(self, context: Any, revision: Any, directives: list[Any]) -> None:
        """Rewrite ``directives`` (a list of MigrationScript) in place."""
        for writer in self._chained:
            writer._process(context, revision, directives)
        self._process(context, revision, directives)

    # --- traversal ---------------------------------------------------------

    def _process(self, context: Any, revision: Any, directives: list[Any]) -> None:
        result: list[Any] = []
        for directive in directives:
            result.extend(self._traverse_for(context, revision, directive))
        directives[:] = result

    def _rewrite(self, context: Any, revision: Any, directive: Any) -> Iterator[Any]:
        fn = self.dispatch.find(directive)
        if fn is None or fn in getattr(directive, "_mutations", frozenset()):
            yield directive
            return
        result = fn(context, revision, directive)
        items = result if isinstance(result, (list, tuple)) else [result]
        for item in items:
            if item is None:
                continue
            item._mutations = frozenset(getattr(item, "_mutations", frozenset())) | {fn}
            yield item

    def _traverse_for(self, context: Any, revision: Any, directive: Any) -> list[Any]:
        directives = list(self._rewrite(context, revision, directive))
        for item in directives:
            self._traverse(context, revision, item)
        return directives

    def _traverse(self, context: Any, revision: Any, directive: Any) -> None:
        from retort.operations import ops

        if isinstance(directive, ops.MigrationScript):
            directive.upgrade_ops = self._traverse_list(
                context, revision, directive.upgrade_ops_list, "UpgradeOps"
            )
            directive.downgrade_ops = self._traverse_list(
                context, revision, directive.downgrade_ops_list, "DowngradeOps"
            )
        elif isinstance(directive, ops.OpContainer):
            new_ops: list[Any] = []
            for op in directive.ops:
                new_ops.extend(self._traverse_for(context, revision, op))
            directive.ops = new_ops

    def _traverse_list(
        self, context: Any, revision: Any, containers: Sequence[Any], kind: str
    ) -> list[Any]:
        out = []
        for container in containers:
            result = self._traverse_for(context, revision, container)
            if len(result) != 1:
                raise ValueError(f"Can only return single object for {kind} traverse")
            out.append(result[0])
        return out
