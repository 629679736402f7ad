"""Config: the ini file (``retort.ini`` / an Alembic ``alembic.ini``) and ``[tool.retort]``.

A :class:`Config` is what env.py sees as ``context.config`` and what every
function in :mod:`retort.command` takes.  It knows nothing of argparse: the
command line builds one and hands it the parsed namespace as ``cmd_opts``.

Two flavours of project are read the same way:

* a retort project: main section ``[retort]`` and/or ``[tool.retort]``;
* an Alembic project: main section ``[alembic]`` and/or ``[tool.alembic]``.
  ``flavor`` is then ``"alembic"`` and the runtime keeps using the
  ``alembic_version`` table, so both tools can run against one database.
"""

from __future__ import annotations

import os
import sys
from configparser import ConfigParser, Error as ConfigParserError
from typing import TYPE_CHECKING, Any, Mapping, TextIO

from retort.util.exc import ConfigError
from retort.util.messaging import msg

if TYPE_CHECKING:
    from argparse import Namespace

__all__ = ["Config", "CommandLine", "main", "DEFAULT_CONFIG_FILE", "CONFIG_ENV_VAR"]

DEFAULT_CONFIG_FILE = "retort.ini"
CONFIG_ENV_VAR = "RETORT_CONFIG"

#: main section names, in order of preference, when none is given explicitly
_MAIN_SECTIONS = ("retort", "alembic")

# path_separator values an ini file may name (TOML uses real lists instead)
_SEPARATORS = {
    "space": " ",
    "newline": "\n",
    "colon": ":",
    "semicolon": ";",
    "os": os.pathsep,
}


class Config:
    """Represent a retort (or Alembic) configuration.

    :param file_: path of the ini file; ``None`` for a configuration built in code.
    :param toml_file: a ``pyproject.toml`` whose ``[tool.retort]`` (or
        ``[tool.alembic]``) table holds source-code options.
    :param ini_section: the main section; by default ``[retort]``, or
        ``[alembic]`` when the file has only that one.
    :param output_buffer: where ``--sql`` output goes (env.py passes it on).
    :param stdout: stream for :meth:`print_stdout`.
    :param cmd_opts: the argparse namespace when run from the command line.
    :param config_args: extra ConfigParser defaults available to ``%(name)s``.
    :param attributes: free-form dictionary shared with env.py.
    """

    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
        ini_section: str | None = None,
        output_buffer: TextIO | None = None,
        stdout: TextIO | None = None,
        cmd_opts: Namespace | None = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.config_file_name = os.fspath(file_) if file_ is not None else None
        self.toml_file_name = os.fspath(toml_file) if toml_file is not None else None
        self._ini_section = ini_section
        self.output_buffer = output_buffer
        # resolved now, not at import, so a redirected sys.stdout is honoured
        self.stdout = stdout if stdout is not None else sys.stdout
        self.cmd_opts = cmd_opts
        self.config_args = dict(config_args or {})
        self._attributes = attributes
        self._file_config: ConfigParser | None = None
        self._toml: dict[str, Any] | None = None
        self._flavor: str | None = None

    # -- Alembic's attribute names ------------------------------------------------

    @property
    def file_(self) -> str | None:
        return self.config_file_name

    @property
    def toml_file(self) -> str | None:
        return self.toml_file_name

    @property
    def ini_section(self) -> str:
        """The main section's name (``retort`` unless the file has only ``[alembic]``)."""
        if self._ini_section is None:
            self._ini_section = self._guess_main_section()
        return self._ini_section

    @ini_section.setter
    def ini_section(self, value: str) -> None:
        self._ini_section = value

    @property
    def config_ini_section(self) -> str:
        return self.ini_section

    @config_ini_section.setter
    def config_ini_section(self, value: str) -> None:
        self._ini_section = value

    @property
    def attributes(self) -> dict[str, Any]:
        """A dictionary for passing objects (a connection, say) to env.py."""
        if self._attributes is None:
            self._attributes = {}
        return self._attributes

    @property
    def messaging_opts(self) -> dict[str, Any]:
        return {"quiet": bool(getattr(self.cmd_opts, "quiet", False))}

    @property
    def flavor(self) -> str:
        """``"alembic"`` for a project configured under ``[alembic]``, else ``"retort"``."""
        if self._flavor is None:
            self._flavor = self._guess_flavor()
        return self._flavor

    @flavor.setter
    def flavor(self, value: str) -> None:
        if value not in ("retort", "alembic"):
            raise ValueError(f"flavor must be 'retort' or 'alembic', not {value!r}")
        self._flavor = value

    # -- reading the files -----------------------------------------------------------

    @property
    def file_config(self) -> ConfigParser:
        """The parsed ini file, with ``here`` and ``config_args`` as defaults."""
        if self._file_config is None:
            self._file_config = self._read_ini()
        return self._file_config

    def _read_ini(self) -> ConfigParser:
        if self.config_file_name:
            here = os.path.abspath(os.path.dirname(self.config_file_name))
        else:
            here = os.getcwd()
        defaults = {"here": here, **{k: str(v) for k, v in self.config_args.items()}}
        parser = ConfigParser(defaults)
        if self.config_file_name:
            path = self.config_file_name
            try:
                with open(path, encoding="utf-8") as fh:
                    parser.read_file(fh, source=path)
            except FileNotFoundError:
                raise ConfigError(f"config file {path!r} not found", path=path) from None
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise ConfigError(f"cannot read config file {path!r}: {reason}", path=path) from None
            except ConfigParserError as exc:
                first = str(exc).splitlines()[0]
                raise ConfigError(f"config file {path!r} is not a valid ini file: {first}", path=path) from None
        else:
            parser.add_section(self.ini_section)
        return parser

    def _ini_sections(self) -> list[str]:
        if not self.config_file_name:
            return []
        try:
            return self.file_config.sections()
        except ConfigError:
            return []

    def _guess_main_section(self) -> str:
        sections = self._ini_sections()
        for name in _MAIN_SECTIONS:
            if name in sections:
                return name
        toml = self._toml_tables()
        if "retort" not in toml and "alembic" in toml:
            return "alembic"
        return "retort"

    def _guess_flavor(self) -> str:
        sections = self._ini_sections()
        if "retort" in sections:
            return "retort"
        if "alembic" in sections:
            return "alembic"
        if self._ini_section == "alembic":
            return "alembic"
        toml = self._toml_tables()
        if "retort" not in toml and "alembic" in toml:
            return "alembic"
        return "retort"

    def _toml_tables(self) -> dict[str, Any]:
        """``{"retort": {...}, "alembic": {...}}`` from pyproject's ``[tool]`` table."""
        if self._toml is None:
            self._toml = {}
            path = self.toml_file_name
            if path:
                import tomllib

                try:
                    with open(path, "rb") as fh:
                        data = tomllib.load(fh)
                except FileNotFoundError:
                    raise ConfigError(f"pyproject file {path!r} not found", path=path) from None
                except OSError as exc:
                    raise ConfigError(f"cannot read {path!r}: {exc.strerror or exc}", path=path) from None
                except tomllib.TOMLDecodeError as exc:
                    raise ConfigError(f"{path!r} is not valid TOML: {exc}", path=path) from None
                tool = data.get("tool", {})
                for name in _MAIN_SECTIONS:
                    if isinstance(tool.get(name), dict):
                        self._toml[name] = tool[name]
        return self._toml

    @property
    def toml_retort_config(self) -> dict[str, Any]:
        """The ``[tool.retort]`` table (or ``[tool.alembic]``), ``%(here)s`` not yet applied."""
        tables = self._toml_tables()
        return tables.get("retort", tables.get("alembic", {}))

    toml_alembic_config = toml_retort_config

    def _toml_here(self) -> str:
        assert self.toml_file_name
        return os.path.abspath(os.path.dirname(self.toml_file_name))

    def _toml_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("%(here)s", self._toml_here())
        if isinstance(value, list):
            return [self._toml_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._toml_value(v) for k, v in value.items()}
        return value

    # -- options ---------------------------------------------------------------------

    def get_section(self, name: str, default: dict[str, str] | None = None) -> dict[str, str] | None:
        """Return the ini section ``name`` as a dict (``here`` included), or ``default``."""
        if not self.file_config.has_section(name):
            return default
        try:
            return dict(self.file_config.items(name))
        except ConfigParserError as exc:
            raise ConfigError(
                f"config file {self.config_file_name!r}, section [{name}]: " + str(exc).splitlines()[0],
                path=self.config_file_name,
            ) from None

    def set_main_option(self, name: str, value: str) -> None:
        """Set ``name`` in the main section (escape a literal ``%`` as ``%%``)."""
        self.set_section_option(self.ini_section, name, value)

    def remove_main_option(self, name: str) -> None:
        self.file_config.remove_option(self.ini_section, name)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        """Set ``name`` in ``section``, creating the section if needed."""
        if not self.file_config.has_section(section):
            self.file_config.add_section(section)
        self.file_config.set(section, name, value)

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        """Return ``name`` from ``section``; raise ConfigError when the section is missing."""
        if not self.file_config.has_section(section):
            raise ConfigError(
                f"config file {self.config_file_name!r} has no [{section}] section",
                path=self.config_file_name,
                option=name,
            )
        if self.file_config.has_option(section, name):
            try:
                return self.file_config.get(section, name)
            except ConfigParserError as exc:
                raise ConfigError(
                    f"config file {self.config_file_name!r}, option {name!r} in [{section}]: "
                    + str(exc).splitlines()[0],
                    path=self.config_file_name,
                    option=name,
                ) from None
        return default

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        """Return ``name`` from the ini file's main section, or ``default``."""
        return self.get_section_option(self.ini_section, name, default)

    def get_retort_option(self, name: str, default: Any = None) -> Any:
        """Return a source-code option: ``[tool.retort]`` first, then the ini main section.

        TOML values keep their type (lists stay lists); ``%(here)s`` is
        replaced by the directory of pyproject.toml.
        """
        toml = self.toml_retort_config
        if name in toml:
            return self._toml_value(toml[name])
        if self.config_file_name is None:
            return self.get_main_option(name, default)
        if toml and not os.path.exists(self.config_file_name):
            # a pyproject-only project needs no ini file at all
            return default
        if toml and not self.file_config.has_section(self.ini_section):
            return default
        return self.get_main_option(name, default)

    get_alembic_option = get_retort_option

    def get_retort_boolean_option(self, name: str, default: bool = False) -> bool:
        """Return a true/false option (``true``, ``yes``, ``on``, ``1``)."""
        value = self.get_retort_option(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "yes", "on", "1")

    get_alembic_boolean_option = get_retort_boolean_option

    def _get_list(self, name: str, legacy_separator_option: str | None = None) -> list[str]:
        value = self.get_retort_option(name)
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        sep_name = self.get_retort_option("path_separator")
        if sep_name is None and legacy_separator_option:
            sep_name = self.get_retort_option(legacy_separator_option)
        if sep_name is None:
            # legacy behaviour: split on spaces and commas
            return [p for p in value.replace(",", " ").split() if p]
        try:
            sep = _SEPARATORS[sep_name.strip()]
        except KeyError:
            raise ConfigError(
                f"config file {self.config_file_name!r}: path_separator {sep_name!r} is not one of "
                + ", ".join(_SEPARATORS),
                path=self.config_file_name,
                option="path_separator",
            ) from None
        if sep == "\n":
            return [p.strip() for p in value.splitlines() if p.strip()]
        return [p.strip() for p in value.split(sep) if p.strip()]

    def get_version_locations_list(self) -> list[str] | None:
        """Return ``version_locations`` split per ``path_separator`` (None when unset)."""
        if self.get_retort_option("version_locations") is None:
            return None
        return self._get_list("version_locations", "version_path_separator")

    def get_prepend_sys_paths_list(self) -> list[str]:
        """Return ``prepend_sys_path`` split per ``path_separator``."""
        return self._get_list("prepend_sys_path")

    def get_hooks_list(self) -> list[dict[str, Any]]:
        """Return the post-write hooks, each a dict with ``_hook_name`` and its options."""
        toml_hooks = self.toml_retort_config.get("post_write_hooks")
        if isinstance(toml_hooks, list):
            hooks = []
            for entry in self._toml_value(toml_hooks):
                entry = dict(entry)
                entry["_hook_name"] = entry.pop("name", entry.get("type", "hook"))
                hooks.append(entry)
            return hooks
        section = self.get_section("post_write_hooks") if self.config_file_name else None
        if not section:
            return []
        names = [n for n in section.get("hooks", "").replace(",", " ").split() if n]
        hooks = []
        for hook_name in names:
            prefix = hook_name + "."
            opts: dict[str, Any] = {
                key[len(prefix):]: value for key, value in section.items() if key.startswith(prefix)
            }
            opts["_hook_name"] = hook_name
            hooks.append(opts)
        return hooks

    # -- output ----------------------------------------------------------------------

    def print_stdout(self, text: str, *arg: Any) -> None:
        """Write ``text % arg`` and a newline to stdout, unless ``-q`` was given."""
        if arg:
            text = text % arg
        msg(text, quiet=self.messaging_opts["quiet"], stream=self.stdout)

    def get_template_directory(self) -> str:
        """Return the directory holding retort's ``init`` templates."""
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

    def require_script_location(self) -> str:
        """Return ``script_location`` or raise ConfigError naming the file."""
        value = self.get_retort_option("script_location")
        if not value:
            where = self.config_file_name or self.toml_file_name or "(no config file)"
            section = f"[{self.ini_section}]"
            raise ConfigError(
                f"no 'script_location' option in {section} of config file {where!r}",
                path=where,
                option="script_location",
            )
        return value

    def __repr__(self) -> str:
        return f"<Config file={self.config_file_name!r} section={self._ini_section!r}>"



def main(argv: list[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """Run the command line (``alembic.config.main`` in Alembic); see :mod:`retort.cli`."""
    from retort.cli import main as cli_main

    cli_main(argv=argv, prog=prog, **kwargs)


def __getattr__(name: str) -> Any:
    # ``from alembic.config import CommandLine`` keeps working without this
    # module importing argparse for everyone who only needs Config
    if name == "CommandLine":
        from retort.cli import CommandLine

        return CommandLine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
