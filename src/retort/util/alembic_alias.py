"""Make ``import alembic...`` resolve to retort while a retort run executes.

Existing Alembic projects say ``from alembic import context, op`` in their
``env.py`` and revision files.  While an EnvironmentContext is active, a
meta-path finder answers every ``alembic`` / ``alembic.*`` import with the
matching retort module (``alembic.operations.ops`` → ``retort.operations.ops``),
whether or not the real alembic package is installed.  Any real alembic
modules already imported are set aside for the run and put back afterwards,
so the process sees exactly what it saw before.

It lives in ``util`` (L0) because two layers need it: the runtime, around an
``env.py`` run, and :mod:`retort.util.pyfiles`, around every import of an
``env.py`` or revision file — the script layer imports a revision file while
reading the graph when its identifiers are computed, and a ``from alembic
import op`` there must bind retort's ``op`` too.  It imports no retort module
itself: the targets are imported by name when an ``alembic`` import asks.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType
from typing import Any, Sequence

__all__ = ["alembic_alias", "AlembicAliasFinder", "target_name"]

_PREFIX = "alembic"

#: alembic module paths whose retort counterpart lives elsewhere
_RENAMED = {
    "alembic.runtime": "retort.runtime",
    "alembic.util.exc": "retort.util.exc",
    "alembic.util.messaging": "retort.util.messaging",
    "alembic.ddl.base": "retort.ddl.elements",
    "alembic.script.base": "retort.script",
    "alembic.autogenerate.api": "retort.autogenerate",
}


def target_name(fullname: str) -> str | None:
    """The retort module standing in for alembic module ``fullname``, or None."""
    if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
        return None
    if fullname in _RENAMED:
        return _RENAMED[fullname]
    return "retort" + fullname[len(_PREFIX):]


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self._spec: Any = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the alias spec on the shared module; the
        # retort module keeps its own identity
        if self._spec is not None:
            module.__spec__ = self._spec


class AlembicAliasFinder(importlib.abc.MetaPathFinder):
    """Answer ``alembic.*`` imports with retort modules."""

    def __init__(self) -> None:
        self.aliased: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        name = target_name(fullname)
        if name is None:
            return None
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            # let the import fail with a message naming both modules
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (retort stands in for alembic here, "
                f"and has no {name!r})",
                name=fullname,
            )
        self.aliased.add(fullname)
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(name), is_package=found.submodule_search_locations is not None
        )


_lock = threading.RLock()
_depth = 0
_finder: AlembicAliasFinder | None = None
_saved: dict[str, ModuleType] = {}


class alembic_alias:
    """Context manager installing the alias for its duration (re-entrant)."""

    def __enter__(self) -> alembic_alias:
        global _depth, _finder
        import importlib.util  # noqa: F401 - find_spec above

        with _lock:
            if _depth == 0:
                _saved.clear()
                for name in list(sys.modules):
                    if target_name(name) is not None:
                        _saved[name] = sys.modules.pop(name)
                _finder = AlembicAliasFinder()
                sys.meta_path.insert(0, _finder)
            _depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        global _depth, _finder
        with _lock:
            _depth -= 1
            if _depth > 0:
                return
            if _finder is not None and _finder in sys.meta_path:
                sys.meta_path.remove(_finder)
            _finder = None
            for name in list(sys.modules):
                if target_name(name) is not None:
                    del sys.modules[name]
            sys.modules.update(_saved)
            _saved.clear()
