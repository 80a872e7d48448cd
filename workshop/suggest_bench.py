"""Benchmark of the value suggestions: top-1 and top-3 accuracy per language and method.

Run ``python -m workshop.suggest_bench`` (``--misses`` lists the statements
whose value was not in the top three). The labelled statements live in
tests/data/labelled_statements.csv, in three sets: ``dev`` was written
together with the lexicon; ``holdout`` was written after the matcher, measured
once, then used to enrich the lexicon; ``fresh`` was written after that tuning
and has not been used to change anything (see docs in the module's report).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from . import suggest

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled_statements.csv"
LANGS = ("en", "de", "zh_Hant")


@dataclass(frozen=True)
class Statement:
    set: str
    lang: str
    value: str
    text: str


@dataclass(frozen=True)
class Score:
    method: str
    set: str
    lang: str
    n: int
    top1: float
    top3: float


def load(path: Path = LABELLED) -> list[Statement]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Statement(r["set"], r["lang"], r["value"], r["text"]) for r in csv.DictReader(f)]


def ranked(text: str, method: str) -> list[str]:
    """Value ids as ``suggest`` would offer them (so an empty answer counts as a miss)."""
    return [s.value_id for s in suggest.suggest(text, limit=3, method=method)]


def evaluate(statements: list[Statement], methods=suggest.METHODS,
             sets: tuple[str, ...] = ("all",)) -> tuple[list[Score], list[tuple[str, Statement, list[str]]]]:
    scores, misses = [], []
    for method in methods:
        for which in sets:
            for lang in LANGS:
                rows = [s for s in statements if s.lang == lang and which in ("all", s.set)]
                if not rows:
                    continue
                top1 = top3 = 0
                for s in rows:
                    got = ranked(s.text, method)
                    top1 += bool(got) and got[0] == s.value
                    top3 += s.value in got
                    if s.value not in got and which == "all":
                        misses.append((method, s, got))
                scores.append(Score(method, which, lang, len(rows), top1 / len(rows), top3 / len(rows)))
    return scores, misses


def table(scores: list[Score]) -> str:
    lines = [f"{'method':<11} {'set':<8} {'lang':<8} {'n':>4} {'top-1':>7} {'top-3':>7}"]
    for s in scores:
        lines.append(f"{s.method:<11} {s.set:<8} {s.lang:<8} {s.n:>4} {s.top1:>7.1%} {s.top3:>7.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop.suggest_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list statements missed by the default method")
    parser.add_argument("--file", type=Path, default=LABELLED, help="labelled statements (CSV: set,lang,value,text)")
    args = parser.parse_args(argv)
    statements = load(args.file)
    sets = ("all",) + tuple(dict.fromkeys(s.set for s in statements))
    scores, misses = evaluate(statements, sets=sets)
    print(f"{len(statements)} labelled statements, {len(suggest.lexicon.values())} values in the lexicon")
    print(table(scores))
    if args.misses:
        print("\nNot in the top three (default method):")
        for method, s, got in misses:
            if method == suggest.DEFAULT_METHOD:
                print(f"  [{s.lang}] {s.text!r}: expected {s.value}, got {', '.join(got) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
