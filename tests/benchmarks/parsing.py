"""Benchmark (not a test): what reading Python of any grammar costs a cold scan. Run by `make bench`.

The revision-wide extraction of a 2,000-file repository (the 4× synthetic size) with
``undertow.analyzers.python.facts.extract``, for a repository in 3.11 syntax, one where 10 % of the files
use 3.12+ syntax (PEP 695 generics, ``type`` aliases, PEP 701 f-strings: each read by libcst and
lowered), and one where every file does (the worst case), against plain ``ast.parse`` + the
extractor as it ran before (the baseline).

    python -m tests.benchmarks.parsing [--files 2000] [--json build/bench-parsing.json]
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import time
from pathlib import Path

from undertow.analyzers.python import facts as python_facts
from undertow.analyzers.python.modules import summarize_tree
from undertow.analyzers.python.syntax import _LOWERED

MODULE = '''"""Service module {i}."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends
from sqlalchemy import select

from app.db import get_session
from app.models.m{j} import Model{j}

log = logging.getLogger(__name__)
router = APIRouter(prefix="/items{i}")
QUEUE = "jobs:{i}"


@dataclass
class Result{i}:
    id: int
    name: str


@router.get("/{{item_id}}")
async def read_{i}(item_id: int, session=Depends(get_session)) -> Result{i}:
    row = (await session.execute(select(Model{j}).where(Model{j}.id == item_id))).scalar_one()
    log.info("read %s", item_id)
    return Result{i}(row.id, row.name)


def total_{i}(values: list[int]) -> int:
    return sum(v * 2 for v in values if v > 0)
'''
PEP695 = """

type Ids{i} = list[int]


def first_{i}[T](items: list[T]) -> T:
    return items[0]
"""
PEP701 = """

LABEL_{i} = f"{{QUEUE["a" if True else "b"]}}/label"
"""


def corpus(files: int, newer_share: float, newer: str = PEP695) -> list[tuple[str, str]]:
    newer_every = int(1 / newer_share) if newer_share else 0
    out = []
    for i in range(files):
        text = MODULE.format(i=i, j=i % 50)
        if newer_every and i % newer_every == 0:
            text += newer.format(i=i)
        out.append((f"app/services/s{i}.py", text))
    return out


def baseline(path: str, source: str) -> dict:
    """The extraction as it ran before: ``ast.parse`` of the running interpreter only."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError:
        return {"error": "syntax"}
    summary = summarize_tree(path, tree)
    return python_facts._Extractor(path, summary.imports).run(tree)


def timed(function, files: list[tuple[str, str]], runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        _LOWERED.clear()  # each run is a cold scan: nothing lowered before
        started = time.perf_counter()
        for path, text in files:
            function(path, text)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--json", default="build/bench-parsing.json")
    args = parser.parse_args()
    plain = corpus(args.files, 0)
    base = timed(baseline, plain)
    rows = [("3.11 syntax, before (ast only)", base, base)]
    cases = (
        ("3.11 syntax", 0, PEP695),
        ("10% PEP 695 (token lowering)", 0.1, PEP695),
        ("all PEP 695 (token lowering)", 1.0, PEP695),
        ("10% PEP 701 (libcst lowering)", 0.1, PEP701),
        ("all PEP 701 (libcst lowering)", 1.0, PEP701),
    )
    for label, share, newer in cases:
        rows.append((label, timed(python_facts.extract, corpus(args.files, share, newer)), base))
    print(f"\nCold extraction of {args.files} Python files (median of 3):")
    print(f"  {'repository':34} {'seconds':>8} {'× before':>9}")
    for label, seconds, reference in rows:
        print(f"  {label:34} {seconds:8.2f} {seconds / reference:9.2f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps([{"repository": r, "seconds": s, "ratio": s / b} for r, s, b in rows], indent=2)
    )


if __name__ == "__main__":
    main()
