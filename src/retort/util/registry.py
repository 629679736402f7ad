"""A registry of functions keyed by class (looked up along the MRO) or by name.

Each entry may carry a qualifier (usually a dialect name); a lookup with a
qualifier falls back to the ``"default"`` entry.  Extension points
(``comparators``, ``renderers``, operation implementations) are Dispatchers.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Iterator

_DEFAULT = "default"


class Dispatcher:
    """Map a class or a name (plus an optional qualifier) to one or many functions.

    :param uselist: when true, ``dispatch_for`` appends and ``dispatch`` returns
        every function registered for the key (comparators); otherwise the last
        registration wins unless ``replace`` is false (renderers, implementations).
    :param what: a word naming the kind of thing registered, used in errors.
    """

    def __init__(self, uselist: bool = False, *, what: str = "handler") -> None:
        self.uselist = uselist
        self.what = what
        self._registry: dict[tuple[Any, str], Any] = {}

    def dispatch_for(
        self, target: Any, qualifier: str = _DEFAULT, replace: bool = True
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function for ``target`` (a class or a name)."""

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.register(target, fn, qualifier=qualifier, replace=replace)
            return fn

        return decorate

    def register(
        self, target: Any, fn: Callable[..., Any], *, qualifier: str = _DEFAULT, replace: bool = True
    ) -> None:
        """Register ``fn`` for ``target``; see :meth:`dispatch_for`."""
        key = (target, qualifier)
        if self.uselist:
            self._registry.setdefault(key, []).append(fn)
        elif key in self._registry and not replace:
            raise ValueError(f"a {self.what} is already registered for {_label(target)!s}")
        else:
            self._registry[key] = fn

    def _candidates(self, target: Any) -> Iterator[Any]:
        if isinstance(target, str):
            yield target
            return
        cls = target if isinstance(target, type) else type(target)
        yield from cls.__mro__

    def find(self, target: Any, qualifier: str = _DEFAULT) -> Any:
        """Return what is registered for ``target``, or None."""
        for candidate in self._candidates(target):
            for qual in (qualifier, _DEFAULT) if qualifier != _DEFAULT else (_DEFAULT,):
                key = (candidate, qual)
                if key in self._registry:
                    if self.uselist and qual != _DEFAULT:
                        # dialect-qualified comparators run in addition to the default ones
                        return self._registry.get((candidate, _DEFAULT), []) + self._registry[key]
                    return self._registry[key]
        return [] if self.uselist else None

    def dispatch(self, target: Any, qualifier: str = _DEFAULT) -> Any:
        """Return the function (or list of functions) for ``target``; raise if none."""
        found = self.find(target, qualifier)
        if found is None:
            raise ValueError(self._miss_message(target))
        if self.uselist:
            fns = list(found)

            def run_all(*arg: Any, **kw: Any) -> None:
                for fn in fns:
                    fn(*arg, **kw)

            return run_all
        return found

    def _miss_message(self, target: Any) -> str:
        msg = f"no {self.what} registered for {_label(target)}"
        if isinstance(target, str):
            names = [k for k, _ in self._registry if isinstance(k, str)]
            close = difflib.get_close_matches(target, names, n=1)
            if close:
                msg += f"; did you mean {close[0]!r}?"
        return msg

    def keys(self) -> list[tuple[Any, str]]:
        """Every (target, qualifier) registered."""
        return list(self._registry)

    def branch(self) -> "Dispatcher":
        """Return a copy whose registrations do not affect this one."""
        copy = Dispatcher(self.uselist, what=self.what)
        copy._registry = {
            k: (list(v) if self.uselist else v) for k, v in self._registry.items()
        }
        return copy


def _label(target: Any) -> str:
    if isinstance(target, str):
        return repr(target)
    cls = target if isinstance(target, type) else type(target)
    return cls.__name__
