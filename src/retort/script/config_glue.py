"""Read ScriptDirectory's options from a Config.

Kept apart from :mod:`retort.script.base` so the directory itself never
depends on how options are stored (ini, pyproject.toml, or an object that
only has Alembic's ``get_main_option``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from retort.util import pyfiles
from retort.util.exc import CommandError

__all__ = ["options_from_config"]


def _option(config: Any, name: str, default: Any = None) -> Any:
    for getter in ("get_retort_option", "get_alembic_option"):
        fn = getattr(config, getter, None)
        if fn is not None:
            return fn(name, default)
    return config.get_main_option(name, default)


def _flag(config: Any, name: str) -> bool:
    value = _option(config, name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "on", "1")


def _split_legacy(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [p for p in str(value).replace(",", " ").split() if p]


def options_from_config(config: Any) -> dict[str, Any]:
    """Return ScriptDirectory keyword arguments for ``config``; prepend ``prepend_sys_path`` to sys.path."""
    script_location = _option(config, "script_location")
    if not script_location:
        raise CommandError("No 'script_location' key found in configuration.")

    prepend = getattr(config, "get_prepend_sys_paths_list", None)
    paths = prepend() if prepend is not None else _split_legacy(_option(config, "prepend_sys_path") or "")
    for p in reversed(paths or []):
        p = os.path.abspath(p) if p != "." else p
        if p not in sys.path:
            sys.path.insert(0, p)

    loc_fn = getattr(config, "get_version_locations_list", None)
    if loc_fn is not None:
        version_locations = loc_fn()
    else:
        raw = _option(config, "version_locations")
        version_locations = _split_legacy(raw) if raw else None

    truncate = _option(config, "truncate_slug_length")
    try:
        truncate_len = int(truncate) if truncate not in (None, "") else 40
    except ValueError:
        raise CommandError("truncate_slug_length must be an integer, not %r" % (truncate,)) from None

    hooks_fn = getattr(config, "get_hooks_list", None)
    hooks = hooks_fn() if hooks_fn is not None else []

    return dict(
        dir=pyfiles.coerce_resource_to_filename(str(script_location)),
        file_template=_option(config, "file_template") or "%(rev)s_%(slug)s",
        truncate_slug_length=truncate_len,
        sourceless=_flag(config, "sourceless"),
        output_encoding=_option(config, "output_encoding") or "utf-8",
        version_locations=version_locations or None,
        timezone=_option(config, "timezone") or None,
        hooks=hooks,
        recursive_version_locations=_flag(config, "recursive_version_locations"),
        messaging_opts=getattr(config, "messaging_opts", None),
    )
