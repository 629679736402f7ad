"""Post-write hooks: run formatters / linters on a freshly written revision file.

Configured in the ini file's ``[post_write_hooks]`` section::

    [post_write_hooks]
    hooks = black, ruff
    black.type = console_scripts
    black.entrypoint = black
    black.options = -l 79 REVISION_SCRIPT_FILENAME
    ruff.type = module
    ruff.module = ruff
    ruff.options = check --fix REVISION_SCRIPT_FILENAME

or as ``[[tool.retort.post_write_hooks]]`` tables (with a ``name`` key) in
pyproject.toml.  Hook types live in one registry; :func:`register` adds one::

    @write_hooks.register("spaces_to_tabs")
    def convert(filename, options): ...
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import Any, Callable, Mapping, Sequence

from retort.util.exc import CommandError

__all__ = ["register", "REVISION_SCRIPT_FILENAME", "run_hooks", "hook_types"]

REVISION_SCRIPT_FILENAME = "REVISION_SCRIPT_FILENAME"

HookFn = Callable[[str, Mapping[str, Any]], Any]

_registry: dict[str, HookFn] = {}


def register(name: str) -> Callable[[HookFn], HookFn]:
    """Register ``fn(filename, options)`` as the hook type ``name``."""

    def decorate(fn: HookFn) -> HookFn:
        _registry[name] = fn
        return fn

    return decorate


def hook_types() -> list[str]:
    """Return the names of every registered hook type."""
    return sorted(_registry)


def _invoke(name: str, revision_path: str, options: Mapping[str, Any]) -> Any:
    try:
        hook = _registry[name]
    except KeyError:
        raise CommandError(
            f"No formatter with name {name!r} registered; known types: " + ", ".join(hook_types())
        ) from None
    return hook(revision_path, options)


def run_hooks(path: str, hooks: Sequence[Mapping[str, Any]], *, stdout: Any = None, quiet: bool = False) -> None:
    """Run each hook (a dict with ``_hook_name``, ``type`` and its options) on ``path``."""
    from retort.util.messaging import msg

    for opts in hooks:
        name = opts.get("_hook_name", opts.get("name", "?"))
        type_ = opts.get("type")
        if not type_:
            raise CommandError(f"Key {name}.type is required for post write hook {name!r}")
        msg(f"Running post write hook {name!r} ...", quiet=quiet, newline=False, stream=stdout)
        try:
            _invoke(type_, path, opts)
        except Exception:
            msg(" FAILED", quiet=quiet, stream=stdout)
            raise
        msg(" done", quiet=quiet, stream=stdout)


def _run_hooks(path: str, hook_config: Mapping[str, str] | Sequence[Mapping[str, Any]]) -> None:
    """Run hooks on ``path``: a ``[post_write_hooks]`` section (as a dict) or a hook list.

    A hook list is what :meth:`retort.config.Config.get_hooks_list` returns.
    """
    if not isinstance(hook_config, Mapping):
        run_hooks(path, hook_config)
        return
    names = [n for n in hook_config.get("hooks", "").replace(",", " ").split() if n]
    hooks = []
    for name in names:
        prefix = name + "."
        opts: dict[str, Any] = {k[len(prefix):]: v for k, v in hook_config.items() if k.startswith(prefix)}
        opts["_hook_name"] = name
        hooks.append(opts)
    run_hooks(path, hooks)


def _parse_cmdline_options(cmdline_options_str: str, path: str) -> list[str]:
    """Split ``options`` shell-style; the file name replaces REVISION_SCRIPT_FILENAME.

    Without the token, the file name goes first, so ``options = -l 79``
    still formats the new file.
    """
    if REVISION_SCRIPT_FILENAME not in cmdline_options_str:
        cmdline_options_str = REVISION_SCRIPT_FILENAME + " " + cmdline_options_str
    parts = shlex.split(cmdline_options_str, posix=os.name == "posix")
    return [part.replace(REVISION_SCRIPT_FILENAME, path) for part in parts]


def _cwd(options: Mapping[str, Any]) -> str | None:
    return options.get("cwd") or None


def _run(name: str, argv: list[str], options: Mapping[str, Any]) -> None:
    result = subprocess.run(argv, cwd=_cwd(options))
    if result.returncode != 0:
        raise CommandError(
            f"post write hook {name!r} failed with exit code {result.returncode}: " + " ".join(argv)
        )


def _required(options: Mapping[str, Any], key: str) -> str:
    name = options.get("_hook_name", "?")
    try:
        return options[key]
    except KeyError:
        raise CommandError(f"Key {name}.{key} is required for post write hook {name!r}") from None


@register("console_scripts")
def console_scripts(path: str, options: Mapping[str, Any], ignore_output: bool = False) -> None:
    """Run an installed console script (``entrypoint``) with the current interpreter."""
    from importlib.metadata import entry_points

    entrypoint_name = _required(options, "entrypoint")
    matches = entry_points(group="console_scripts", name=entrypoint_name)
    entry = next(iter(matches), None)
    if entry is None:
        raise CommandError(f"Could not find entrypoint console_scripts.{entrypoint_name}")
    module, _, attr = entry.value.partition(":")
    attr = attr.strip() or "main"
    code = f"import {module.strip()} as m, sys; sys.exit(m.{attr}())"
    argv = [sys.executable, "-c", code] + _parse_cmdline_options(options.get("options", ""), path)
    _run(options.get("_hook_name", entrypoint_name), argv, options)


@register("exec")
def exec_(path: str, options: Mapping[str, Any], ignore_output: bool = False) -> None:
    """Run an executable (``executable``, found on PATH or by path)."""
    executable = _required(options, "executable")
    argv = [executable] + _parse_cmdline_options(options.get("options", ""), path)
    try:
        _run(options.get("_hook_name", executable), argv, options)
    except FileNotFoundError:
        raise CommandError(f"post write hook executable {executable!r} not found") from None


@register("module")
def module(path: str, options: Mapping[str, Any], ignore_output: bool = False) -> None:
    """Run ``python -m <module>`` with the current interpreter."""
    module_name = _required(options, "module")
    argv = [sys.executable, "-m", module_name] + _parse_cmdline_options(options.get("options", ""), path)
    _run(options.get("_hook_name", module_name), argv, options)
