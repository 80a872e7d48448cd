"""Normalising, tokenising and comparing short texts in English, German and Chinese.

Plain Python on purpose: it runs at import time of the facilitator apps and
must stay light (no numpy, no model files).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

# CJK ideographs (with extensions A and compatibility) plus kana for the odd Japanese loan.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Folding umlauts makes "Zuverlässigkeit" and a typed "Zuverlaessigkeit" meet.
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "’": "'"})

STOPWORDS = frozenset("""
a an the and or of to in on for with at by from as is are be been being it its this that these those
we our us you your they them their he she his her i my me will would should can could do does did
so than then there here what which who whom when where how very just also all any every each more most
really want
der die das den dem des ein eine einer einem einen und oder zu im in am an auf fuer mit bei von vom zum
zur als ist sind sein wird werden wir unser unsere unseren unserem uns ihr ihre ihren ihrem ihnen sie es
er man was wie wer wenn dass auch noch nur sehr so schon soll sollen wollen will
""".split())

# Words nearly every card contains: kept for phrase matching ("customer first"),
# ignored when measuring how alike two texts are.
TOPIC_WORDS = frozenset("""
customer customers client clients people always every kunde kunden kundin kundinnen immer jeder jede jeden
jedem alle
""".split())
_CJK_TOPIC = re.compile("客戶|顧客|客人|用戶|我們|他們|每一位|每位|每個|都|的|是|讓|要|和|了")

# Kept as tokens although short and common: they turn "hidden fees" into "no hidden fees".
NEGATIONS = frozenset({"no", "not", "never", "nothing", "kein", "keine", "keinen", "nicht", "nie", "niemals"})

_SUFFIXES = sorted("""
lichkeit igkeit keiten heiten ungen ingly fully ness ment edly ings keit heit ung ing ies ied ly ed es
ful ern en er em es e s n
""".split(), key=len, reverse=True)


def normalize(text: str) -> str:
    """Compatibility-normalised, case-folded, umlauts folded, spacing collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD)
    return " ".join(text.split())


def cjk_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _CJK_RUN.match(c)) / len(chars)


_GERMAN_HINTS = frozenset("""
der die das und ist nicht wir unsere kunden kunde sie ich mit fuer auf sich ein eine zu bei wie
auch immer jeden jede keine werden sollen zuhoeren schnell ehrlich du dich dein deine beim mal
im zum zur vom den dem des was ersten richtig machen geben nehmen sein ohne uns unser wer
""".split())
_ENGLISH_HINTS = frozenset("""
the and we our is to of you your they with every customer customers be it i what do right first time
a an in for on at by who their them make give say treat listen always never help
""".split())


def detect_language(text: str, default: str = "en") -> str:
    """``zh_Hant``, ``de`` or ``en``: a cheap guess good enough to count words the right way."""
    if cjk_share(text) > 0.3:
        return "zh_Hant"
    raw = unicodedata.normalize("NFKC", text or "").casefold()
    words = _WORD.findall(raw.translate(_FOLD))
    if not words:
        return default
    german = sum(1 for w in words if w in _GERMAN_HINTS) + 2 * sum(1 for c in raw if c in "äöüß")
    english = sum(1 for w in words if w in _ENGLISH_HINTS)
    if german > english:
        return "de"
    if english > german:
        return "en"
    return default


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """A light suffix stripper shared by English and German; never leaves fewer than three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Latin-script words of an already normalised text (CJK runs are skipped)."""
    return [w for w in _WORD.findall(_CJK_RUN.sub(" ", text))]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS or w in NEGATIONS]


def cjk_runs(text: str) -> list[str]:
    return _CJK_RUN.findall(text)


def token_matches(card_word: str, phrase_stem: str) -> bool:
    """A phrase word found in a card word, allowing inflection and German compounds.

    "honest" finds "honestly"; "wartezeit" finds "Wartezeiten"; "zeit" alone is
    too short to be looked for inside "Reaktionszeit"."""
    if card_word == phrase_stem or stem(card_word) == phrase_stem:
        return True
    if len(phrase_stem) >= 4 and card_word.startswith(phrase_stem):
        return True
    # Compounds: the phrase word is the tail or the middle of a longer word.
    return len(phrase_stem) >= 6 and phrase_stem in card_word


def char_ngrams(text: str) -> Counter:
    """Character n-grams: 3- and 4-grams of each latin word, 1- and 2-grams of CJK runs."""
    grams: Counter = Counter()
    for w in content_words(text):
        if w in TOPIC_WORDS:
            continue
        padded = f" {w} "
        for n in (3, 4):
            grams.update(padded[i:i + n] for i in range(len(padded) - n + 1))
    for run in cjk_runs(_CJK_TOPIC.sub(" ", text)):
        grams.update(run)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def cosine(a: dict, b: dict) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)
