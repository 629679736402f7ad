"""``retort.context``: the EnvironmentContext of the run in progress, as a module.

Inside ``env.py`` (``from retort import context``), ``context.configure(...)``,
``context.run_migrations()``, ``context.config`` and every other attribute of
:class:`retort.runtime.environment.EnvironmentContext` are looked up on the
context installed by the command's ``with EnvironmentContext(...)`` block.
The current context lives in a ContextVar, so runs in several threads don't
see each other's.  The signatures are in ``context.pyi``.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from retort.runtime.environment import current_environment

    env = current_environment()
    if env is None:
        raise NameError(
            f"Can't invoke function '{name}', as the proxy object has not yet been "
            "established for the EnvironmentContext.  Try placing this code inside a callable "
            "(env.py is meant to be run by a retort command, which establishes it)."
        )
    return getattr(env, name)
