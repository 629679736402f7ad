"""Side-by-side timing: retort, Alembic and a floor, alternating, medians and ratios."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, TextIO

Runner = Callable[[], object]


@dataclass
class Case:
    """One workload at one size on one backend.

    ``retort`` / ``alembic`` / ``floor`` are zero-argument callables timed in
    turn; ``setup`` runs once before timing and ``teardown`` once after.
    ``target`` is the issue's goal, printed beside the measured ratio.
    """

    workload: str
    name: str
    retort: Runner
    alembic: Optional[Runner] = None
    floor: Optional[Runner] = None
    setup: Optional[Callable[[], None]] = None
    before_each: Optional[Callable[[], None]] = None
    after_setup: Optional[Callable[[], None]] = None  # e.g. count statements once
    teardown: Optional[Callable[[], None]] = None
    target: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Result:
    workload: str
    name: str
    retort_s: float
    alembic_s: Optional[float]
    floor_s: Optional[float]
    target: str
    extra: dict
    # CPU seconds (this process plus the timed child processes): on a shared
    # machine the wall clock also counts waiting for a core; CPU time does not
    # (nor does it count a database server's work, which the floor shares)
    retort_cpu: Optional[float] = None
    alembic_cpu: Optional[float] = None
    floor_cpu: Optional[float] = None

    @property
    def cpu_speedup(self) -> Optional[float]:
        """alembic / retort in CPU time."""
        return self.alembic_cpu / self.retort_cpu if self.alembic_cpu and self.retort_cpu else None

    @property
    def cpu_over_floor(self) -> Optional[float]:
        """retort / floor in CPU time."""
        return self.retort_cpu / self.floor_cpu if self.floor_cpu and self.retort_cpu else None

    @property
    def speedup(self) -> Optional[float]:
        """alembic / retort: above 1 means retort is faster."""
        return self.alembic_s / self.retort_s if self.alembic_s else None

    @property
    def over_floor(self) -> Optional[float]:
        """retort / floor: 1 means retort costs nothing above the floor."""
        return self.retort_s / self.floor_s if self.floor_s else None


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _time(fn: Runner, before: Optional[Callable[[], None]] = None) -> tuple[float, float]:
    """Run ``fn`` once; return its wall-clock and CPU seconds."""
    if before:
        before()  # untimed: e.g. restore a fresh database
    cpu = _cpu()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    return wall, _cpu() - cpu


def measure(case: Case, repeats: int) -> Result:
    """Time the case's runners alternately ``repeats`` times; keep medians."""
    if case.setup:
        case.setup()
    try:
        if case.after_setup:
            case.after_setup()
        runners = {"retort": case.retort, "alembic": case.alembic, "floor": case.floor}
        runners = {k: v for k, v in runners.items() if v is not None}
        for fn in runners.values():  # warm-up: caches, imports, connection pools
            _time(fn, case.before_each)
        samples: dict[str, list[float]] = {k: [] for k in runners}
        cpu_samples: dict[str, list[float]] = {k: [] for k in runners}
        for _ in range(repeats):
            for key, fn in runners.items():
                wall, cpu = _time(fn, case.before_each)
                samples[key].append(wall)
                cpu_samples[key].append(cpu)
    finally:
        if case.teardown:
            case.teardown()
    med = {k: statistics.median(v) for k, v in samples.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu_samples.items()}
    return Result(
        case.workload, case.name, med["retort"], med.get("alembic"), med.get("floor"),
        case.target, case.extra,
        cpu_med["retort"], cpu_med.get("alembic"), cpu_med.get("floor"),
    )


def child_env(env: dict | None = None) -> dict:
    """The environment of a timed process: the caller's, but with bytecode caching on.

    A user's Python writes ``__pycache__`` on first import, and pip compiles an
    installed package (Alembic) at install time.  A sandbox that exports
    ``PYTHONDONTWRITEBYTECODE`` would make every timed run recompile retort's
    editable sources and every revision file from text, which no user pays;
    the untimed warm-up run writes the caches instead.
    """
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_process(argv: list[str], cwd: str | None = None, env: dict | None = None) -> Runner:
    """A runner that executes a whole process and fails loudly if it fails."""
    env = child_env(env)

    def run() -> None:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed in {cwd}:\n{proc.stderr[-2000:]}")

    return run


def bin_path(name: str) -> str:
    """The console script ``name`` of the running interpreter's environment."""
    return os.path.join(os.path.dirname(sys.executable), name)


def _fmt(value: Optional[float], unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f}ms" if value < 1 else f"{value:.2f}s"
    return f"{value:.2f}x"


def print_table(results: Iterable[Result], out: TextIO = sys.stdout) -> None:
    """Print medians and ratios (wall clock, then CPU time) as an aligned table."""
    header = (
        "workload", "case", "retort", "alembic", "floor", "alembic/retort", "retort/floor",
        "cpu a/r", "cpu r/f", "target", "notes",
    )
    rows = [header] + [
        (
            r.workload, r.name, _fmt(r.retort_s, "s"), _fmt(r.alembic_s, "s"), _fmt(r.floor_s, "s"),
            _fmt(r.speedup), _fmt(r.over_floor), _fmt(r.cpu_speedup), _fmt(r.cpu_over_floor), r.target,
            " ".join(f"{k}={v}" for k, v in r.extra.items()),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
        if i == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    out.flush()


def write_json_lines(results: Iterable[Result], path: str) -> None:
    """Append each result as one JSON object per line."""
    with open(path, "a", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps({
                "workload": r.workload, "case": r.name, "retort_s": r.retort_s,
                "alembic_s": r.alembic_s, "floor_s": r.floor_s,
                "alembic_over_retort": r.speedup, "retort_over_floor": r.over_floor,
                "retort_cpu_s": r.retort_cpu, "alembic_cpu_s": r.alembic_cpu, "floor_cpu_s": r.floor_cpu,
                "cpu_alembic_over_retort": r.cpu_speedup, "cpu_retort_over_floor": r.cpu_over_floor,
                "target": r.target, "time": time.time(), **r.extra,
            }) + "\n")
