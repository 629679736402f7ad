"""startup: `--help` and `heads` on an empty project, as whole processes."""

from __future__ import annotations

import os
import sys
import tempfile

from harness import Case, bin_path, run_process

ENV_PY = "from alembic import context\n"  # never run by `heads`


def _empty_project(root: str) -> str:
    os.makedirs(os.path.join(root, "migrations", "versions"))
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(root, "migrations", "script.py.mako"), "w") as f:
        f.write("")
    for name, section in (("alembic.ini", "alembic"), ("retort.ini", "retort")):
        with open(os.path.join(root, name), "w") as f:
            f.write(f"[{section}]\nscript_location = %(here)s/migrations\n"
                    "sqlalchemy.url = sqlite://\n")
    return root


def cases(quick: bool, backends: list[str]) -> list[Case]:
    root = _empty_project(tempfile.mkdtemp(prefix="retort-bench-startup-"))
    py = sys.executable
    return [
        Case(
            "startup", "--help",
            retort=run_process([bin_path("retort"), "--help"]),
            alembic=run_process([bin_path("alembic"), "--help"]),
            floor=run_process([py, "-c", "pass"]),
            target="retort <= alembic",
        ),
        Case(
            "startup", "heads (empty project)",
            retort=run_process([bin_path("retort"), "-c", "retort.ini", "heads"], cwd=root),
            alembic=run_process([bin_path("alembic"), "-c", "alembic.ini", "heads"], cwd=root),
            floor=run_process([py, "-c", "import sqlalchemy"]),
            target="retort <= alembic",
        ),
    ]
