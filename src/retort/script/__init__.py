"""Revision files and the revision graph (``ScriptDirectory``, ``Script``, ``RevisionMap``)."""

from __future__ import annotations

from retort.script.base import Script, ScriptDirectory
from retort.script.revision import Revision, RevisionMap

__all__ = ["Script", "ScriptDirectory", "Revision", "RevisionMap"]
