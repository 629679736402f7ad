"""retort: a schema migration engine for SQLAlchemy.

``from retort import op, context`` resolves the :mod:`retort.op` and
:mod:`retort.context` proxy modules; nothing heavy is imported here so that
the command line starts quickly.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
