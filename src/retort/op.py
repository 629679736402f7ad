"""``from retort import op``: the directives of the Operations object of the running migration.

Every public method of :class:`retort.operations.Operations`
(``op.create_table``, ``op.add_column``, ``op.batch_alter_table``, ``op.f``,
``op.execute``, ... and directives added by plugins) is available here as a
function while migrations run.  The runtime installs the Operations object
with ``Operations.context(migration_context)`` (or ``_install`` /
``_remove``).  ``op.pyi`` lists the built-in directives for type checkers.
"""

from __future__ import annotations

from typing import Any

from retort.operations import Operations
from retort.util.proxy import ModuleProxy

# ``Operations.context`` is how the runtime installs us and
# ``create_module_class_proxy`` how a module like this one is made: not directives
_proxy = ModuleProxy(globals(), Operations, what="op", exclude=("context", "create_module_class_proxy"))


def _install(operations: Operations) -> None:
    """Make ``operations`` the object ``op.*`` calls (the runtime calls this)."""
    _proxy.install(operations)


def _remove(operations: Operations) -> None:
    """Undo ``_install(operations)``."""
    _proxy.remove(operations)


def _current() -> Operations | None:
    """The installed Operations object, or None."""
    return _proxy.current


def __getattr__(name: str) -> Any:
    return _proxy.module_getattr(name)
