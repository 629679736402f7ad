"""retort.context's stub file lists exactly what EnvironmentContext offers, with the same parameters;
the context proxy follows the EnvironmentContext of the innermost ``with`` block."""

from __future__ import annotations

import ast
import inspect
import threading
from pathlib import Path

import pytest

import retort.context
from retort.runtime.environment import EnvironmentContext, current_environment

STUB = Path(retort.context.__file__).with_suffix(".pyi")


def stub_functions() -> dict[str, list[str]]:
    tree = ast.parse(STUB.read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            names = [a.arg for a in args.args + args.kwonlyargs]
            if args.kwarg:
                names.append("**" + args.kwarg.arg)
            found[node.name] = names
    return found


def class_methods() -> dict[str, list[str]]:
    found = {}
    for name, member in inspect.getmembers(EnvironmentContext, inspect.isfunction):
        if name.startswith("_"):
            continue
        params = list(inspect.signature(member).parameters.values())[1:]
        found[name] = [("**" + p.name) if p.kind is p.VAR_KEYWORD else p.name for p in params]
    return found


def test_stub_matches_environment_context():
    assert stub_functions() == class_methods()


def test_proxy_follows_innermost_context_and_threads():
    outer = EnvironmentContext(config=object(), script=None)
    inner = EnvironmentContext(config=object(), script=None)
    seen = {}
    with outer:
        assert retort.context.config is outer.config
        with inner:
            assert retort.context.config is inner.config
        assert retort.context.config is outer.config

        def in_thread():
            with inner:
                seen["thread"] = retort.context.config

        t = threading.Thread(target=in_thread)
        t.start()
        t.join()
        # the other thread's context never leaked into this one
        assert retort.context.config is outer.config
    assert seen["thread"] is inner.config
    assert current_environment() is None
    with pytest.raises(NameError, match="configure"):
        retort.context.configure()
