"""Fails unless every policy file reaches the coverage floor in an `opa test --coverage` report.

    python tools/check_coverage.py .tools/coverage.json 90
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: check_coverage.py <coverage.json> <minimum percent>", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        report = json.load(handle)
    floor = float(argv[2])
    files = {name: entry for name, entry in (report.get("files") or {}).items() if not name.endswith("_test.rego")}
    if not files:
        print(f"{argv[1]}: no policy files in the coverage report", file=sys.stderr)
        return 1
    failing = 0
    for name in sorted(files):
        percent = float(files[name].get("coverage", 0.0))
        mark = "ok " if percent >= floor else "LOW"
        failing += percent < floor
        print(f"{mark} {percent:6.2f}%  {name}")
    if failing:
        print(f"{failing} policy file(s) below {floor:.0f}% coverage", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
