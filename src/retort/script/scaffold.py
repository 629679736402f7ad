"""Write a new migration environment (what ``init`` does) from one of the templates."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

from retort.util.exc import CommandError

if TYPE_CHECKING:
    from retort.config import Config

__all__ = ["write_environment"]


def write_environment(config: Config, directory: str, template: str = "generic", package: bool = False) -> None:
    """Create ``directory`` from ``template`` and the config file beside it (unless present).

    :param config: the Config whose file name decides where the ini / pyproject goes.
    :param directory: the new script directory; must be absent or empty.
    :param template: a folder name under :meth:`Config.get_template_directory`.
    :param package: also write ``__init__.py`` files.
    """
    template = template or "generic"
    if os.path.isdir(directory) and os.listdir(directory):
        raise CommandError(f"Directory {directory} already exists and is not empty")
    template_dir = os.path.join(config.get_template_directory(), template)
    if not os.path.isdir(template_dir):
        known = ", ".join(sorted(os.listdir(config.get_template_directory())))
        raise CommandError(f"No such template {template!r}; available templates: {known}")

    ini_path = os.path.abspath(config.config_file_name or "retort.ini")
    toml_path = os.path.abspath(config.toml_file_name or os.path.join(os.path.dirname(ini_path), "pyproject.toml"))
    script_location = _script_location_value(directory, os.path.dirname(ini_path))

    versions = os.path.join(directory, "versions")
    for path in (directory, versions):
        if not os.path.isdir(path):
            _status(config, f"Creating directory {os.path.abspath(path)}", lambda p=path: os.makedirs(p))

    values = {"script_location": script_location}
    for name in sorted(os.listdir(template_dir)):
        source = os.path.join(template_dir, name)
        if name.endswith(".ini.mako"):
            if os.path.exists(ini_path):
                config.print_stdout("File %s already exists, skipping", ini_path)
            else:
                _status(config, f"Generating {ini_path}", lambda s=source: _render_to(s, ini_path, values))
        elif name == "pyproject.toml.mako":
            if _has_tool_table(toml_path):
                config.print_stdout("File %s already has a [tool.retort] table, skipping", toml_path)
            else:
                _status(config, f"Generating {toml_path}", lambda s=source: _render_to(s, toml_path, values))
        elif os.path.isfile(source):
            import shutil

            dest = os.path.abspath(os.path.join(directory, name))
            _status(config, f"Generating {dest}", lambda s=source, d=dest: shutil.copyfile(s, d))

    if package:
        for path in (directory, versions):
            init_py = os.path.abspath(os.path.join(path, "__init__.py"))
            _status(config, f"Adding {init_py}", lambda p=init_py: open(p, "w").close())

    config.print_stdout("Please edit configuration/connection/logging settings in %s before proceeding.", ini_path)



def _status(config: Config, text: str, fn: Callable[[], Any]) -> None:
    """Print ``text ...  done`` around ``fn()``, as Alembic's init does."""
    from retort.util.messaging import msg

    quiet = config.messaging_opts["quiet"]
    msg(f"{text} ...", quiet=quiet, newline=False, stream=config.stdout)
    fn()
    msg("  done", quiet=quiet, stream=config.stdout)


def _script_location_value(directory: str, config_dir: str) -> str:
    """``%(here)s/<dir>`` when the scripts live under the config file's directory."""
    rel = os.path.relpath(os.path.abspath(directory), config_dir)
    if rel == ".":
        return "%(here)s"
    if not rel.startswith(".."):
        return "%(here)s/" + rel.replace(os.sep, "/")
    return os.path.abspath(directory)


def _render_to(template: str, dest: str, values: dict[str, Any]) -> None:
    """Render ``template`` into ``dest``, appending (after a blank line) to an existing file."""
    from mako.template import Template

    text = Template(filename=template).render_unicode(**values)
    existing = ""
    if os.path.exists(dest):
        with open(dest, encoding="utf-8") as fh:
            existing = fh.read()
    if existing.strip():
        text = existing + ("\n" if existing.endswith("\n") else "\n\n") + text
    with open(dest, "w", encoding="utf-8") as fh:
        fh.write(text)


def _has_tool_table(path: str) -> bool:
    import tomllib

    try:
        with open(path, "rb") as fh:
            tool = tomllib.load(fh).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "retort" in tool or "alembic" in tool
