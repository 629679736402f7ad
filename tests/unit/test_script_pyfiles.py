"""retort.util.pyfiles: loading Python files and rendering Mako templates, with errors naming the file."""

from __future__ import annotations

import os
import sys

import pytest

from retort.util import pyfiles
from retort.util.exc import CommandError, ScriptFileError


def test_load_module(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("VALUE = 41 + 1\n")
    module = pyfiles.load_module_py("retort_test_pyfiles_mod", str(path))
    assert module.VALUE == 42
    assert sys.modules["retort_test_pyfiles_mod"] is module


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("x = 1\ndef broken(:\n")
    with pytest.raises(ScriptFileError) as exc:
        pyfiles.load_module_py("retort_test_pyfiles_bad", str(path))
    assert exc.value.path == str(path)
    assert str(path) in str(exc.value) and "line 2" in str(exc.value)
    assert "retort_test_pyfiles_bad" not in sys.modules


def test_import_error_names_file(tmp_path):
    path = tmp_path / "imports.py"
    path.write_text("import retort_no_such_module_anywhere\n")
    with pytest.raises(ScriptFileError, match="imports.py.*ModuleNotFoundError"):
        pyfiles.load_module_py("retort_test_pyfiles_imp", str(path))


def test_command_errors_pass_through(tmp_path):
    path = tmp_path / "raises.py"
    path.write_text("from retort.util.exc import CommandError\nraise CommandError('told you')\n")
    with pytest.raises(CommandError, match="^told you$"):
        pyfiles.load_module_py("retort_test_pyfiles_cmd", str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ScriptFileError, match="gone.py"):
        pyfiles.load_python_file(str(tmp_path), "gone.py")


def test_load_legacy_pyc(tmp_path):
    import py_compile

    src = tmp_path / "compiled.py"
    src.write_text("VALUE = 'from bytecode'\n")
    py_compile.compile(str(src), cfile=str(tmp_path / "compiled.pyc"))
    src.unlink()
    assert pyfiles.load_python_file(str(tmp_path), "compiled.py").VALUE == "from bytecode"


def test_render_template(tmp_path):
    template = tmp_path / "t.mako"
    template.write_text("hello ${name | comma,n}!\n")
    out = tmp_path / "out.txt"
    pyfiles.template_to_file(str(template), str(out), "utf-8", name=("a", "b"), comma=", ".join)
    assert out.read_text() == "hello a, b!\n"


def test_render_error_names_template_and_line(tmp_path):
    template = tmp_path / "t.mako"
    template.write_text("line one\n${undefined_thing.attr}\n")
    with pytest.raises(ScriptFileError) as exc:
        pyfiles.render_template(str(template))
    assert str(template) in str(exc.value)
    assert exc.value.path == str(template)


def test_coerce_resource_to_filename():
    import retort

    assert pyfiles.coerce_resource_to_filename("some/dir") == "some/dir"
    assert pyfiles.coerce_resource_to_filename("/abs/dir") == "/abs/dir"
    path = pyfiles.coerce_resource_to_filename("retort:templates")
    assert path == os.path.join(os.path.dirname(retort.__file__), "templates")
    with pytest.raises(CommandError, match="retort_no_such_pkg"):
        pyfiles.coerce_resource_to_filename("retort_no_such_pkg:migrations")
