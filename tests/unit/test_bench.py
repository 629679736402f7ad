"""The benchmark harness must keep working: `bench/run.py --quick` on SQLite."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_quick_bench_on_sqlite_prints_its_table(tmp_path):
    out = tmp_path / "results.jsonl"
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "run.py"), "--quick", "--backends", "sqlite",
         "--repeats", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    header = next(line for line in proc.stdout.splitlines() if line.startswith("workload"))
    assert "alembic/retort" in header and "retort/floor" in header
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    workloads = {row["workload"] for row in rows}
    assert {"startup", "revgraph", "upgrade", "batch", "autogen"} <= workloads
    for row in rows:
        assert row["retort_s"] > 0
        assert row["alembic_s"] and row["alembic_s"] > 0
        assert f"{row['workload']}" in proc.stdout
