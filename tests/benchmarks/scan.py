"""Benchmark (not a test): `undertow scan` cold, warm and on a new push, with peak memory, on
synthetic repositories at several sizes and pull requests of several sizes, with the peer tools
timed side by side. Run by `make bench`.

    python -m tests.benchmarks.scan [--scales 1 4 16] [--prs 1 10 100] [--json build/bench-scan.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.synthetic import add_push, build, pull_request

WARM_RUNS = 5


def timed_scan(repo: Path, base: str, head: str, cache_home: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, findings) of one `undertow scan` process."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    code = (
        "import resource, sys, time, json\n"
        "from undertow.app.cli import entry as main\n"
        "t = time.perf_counter()\n"
        f"status = main(['scan', '--repo', {str(repo)!r}, '--base', {base!r}, '--head', {head!r}, '--format', 'json', '--fail-on', 'never', '--output', '/dev/null'])\n"
        "print(json.dumps({'s': time.perf_counter() - t, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["s"], data["rss"], 0


PEERS = {
    # tool: (command builder(repo, changed files) -> argv)
    "ruff": lambda repo, changed: ["ruff", "check", "--no-cache", "--exit-zero", *changed],
    # The synthetic repository declares its dependencies in two requirement files (web, worker).
    "deptry": lambda repo, changed: [
        "deptry",
        str(repo),
        "--no-ansi",
        "--requirements-files",
        "requirements-web.txt,requirements-worker.txt",
    ],
    "squawk": lambda repo, changed: ["squawk", str(repo / "sql/pr_migration.sql")],
}


def timed_peer(name: str, repo: Path, changed: list[str]) -> float | None:
    """Seconds one run of a peer tool takes on the same repository and PR; None if it is not
    installed or did not run to the end (a crash is not a timing)."""
    import shutil

    argv = PEERS[name](repo, changed)
    executable = shutil.which(argv[0]) or str(Path(sys.executable).parent / argv[0])
    if not Path(executable).exists():
        return None
    started = time.perf_counter()
    proc = subprocess.run([executable, *argv[1:]], cwd=repo, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if b"Traceback" in proc.stderr or proc.returncode > 1:
        print(f"{name} failed: {proc.stderr.decode(errors='replace').strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--prs", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--json", type=Path, default=Path("build/bench-scan.json"))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for scale in args.scales:
            started = time.perf_counter()
            repo = build(root, scale)
            generated = time.perf_counter() - started
            for size in args.prs:
                base, head = pull_request(repo, size, f"pr-{size}")
                cache = root / f"cache-{scale}-{size}"
                cold = timed_scan(repo, base, head, cache)
                warms = [timed_scan(repo, base, head, cache) for _ in range(WARM_RUNS)]
                warm = sorted(warms)[len(warms) // 2]
                # New pushes to the same pull request: the base is warm, the pushed files are not.
                pushes = sorted(timed_scan(repo, base, add_push(repo, head, size, n), cache) for n in range(1, 4))
                push = pushes[1]
                subprocess.run(["git", "-C", str(repo), "checkout", "-q", head], check=True)
                changed = [f"app/services/s{i}.py" for i in range(size)]
                peers = {name: timed_peer(name, repo, changed) for name in PEERS}
                subprocess.run(["git", "-C", str(repo), "checkout", "-q", base], check=True)
                rows.append(
                    {
                        "scale": scale,
                        "files": len(list((repo / "app").rglob("*.py"))),
                        "pr_files": size,
                        "cold_s": cold[0],
                        "warm_s": warm[0],
                        "push_s": push[0],
                        "cold_rss_mib": cold[1],
                        "warm_rss_mib": warm[1],
                        "generate_s": generated,
                        "peers_s": peers,
                    }
                )
    print(
        f"warm: median of {WARM_RUNS} re-scans of the same PR; push: median of 3 new pushes of as many other files, base warm"
    )
    print(
        f"{'scale':>5} {'py files':>8} {'PR files':>8} {'cold':>8} {'warm':>8} {'push':>8} {'peak RSS cold':>14} {'warm':>8}   peers (one run each)"
    )
    for r in rows:
        peers = "  ".join(f"{k} {v:.2f}s" if v is not None else f"{k} n/a" for k, v in r["peers_s"].items())
        print(
            f"{r['scale']:>4}× {r['files']:>8} {r['pr_files']:>8} {r['cold_s']:>7.2f}s {r['warm_s']:>7.2f}s {r['push_s']:>7.2f}s "
            f"{r['cold_rss_mib']:>11.0f}MiB {r['warm_rss_mib']:>5.0f}MiB   {peers}"
        )
    ratios = {}
    for r in rows:
        small = next(
            (s for s in rows if s["scale"] == min(x["scale"] for x in rows) and s["pr_files"] == r["pr_files"]), None
        )
        if small and r["scale"] != small["scale"]:
            ratios[f"{r['scale']}x/{small['scale']}x, {r['pr_files']} files"] = (
                r["warm_s"] / small["warm_s"],
                r["push_s"] / small["push_s"],
            )
    for label, (warm_ratio, push_ratio) in ratios.items():
        print(f"  {label}: warm {warm_ratio:.2f}×, push {push_ratio:.2f}×")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
