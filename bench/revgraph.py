"""revgraph: whole-process graph commands on long histories."""

from __future__ import annotations

import os
import sys
import tempfile

from gen_revisions import generate
from harness import Case, bin_path, run_process

FLOOR = """import os, sys
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".py"):
            with open(os.path.join(root, name), encoding="utf-8") as f:
                f.read()
"""

COMMANDS = {
    "heads": ["heads"],
    "history": ["history"],
    "current": ["current"],
    "upgrade --sql": ["upgrade", "heads", "--sql"],
}


def cases(quick: bool, backends: list[str]) -> list[Case]:
    sizes = (100,) if quick else (100, 1000, 5000)
    shapes = ("linear",) if quick else ("linear", "branchy")
    commands = ("heads", "history") if quick else tuple(COMMANDS)
    out = []
    for shape in shapes:
        for n in sizes:
            root = tempfile.mkdtemp(prefix=f"retort-bench-revgraph-{shape}-{n}-")
            project = generate(root, n, shape=shape, url=f"sqlite:///{os.path.join(root, 'bench.db')}")
            floor = run_process([sys.executable, "-c", FLOOR, project["versions"]])
            for label in commands:
                argv = COMMANDS[label]
                out.append(Case(
                    "revgraph", f"{label} {shape} {n}",
                    retort=run_process([bin_path("retort"), "-c", "alembic.ini", *argv], cwd=root),
                    alembic=run_process([bin_path("alembic"), "-c", "alembic.ini", *argv], cwd=root),
                    floor=floor,
                    target=">= 10x alembic at 5000" if label in ("heads", "history") else "",
                ))
    return out
