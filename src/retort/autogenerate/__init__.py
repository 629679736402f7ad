"""Autogenerate: compare a MetaData with a database, produce operations, render them as Python.

``from retort.autogenerate import compare_metadata, produce_migrations,
render_python_code, comparators, renderers, Rewriter, AutogenContext``.
Rendering (``renderers``, ``render_python_code``) and the ``Rewriter`` live in
their own modules and are imported on first use.
"""

from __future__ import annotations

from typing import Any

from .api import AutogenContext, compare_metadata, produce_migrations, render_python_code
from .compare import comparators

__all__ = [
    "AutogenContext",
    "compare_metadata",
    "produce_migrations",
    "render_python_code",
    "comparators",
    "renderers",
    "Rewriter",
    "RevisionContext",
]

_LAZY = {
    "renderers": ("retort.autogenerate.render", "renderers"),
    "Rewriter": ("retort.autogenerate.rewriter", "Rewriter"),
    "RevisionContext": ("retort.autogenerate.revision_context", "RevisionContext"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'retort.autogenerate' has no attribute {name!r}")
