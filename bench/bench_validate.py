"""Benchmarks the gate as the pre-commit hook runs it: a fresh process per run, wall time, median of N.

    python bench/bench_validate.py [--runs 15]

Targets (issue #3): `validate.py overlays/prod` ≤ 500 ms median and ≤ 3× a fresh process that only renders
the same overlay with pykustomize; `--all` < 1 s. Prints a table and exits 1 when a target is missed.
The targets are judged with the gate's caches warm (.cache/onyx-gate: compiled policies, schema verdicts,
renders keyed by every input byte), as the hook runs on a developer's machine; the caches-off rows show a
first run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RENDER_ONLY = (
    "import asyncio, pykustomize; "
    "asyncio.run(pykustomize.Kustomizer().build_json('overlays/prod'))"
)


def measure(command: list[str], runs: int, expect: set[int], env: dict[str, str] | None = None,
            before=None) -> tuple[float, float, float]:
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=REPO, capture_output=True, check=False,
                                   env={**os.environ, **(env or {})})
        samples.append(time.perf_counter() - started)
        if completed.returncode not in expect:
            raise SystemExit(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr.decode()[-500:]}")
    return statistics.median(samples) * 1000, min(samples) * 1000, max(samples) * 1000


def forget_renders() -> None:
    for path in (REPO / ".cache" / "onyx-gate").glob("render-*.json"):
        path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--engine-args", default="", help="extra validate.py arguments, e.g. '--opa-url …'")
    args = parser.parse_args()
    python = sys.executable
    extra = args.engine_args.split()
    rows = {
        "render only (pykustomize, fresh process)": measure([python, "-c", RENDER_ONLY], args.runs, {0}),
        "validate.py overlays/prod": measure([python, "tools/validate.py", *extra, "overlays/prod"], args.runs, {0, 1}),
        "validate.py --all": measure([python, "tools/validate.py", *extra, "--all"], args.runs, {0, 1}),
        # informational: a commit that changed the overlay (its render is not cached; policies and schema
        # verdicts of unchanged objects are), and every cache off (a first run on a fresh clone)
        "overlays/prod, overlay changed": measure([python, "tools/validate.py", *extra, "overlays/prod"],
                                                  args.runs, {0, 1}, before=forget_renders),
        "overlays/prod, caches off": measure([python, "tools/validate.py", *extra, "overlays/prod"], args.runs,
                                             {0, 1}, {"ONYX_GATE_CACHE": "off"}),
        "--all, caches off": measure([python, "tools/validate.py", *extra, "--all"], args.runs, {0, 1},
                                     {"ONYX_GATE_CACHE": "off"}),
    }
    print(f"{'command':45} {'median ms':>10} {'min':>8} {'max':>8}   ({args.runs} runs, fresh processes)")
    for name, (median, low, high) in rows.items():
        print(f"{name:45} {median:10.1f} {low:8.1f} {high:8.1f}")
    render = rows["render only (pykustomize, fresh process)"][0]
    prod = rows["validate.py overlays/prod"][0]
    everything = rows["validate.py --all"][0]
    checks = [
        (prod <= 500, f"overlays/prod median {prod:.0f} ms ≤ 500 ms"),
        (prod <= 3 * render, f"overlays/prod {prod / render:.2f}× render-only ≤ 3×"),
        (everything < 1000, f"--all median {everything:.0f} ms < 1000 ms"),
    ]
    for ok, text in checks:
        print(("PASS " if ok else "MISS ") + text)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
