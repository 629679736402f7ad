"""Expose the methods of "the current object" as functions of a module.

``retort.op`` and ``retort.context`` are such modules: while a migration runs,
``op.add_column(...)`` calls ``add_column`` on the Operations object the
runtime installed.  Each proxy is a plain closure carrying the method's
``__signature__`` and docstring (no generated source, no ``exec``).  The
installed objects form a stack, so nested runs restore the outer object.
"""

from __future__ import annotations

import inspect
from contextvars import ContextVar
from typing import Any, Callable, MutableMapping

__all__ = ["ModuleProxy"]


class ModuleProxy:
    """Install proxies for ``cls``'s public methods into a module's globals.

    :param module_globals: the module's ``globals()``.
    :param cls: the class whose methods become module functions.
    :param what: how to name the missing object in the error raised when
        nothing is installed (e.g. ``"op"``).
    :param exclude: public names not to expose.
    """

    def __init__(
        self,
        module_globals: MutableMapping[str, Any],
        cls: type,
        *,
        what: str,
        exclude: tuple[str, ...] = (),
    ) -> None:
        self._globals = module_globals
        self._exclude = frozenset(exclude)
        self._cls = cls
        self._what = what
        self._stack: ContextVar[tuple[Any, ...]] = ContextVar(
            f"{module_globals.get('__name__')}.installed", default=()
        )
        self._proxied: set[str] = set()
        self._made: dict[str, Any] = {}
        self.refresh(cls)

    @property
    def current(self) -> Any:
        """The installed object (the innermost one); None when nothing is installed."""
        stack = self._stack.get()
        return stack[-1] if stack else None

    def install(self, target: Any) -> None:
        """Make ``target`` the object the module's functions call."""
        self._stack.set(self._stack.get() + (target,))
        # directives registered since import (plugins in env.py) get proxies too
        self.refresh(type(target))

    def remove(self, target: Any) -> None:
        """Undo ``install(target)``."""
        stack = self._stack.get()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is target:
                self._stack.set(stack[:i] + stack[i + 1 :])
                return

    def refresh(self, cls: type) -> None:
        """(Re)create a proxy for every public method of ``cls``; drop proxies of removed ones."""
        for name in [n for n in self._proxied if not hasattr(cls, n)]:
            self._globals.pop(name, None)
            self._made.pop(name, None)
            self._proxied.discard(name)
        for name in dir(cls):
            if name.startswith("_") or name in self._exclude:
                continue
            if name in self._globals and name not in self._proxied:
                continue  # a real module-level definition wins
            static = inspect.getattr_static(cls, name)
            if isinstance(static, (property,)) or not callable(getattr(cls, name, None)):
                continue
            if self._made.get(name) is static:
                continue  # proxy already made for this very method
            self._globals[name] = self._make(name, cls, static)
            self._made[name] = static
            self._proxied.add(name)

    def module_getattr(self, name: str) -> Any:
        """For the module's ``__getattr__``: an attribute of the installed object."""
        if name.startswith("__"):
            raise AttributeError(name)
        target = self.current
        if target is not None and hasattr(target, name):
            return getattr(target, name)
        raise AttributeError(f"module {self._globals.get('__name__')!r} has no attribute {name!r}")

    def _target(self, name: str) -> Any:
        stack = self._stack.get()
        if not stack:
            raise NameError(
                f"Can't call {self._what}.{name}(): no {self._cls.__name__} object is installed. "
                "It is available while migrations run (inside upgrade() / downgrade(), or env.py's "
                "run_migrations functions); call it from there, not at import time."
            )
        return stack[-1]

    def _make(self, name: str, cls: type, static: Any) -> Callable[..., Any]:
        def proxy(*args: Any, **kw: Any) -> Any:
            return getattr(self._target(name), name)(*args, **kw)

        member = getattr(cls, name)
        proxy.__name__ = name
        proxy.__qualname__ = name
        proxy.__module__ = str(self._globals.get("__name__"))
        proxy.__doc__ = getattr(member, "__doc__", None)
        try:
            sig = inspect.signature(member)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            if not isinstance(static, (classmethod, staticmethod)):
                # a plain method seen on the class still lists ``self``
                sig = sig.replace(parameters=list(sig.parameters.values())[1:])
            proxy.__signature__ = sig  # type: ignore[attr-defined]
        return proxy
