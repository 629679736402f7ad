"""Helpers for running the real ``retort`` command in a temporary project directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

RETORT = [sys.executable, "-m", "retort"]

# "INFO  [retort.runtime.migration] ..." as the templates' [formatter_generic] writes it
_LOG_LINE = re.compile(r"^(DEBUG|INFO |WARNI|ERROR|CRITI) \[[\w.]+\] ")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        """stderr without the log lines env.py's logging configuration writes there."""
        return [
            line
            for line in self.stderr.splitlines()
            if line.strip() and not _LOG_LINE.match(line)
        ]


class Project:
    """A temporary directory in which ``retort`` runs as a user would run it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> Result:
        full_env = dict(os.environ)
        full_env.pop("RETORT_CONFIG", None)
        full_env.pop("ALEMBIC_CONFIG", None)
        full_env.update(env or {})
        proc = subprocess.run(
            [*RETORT, *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"retort {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return result

    def fails(self, *args: str, **kw) -> Result:
        """Run a command that must fail with one line on stderr, exit 1, no traceback."""
        result = self.run(*args, check=False, **kw)
        assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert len(result.err_lines) == 1, result.stderr
        assert result.err_lines[0].startswith("FAILED: ")
        return result

    def write(self, relpath: str, text: str) -> Path:
        path = self.path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relpath: str) -> str:
        return (self.path / relpath).read_text(encoding="utf-8")

    def set_ini_option(self, name: str, value: str, ini: str = "retort.ini") -> None:
        """Replace ``name = ...`` in the ini file (``%`` escaped for ConfigParser)."""
        lines = self.read(ini).splitlines()
        value = value.replace("%", "%%")
        for i, line in enumerate(lines):
            if line.startswith(f"{name} =") or line.startswith(f"{name}="):
                lines[i] = f"{name} = {value}"
                break
        else:
            raise AssertionError(f"no {name} in {ini}")
        self.write(ini, "\n".join(lines) + "\n")

    def versions(self, location: str = "migrations/versions") -> list[Path]:
        return sorted((self.path / location).glob("*.py"))


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)




@pytest.fixture(scope="session")
def project_class() -> type[Project]:
    """The Project helper itself, for fixtures of a wider scope."""
    return Project
