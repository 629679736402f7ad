"""Load env.py / revision files as modules, and render Mako templates.

Both report failures as :class:`~retort.util.exc.ScriptFileError` naming the
file (and the line, for a syntax error), so the CLI can print one clear line.
Mako is imported only when a template is rendered.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import sys
from types import ModuleType
from typing import Any

from retort.util.exc import CommandError, ScriptFileError

__all__ = ["load_module_py", "load_python_file", "pyc_file_from_path", "render_template", "template_to_file", "coerce_resource_to_filename"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        where = "line %s" % exc.lineno if exc.lineno else "unknown line"
        return "%s: %s" % (where, exc.msg)
    return "%s: %s" % (type(exc).__name__, exc)


def load_module_py(module_id: str, path: str | os.PathLike[str]) -> ModuleType:
    """Import the Python source or bytecode file at ``path`` as module ``module_id``.

    ``import alembic`` / ``from alembic import op`` in the file resolve to
    retort's modules (:mod:`retort.util.alembic_alias`), so an Alembic
    project's files bind retort's ``op`` and ``context`` whenever they are
    imported — while the graph is read as well as while migrations run.

    :raises ScriptFileError: the file is missing, has a syntax error, or raises
        while being imported; the message names the file.
    """
    return _load(module_id, os.fspath(path), runs=False)


def _load(module_id: str, path: str, *, runs: bool) -> ModuleType:
    """Import ``path``; ``runs``: importing it is running it (env.py), so say "failed", not "import"."""
    from retort.util.alembic_alias import alembic_alias

    if path.endswith((".pyc", ".pyo")):
        loader: Any = importlib.machinery.SourcelessFileLoader(module_id, path)
        spec = importlib.util.spec_from_file_location(module_id, path, loader=loader)
    else:
        spec = importlib.util.spec_from_file_location(module_id, path)
    if spec is None or spec.loader is None:
        raise ScriptFileError("Could not load %s: not a Python file" % path, path=path)
    module = importlib.util.module_from_spec(spec)
    # in sys.modules while it runs, so dataclasses / typing in the file resolve
    # their own module; names are unique per file, so nothing is shadowed
    sys.modules[module_id] = module
    try:
        with alembic_alias():
            spec.loader.exec_module(module)
    except FileNotFoundError as exc:
        sys.modules.pop(module_id, None)
        raise ScriptFileError("Could not read %s: %s" % (path, exc.strerror or exc), path=path) from exc
    except CommandError:
        sys.modules.pop(module_id, None)
        raise
    except (Exception, SystemExit) as exc:
        sys.modules.pop(module_id, None)
        if runs and not _import_failure(exc, path):
            # env.py imported fine and then raised while running (a refused
            # connection, a bad URL, a bug in a hook): not an import problem
            raise ScriptFileError("%s failed: %s" % (path, _describe(exc)), path=path) from exc
        raise ScriptFileError("Could not import %s: %s" % (path, _describe(exc)), path=path) from exc
    return module


def _import_failure(exc: BaseException, path: str) -> bool:
    """Tell whether ``exc`` means ``path`` could not be imported, rather than failed while running.

    A syntax error in the file itself, or an ImportError raised by one of the
    file's own ``import`` statements: after the file's last frame, only the
    import machinery (and retort's alembic alias finder) is on the traceback.
    """
    if isinstance(exc, SyntaxError):
        return not exc.filename or os.path.abspath(exc.filename) == os.path.abspath(path)
    if not isinstance(exc, ImportError):
        return False
    frames: list[str] = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    target = os.path.abspath(path)
    last_own = max((i for i, f in enumerate(frames) if os.path.abspath(f) == target), default=None)
    if last_own is None:
        return True  # raised before the file's code ran at all
    return all(
        f.startswith("<frozen importlib") or f.endswith(os.path.join("util", "alembic_alias.py"))
        for f in frames[last_own + 1:]
    )


def load_python_file(dir_: str, filename: str) -> ModuleType:
    """Load ``dir_/filename`` (or its legacy .pyc beside it) under a name derived from the file.

    This runs the file (``env.py``): an error raised while it runs is reported
    as ``<path> failed: <error>``; ``Could not import <path>`` is kept for a
    syntax error or a failed ``import`` in the file itself.
    """
    module_id = re.sub(r"\W", "_", filename)
    path = os.path.join(dir_, filename)
    base, ext = os.path.splitext(filename)
    if ext == ".py":
        if os.path.exists(path):
            return _load(module_id, path, runs=True)
        pyc = pyc_file_from_path(path)
        if pyc is None:
            raise ScriptFileError("Can't find Python file %s" % path, path=path)
        return _load(module_id, pyc, runs=True)
    if ext in (".pyc", ".pyo"):
        return _load(module_id, path, runs=True)
    raise ScriptFileError("Not a Python file: %s" % path, path=path)


def pyc_file_from_path(path: str) -> str | None:
    """Return the bytecode file for source ``path`` that exists: legacy beside it, or in __pycache__."""
    candidate = os.path.splitext(path)[0] + ".pyc"
    if os.path.exists(candidate):
        return candidate
    cached = importlib.util.cache_from_source(path)
    if os.path.exists(cached):
        return cached
    return None


def render_template(template_path: str, **kw: Any) -> str:
    """Render the Mako template at ``template_path`` with ``kw`` as its context.

    :raises CommandError: the template fails to render; names the template and
        the line of the template where it failed.
    """
    from mako.template import Template  # lazily: only when writing a file

    try:
        with open(template_path, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ScriptFileError("Could not read template %s: %s" % (template_path, exc), path=template_path) from exc
    try:
        template = Template(text, filename=template_path)
        return template.render_unicode(**kw)
    except Exception as exc:
        from mako import exceptions

        detail = _describe(exc)
        try:
            tb = exceptions.RichTraceback()
            for filename, lineno, _fn, _line in reversed(tb.traceback):
                if filename == template_path:
                    detail = "line %s: %s" % (lineno, detail)
                    break
        except Exception:  # the rich traceback is a nicety; never mask the real error
            pass
        raise ScriptFileError("Template rendering failed for %s: %s" % (template_path, detail), path=template_path) from exc


def template_to_file(template_file: str, dest: str, output_encoding: str = "utf-8", **kw: Any) -> None:
    """Render ``template_file`` into ``dest``, encoded as ``output_encoding``."""
    text = render_template(template_file, **kw)
    with open(dest, "wb") as f:
        f.write(text.encode(output_encoding))


def coerce_resource_to_filename(fname: str) -> str:
    """Turn ``package:dir`` into a filesystem path; other strings are returned as-is."""
    if os.path.isabs(fname) or ":" not in fname or (len(fname) > 1 and fname[1] == ":" and os.name == "nt"):
        return fname
    package, _, resource = fname.partition(":")
    if not package or "/" in package or "\\" in package:
        return fname
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise CommandError("Can't locate package %s for script_location %s" % (package, fname))
    if spec.submodule_search_locations:
        base = list(spec.submodule_search_locations)[0]
    elif spec.origin:
        base = os.path.dirname(spec.origin)
    else:
        raise CommandError("Package %s has no location on disk (script_location %s)" % (package, fname))
    return os.path.join(base, resource)
