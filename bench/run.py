"""Run the side-by-side benchmarks: retort vs Alembic 1.20 vs the physical floor.

    python bench/run.py                 # everything, all backends
    python bench/run.py --quick         # smallest sizes, under two minutes
    python bench/run.py --only revgraph,startup --backends sqlite

Prints a table of medians and ratios and appends raw figures as JSON lines
to ``bench/results/results.jsonl`` (or ``--json PATH``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import measure, print_table, write_json_lines  # noqa: E402

WORKLOADS = ("startup", "revgraph", "upgrade", "autogen", "batch")
BACKENDS = ("sqlite", "postgresql", "mysql")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smallest sizes only")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated databases")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per runner (default 5, quick 3)")
    parser.add_argument("--json", default=os.path.join(HERE, "results", "results.jsonl"))
    args = parser.parse_args(argv)

    workloads = [w for w in args.only.split(",") if w]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(sorted(unknown))}; known: {', '.join(WORKLOADS)}")
    backends = [b for b in args.backends.split(",") if b]
    repeats = args.repeats or (3 if args.quick else 5)

    results = []
    started = time.perf_counter()
    try:
        for name in workloads:
            module = importlib.import_module(name)
            for case in module.cases(args.quick, backends):
                print(f"... {case.workload}: {case.name}", file=sys.stderr, flush=True)
                results.append(measure(case, repeats))
    finally:
        import databases

        for backend in backends:  # leave the servers as they were
            databases.drop(backend)
    print_table(results)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    write_json_lines(results, args.json)
    print(f"\n{len(results)} cases in {time.perf_counter() - started:.0f}s; raw figures in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
