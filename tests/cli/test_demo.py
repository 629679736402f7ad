"""The README quickstart's demo (examples/demo.py) runs to the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_demo_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(DEMO)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "$ retort revision --autogenerate -m create account" in out
    assert "op.create_table('account'" in out
    assert "# database: account(id, name, email); retort_version(version_num)" in out
    assert out.rstrip().endswith("demo finished")
