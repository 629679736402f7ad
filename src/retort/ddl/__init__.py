"""SQLAlchemy objects → DDL for one dialect (``retort.ddl.impl.DefaultImpl`` and one module per dialect).

``from retort.ddl import DefaultImpl`` and ``retort.ddl.<dialect>`` work as in
``alembic.ddl``; both are imported on first use so ``import retort.ddl`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DefaultImpl"]

_SUBMODULES = frozenset({"compare", "elements", "impl", "mssql", "mysql", "oracle", "postgresql", "sqlite"})


def __getattr__(name: str) -> Any:
    if name == "DefaultImpl":
        from retort.ddl.impl import DefaultImpl

        return DefaultImpl
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
