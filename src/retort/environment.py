"""``retort.environment``: the spec's import path for :class:`EnvironmentContext`."""

from __future__ import annotations

from retort.runtime.environment import EnvironmentContext

__all__ = ["EnvironmentContext"]
