"""Benchmark (not a test): how long `undertow` takes as a whole process, start-up included, for
the commands a terminal, a pre-commit hook and a CI step run: `--version`, `rules`, and a warm
`scan` of a 10-file pull request (every file's analysis already cached, as on a re-run or the
next push). Median of several runs, with bytecode cached (PYTHONDONTWRITEBYTECODE unset), plus
which libraries each loads and their import time (`python -X importtime`). Run by `make bench`.

    python -m tests.benchmarks.startup [--runs 9] [--json build/bench-startup.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.synthetic import build, pull_request

# The budgets on this machine (2 cores), whole process, wall clock.
BUDGETS = {"--version": 0.15, "rules": 0.15, "scan (warm, 10 files)": 0.40}
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)")


def _undertow() -> str:
    return shutil.which("undertow", path=str(Path(sys.executable).parent)) or "undertow"


def _env(cache_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return env


def wall(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` processes (after one unmeasured run that compiles bytecode
    and fills the cache)."""
    subprocess.run(argv, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def imports(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Milliseconds of import time per top-level package (self times summed), largest first."""
    code = (
        f"import sys; sys.argv = {['undertow', *argv[1:]]!r}; from undertow.app.cli import entry; entry(sys.argv[1:])"
    )
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True
    ).stderr
    totals: collections.Counter[str] = collections.Counter()
    for line in err.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            name = match.group(3)
            top = ".".join(name.split(".")[:3]) if name.startswith("undertow.") else name.split(".")[0]
            totals[top] += int(match.group(1)) / 1000
    return dict(totals.most_common())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", type=Path, default=Path("build/bench-startup.json"))
    args = parser.parse_args(argv)
    undertow = _undertow()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = build(root, 1)
        base, head = pull_request(repo, 10, "pr10")
        env = _env(root / "cache")
        commands = {
            "--version": [undertow, "--version"],
            "rules": [undertow, "rules"],
            "scan (warm, 10 files)": [
                *[undertow, "scan", "--repo", str(repo), "--base", base, "--head", head],
                *["--format", "json", "--fail-on", "never", "--output", os.devnull],
            ],
        }
        rows = []
        print(f"{'command':<24} {'median s':>9} {'min s':>7} {'budget s':>9}  largest imports (ms)")
        for name, command in commands.items():
            times = wall(command, env, args.runs)
            top = imports(command, env)
            heavy = ", ".join(f"{k} {v:.0f}" for k, v in list(top.items())[:5])
            median = statistics.median(times)
            budget = BUDGETS[name]
            flag = "" if median <= budget else "  OVER"
            print(f"{name:<24} {median:>9.3f} {min(times):>7.3f} {budget:>9.2f}{flag}  {heavy}")
            rows.append(
                {
                    "command": name,
                    "median_s": round(median, 4),
                    "min_s": round(min(times), 4),
                    "budget_s": budget,
                    "runs": args.runs,
                    "imports_ms": {k: round(v, 1) for k, v in top.items()},
                }
            )
        baseline = wall([sys.executable, "-c", "pass"], env, args.runs)
        print(f"{'(python -c pass)':<24} {statistics.median(baseline):>9.3f} {min(baseline):>7.3f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
