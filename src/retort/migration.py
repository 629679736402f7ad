"""``retort.migration``: the spec's import path for :class:`MigrationContext`."""

from __future__ import annotations

from retort.runtime.migration import MigrationContext

__all__ = ["MigrationContext"]
