"""Re-export of :mod:`retort.util.alembic_alias` (its home before the script layer needed it too)."""

from __future__ import annotations

from retort.util.alembic_alias import AlembicAliasFinder, alembic_alias, target_name

__all__ = ["alembic_alias", "AlembicAliasFinder", "target_name"]
