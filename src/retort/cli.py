"""The ``retort`` command line: argparse built from the functions of :mod:`retort.command`.

Each public function of :mod:`retort.command` whose first argument is a
Config becomes a subcommand; its keyword arguments become options, its
other arguments positionals, and the first line of its docstring the help.
A :class:`~retort.util.exc.CommandError` (or any error while running) is
printed as one line on stderr with exit code 1; ``--raiseerr`` shows the
traceback instead.

Start-up time is a feature: this module imports only argparse, and
:mod:`retort.command` defers everything heavy (SQLAlchemy, Mako, the
script and runtime layers) to the body of each command.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Sequence

from retort import __version__

__all__ = ["CommandLine", "main"]

# How each known parameter of a command function appears on the command line.
_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "template": (("-t", "--template"), {"default": "generic", "help": 'Setup template for use with \'init\' (default "generic")'}),
    "message": (("-m", "--message"), {"help": "Message string to use with 'revision'"}),
    "sql": (("--sql",), {"action": "store_true", "help": "Don't emit SQL to database - dump to standard output/file instead. See docs on offline mode."}),
    "tag": (("--tag",), {"help": "Arbitrary 'tag' name - can be used by custom env.py scripts."}),
    "head": (("--head",), {"help": "Specify head revision or <branchname>@head to base new revision on."}),
    "splice": (("--splice",), {"action": "store_true", "help": "Allow a non-head revision as the 'head' to splice onto"}),
    "depends_on": (("--depends-on",), {"action": "append", "help": "Specify one or more revision identifiers which this revision should depend on."}),
    "rev_id": (("--rev-id",), {"help": "Specify a hardcoded revision id instead of generating one"}),
    "version_path": (("--version-path",), {"help": "Specify specific path from config for version file"}),
    "branch_label": (("--branch-label",), {"help": "Specify a branch label to apply to the new revision"}),
    "verbose": (("-v", "--verbose"), {"action": "store_true", "help": "Use more verbose output"}),
    "resolve_dependencies": (("--resolve-dependencies",), {"action": "store_true", "help": "Treat dependency versions as down revisions"}),
    "autogenerate": (("--autogenerate",), {"action": "store_true", "help": "Populate revision script with candidate migration operations, based on comparison of database to model."}),
    "rev_range": (("-r", "--rev-range"), {"help": "Specify a revision range; format is [start]:[end]"}),
    "indicate_current": (("-i", "--indicate-current"), {"action": "store_true", "help": "Indicate the current revision"}),
    "purge": (("--purge",), {"action": "store_true", "help": "Unconditionally erase the version table before stamping"}),
    "package": (("--package",), {"action": "store_true", "help": "Write empty __init__.py files to the environment and version locations"}),
    "check_heads": (("-c", "--check-heads"), {"action": "store_true", "help": "Check if all head revisions are applied to the database. Exit with an error code if this is not the case."}),
}

_POSITIONALS: dict[str, dict[str, Any]] = {
    "directory": {"help": "location of scripts directory"},
    "revision": {"help": "revision identifier"},
    "revisions": {"nargs": "+", "help": "one or more revisions, or 'heads' for all heads"},
    "rev": {"help": "revision identifier"},
}

# positionals that take several values on the command line (Alembic's stamp)
_POSITIONAL_TRANSLATIONS: dict[str, dict[str, str]] = {"stamp": {"revision": "revisions"}}

# parameters a command function takes that the command line never sets
_NOT_ON_CLI = {"process_revision_directives"}


def _default_config_file() -> str:
    """``$RETORT_CONFIG``, else ``retort.ini``; without one, an Alembic project's config.

    An Alembic project (no retort.ini) is found the way alembic finds it:
    ``$ALEMBIC_CONFIG``, else ``alembic.ini``.
    """
    env = os.environ.get("RETORT_CONFIG")
    if env:
        return env
    if not os.path.exists("retort.ini"):
        alembic_env = os.environ.get("ALEMBIC_CONFIG")
        if alembic_env:
            return alembic_env
        if os.path.exists("alembic.ini"):
            return "alembic.ini"
    return "retort.ini"


_columns: int | None = None


def _terminal_columns() -> int:
    # shutil.get_terminal_size() without importing shutil (and its bz2 / lzma
    # imports), asked once per process instead of once per add_argument()
    global _columns
    if _columns is None:
        try:
            _columns = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            _columns = 0
        if _columns <= 0:
            try:
                _columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                _columns = 0
            _columns = _columns or 80
    return _columns


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, with the terminal width looked up once."""

    def __init__(self, prog: str, *args: Any, **kwargs: Any) -> None:
        if len(args) < 3 and kwargs.get("width") is None:
            kwargs["width"] = _terminal_columns() - 2
        super().__init__(prog, *args, **kwargs)


class _Retry(Exception):
    """Raised instead of printing a usage error while parsing with a one-command parser."""


class _OneCommandParser(argparse.ArgumentParser):
    # A usage error must read exactly as from the full parser (which lists
    # every command), so the one-command parser hands errors back instead.
    def error(self, message: str) -> Any:
        raise _Retry(message)


# Global options that may precede the command, and whether they take a value.
# Anything else there (-h, --version, abbreviations, bundled flags) means the
# full parser is needed.
_GLOBAL_OPTIONS = {"-c": True, "--config": True, "-n": True, "--name": True, "-x": True,
                   "--raiseerr": False, "-q": False, "--quiet": False}


def _command_name(argv: Sequence[str], known: Sequence[str]) -> str | None:
    """The command named in ``argv`` when only plain global options precede it."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "-":
            return arg if arg in known else None
        takes_value = _GLOBAL_OPTIONS.get(arg)
        if takes_value is None:
            if arg.startswith(("--config=", "--name=")) or (
                arg[:2] in ("-c", "-n", "-x") and len(arg) > 2 and not arg.startswith("--")
            ):
                i += 1  # the value is attached
                continue
            return None
        i += 2 if takes_value else 1
    return None


class CommandLine:
    """The ``retort`` command line; ``register_command(fn)`` adds a subcommand.

    :attr:`parser` (every command) is built on first use; :meth:`main`
    builds only the command it is asked to run when that is unambiguous,
    because building ~20 sub-parsers is most of the command line's start-up
    cost.  Any usage error is reported by the full parser, word for word.
    """

    def __init__(self, prog: str | None = None) -> None:
        self.prog = prog
        self._parser: argparse.ArgumentParser | None = None
        self._subparsers: Any = None

    @property
    def parser(self) -> argparse.ArgumentParser:
        """The argparse parser with every command of :mod:`retort.command`."""
        if self._parser is None:
            from retort import command

            self._parser, self._subparsers = self._new_parser(argparse.ArgumentParser)
            for name in sorted(command.__all__):
                self.register_command(getattr(command, name))
        return self._parser

    @parser.setter
    def parser(self, value: argparse.ArgumentParser) -> None:
        self._parser = value

    @property
    def subparsers(self) -> Any:
        """The parser's sub-parsers action (``register_command`` adds to it)."""
        self.parser
        return self._subparsers

    @subparsers.setter
    def subparsers(self, value: Any) -> None:
        self._subparsers = value

    def _new_parser(self, cls: type[argparse.ArgumentParser]) -> tuple[argparse.ArgumentParser, Any]:
        parser = cls(prog=self.prog, formatter_class=_HelpFormatter)
        parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
        parser.add_argument(
            "-c",
            "--config",
            action="append",
            help='Alternate config file; defaults to the value of the RETORT_CONFIG environment '
            'variable, or "retort.ini" (an Alembic project\'s ALEMBIC_CONFIG / "alembic.ini" when '
            "there is no retort.ini). May also refer to a pyproject.toml file; may be given "
            "twice to name both files",
        )
        parser.add_argument("-n", "--name", help="Name of the section in the .ini file to use as the main section")
        parser.add_argument(
            "-x",
            action="append",
            help="Additional arguments consumed by custom env.py scripts, e.g. -x setting1=somesetting -x setting2=somesetting",
        )
        parser.add_argument("--raiseerr", action="store_true", help="Raise a full stack trace on error")
        parser.add_argument("-q", "--quiet", action="store_true", help="Do not log to std output.")
        return parser, parser.add_subparsers()

    def _parse(self, argv: Sequence[str] | None) -> argparse.Namespace:
        args = list(sys.argv[1:] if argv is None else argv)
        if self._parser is None:  # nobody has customised or asked for the full parser
            from retort import command

            name = _command_name(args, command.__all__)
            if name is not None:
                parser, subparsers = self._new_parser(_OneCommandParser)
                self._add_command(subparsers, getattr(command, name))
                try:
                    return parser.parse_args(args)
                except _Retry:
                    pass  # the full parser below reports it
        return self.parser.parse_args(args)

    def register_command(self, fn: Callable[..., Any]) -> None:
        """Add ``fn(config, ...)`` as a subcommand named after the function."""
        self._add_command(self.subparsers, fn)

    @staticmethod
    def _add_command(subparsers: Any, fn: Callable[..., Any]) -> None:
        code = fn.__code__
        names = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
        n_defaults = len(fn.__defaults__ or ())
        n_positional = code.co_argcount - 1 - n_defaults
        positional = list(names[:n_positional])
        kwargs = [n for n in names[n_positional:] if n not in _NOT_ON_CLI]
        help_text = (fn.__doc__ or "").strip().split("\n")[0]
        sub = subparsers.add_parser(
            fn.__name__, help=help_text, description=help_text, formatter_class=_HelpFormatter
        )
        for arg in kwargs:
            if arg in _OPTIONS:
                flags, opts = _OPTIONS[arg]
                sub.add_argument(*flags, dest=arg, **opts)
        translations = _POSITIONAL_TRANSLATIONS.get(fn.__name__, {})
        for arg in positional:
            shown = translations.get(arg, arg)
            opts = dict(_POSITIONALS.get(shown, {"help": shown}))
            if shown != arg:
                opts["metavar"] = shown
            sub.add_argument(arg, **opts)
        sub.set_defaults(cmd=(fn, positional, kwargs))

    def run_cmd(self, config: Any, options: argparse.Namespace) -> None:
        """Call the chosen command; errors become one line on stderr and exit code 1."""
        fn, positional, kwargs = options.cmd
        try:
            fn(
                config,
                *[getattr(options, k, None) for k in positional],
                **{k: getattr(options, k, None) for k in kwargs},
            )
        except KeyboardInterrupt:
            if options.raiseerr:
                raise
            from retort.util.messaging import err

            err("FAILED: interrupted")
            sys.exit(130)
        except BrokenPipeError:
            # "retort history | head": the reader left; say nothing more
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if options.raiseerr:
                raise
            from retort.util.exc import CommandError
            from retort.util.messaging import err

            text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            if not isinstance(exc, CommandError):
                text = f"{type(exc).__name__}: {text} (run with --raiseerr for the traceback)"
            err(f"FAILED: {text}")
            sys.exit(1)

    def main(self, argv: Sequence[str] | None = None) -> None:
        """Parse ``argv`` (default ``sys.argv[1:]``) and run the command."""
        options = self._parse(argv)
        if not hasattr(options, "cmd"):
            # no subcommand given: argparse's own usage line and exit code 2
            self.parser.error("too few arguments")
        from retort.config import Config

        ini_file, toml_file = _split_config_files(options.config or [])
        if ini_file is None:
            ini_file = _default_config_file()
        if toml_file is None and os.path.exists("pyproject.toml"):
            toml_file = "pyproject.toml"
        cfg = Config(file_=ini_file, toml_file=toml_file, ini_section=options.name, cmd_opts=options)
        self.run_cmd(cfg, options)


def _split_config_files(files: Sequence[str]) -> tuple[str | None, str | None]:
    ini = toml = None
    for name in files:
        if name.endswith(".toml"):
            toml = name
        else:
            ini = name
    return ini, toml


def main(argv: Sequence[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """Run the ``retort`` command line (the console script and ``python -m retort``)."""
    CommandLine(prog=prog or "retort").main(argv=argv)


if __name__ == "__main__":
    main()
