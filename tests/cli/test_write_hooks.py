"""Post-write hooks: console_scripts, exec, module, and the registry."""

from __future__ import annotations

import sys

import pytest

from retort.script import write_hooks
from retort.util.exc import CommandError


def test_builtin_hook_types():
    assert {"console_scripts", "exec", "module"} <= set(write_hooks.hook_types())


def test_register_custom_hook(tmp_path):
    seen = []

    @write_hooks.register("record_test_hook")
    def record(path, options):
        seen.append((path, options["flag"]))

    write_hooks.run_hooks(str(tmp_path / "f.py"), [{"_hook_name": "rec", "type": "record_test_hook", "flag": "1"}], quiet=True)
    assert seen == [(str(tmp_path / "f.py"), "1")]


def test_exec_hook_replaces_filename(tmp_path):
    target = tmp_path / "rev.py"
    target.write_text("x = 1\n")
    script = tmp_path / "hook.py"
    script.write_text("import sys\nopen(sys.argv[2], 'a').write('# touched ' + sys.argv[1] + '\\n')\n")
    write_hooks._run_hooks(
        str(target),
        {"hooks": "touch", "touch.type": "exec", "touch.executable": sys.executable,
         "touch.options": f"{script} --flag REVISION_SCRIPT_FILENAME"},
    )
    assert target.read_text() == "x = 1\n# touched --flag\n"


def test_module_hook_runs_python_m(tmp_path):
    target = tmp_path / "rev.py"
    target.write_text("x=1\n")
    # py_compile accepts the file name as its argument and fails on bad syntax
    write_hooks.run_hooks(str(target), [{"_hook_name": "c", "type": "module", "module": "py_compile"}], quiet=True)
    target.write_text("x = (\n")
    with pytest.raises(CommandError, match="post write hook 'c' failed"):
        write_hooks.run_hooks(str(target), [{"_hook_name": "c", "type": "module", "module": "py_compile"}], quiet=True)


def test_console_scripts_hook_finds_entrypoint(tmp_path):
    target = tmp_path / "rev.py"
    target.write_text("x = 1\n")
    # the retort console script itself: "retort --version" exits 0
    write_hooks.run_hooks(
        str(target),
        [{"_hook_name": "r", "type": "console_scripts", "entrypoint": "retort", "options": "--version REVISION_SCRIPT_FILENAME"}],
        quiet=True,
    )


def test_console_scripts_unknown_entrypoint(tmp_path):
    with pytest.raises(CommandError, match="Could not find entrypoint console_scripts.nope"):
        write_hooks.run_hooks(
            str(tmp_path / "x.py"),
            [{"_hook_name": "n", "type": "console_scripts", "entrypoint": "nope"}],
            quiet=True,
        )


def test_unknown_type_and_missing_key(tmp_path):
    with pytest.raises(CommandError, match="No formatter with name 'bogus'"):
        write_hooks.run_hooks("x.py", [{"_hook_name": "b", "type": "bogus"}], quiet=True)
    with pytest.raises(CommandError, match="b.type is required"):
        write_hooks.run_hooks("x.py", [{"_hook_name": "b"}], quiet=True)
    with pytest.raises(CommandError, match="b.executable is required"):
        write_hooks.run_hooks("x.py", [{"_hook_name": "b", "type": "exec"}], quiet=True)
