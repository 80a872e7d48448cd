"""Hints for vision drafts and action statements: facts beside the ratings, never a verdict.

Each check returns ``Hint`` objects whose messages are English templates marked
with ``N_()``; widgets show them with ``hint.message(gettext)``.

Who sees them (issue 13): the facilitator, on every draft and action statement; a participant,
on their own drafts only; nobody else (not the room screen, not other participants' rating).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from workshop.assist import lexicon
from workshop.assist.textmatch import cjk_runs, detect_language, normalize
from workshop.core.errors import N_

OK, INFO, WARN = "ok", "info", "warning"

#: Past this a vision stops being the one line people remember.
VISION_MAX_WORDS = 30
VISION_MAX_CJK_CHARS = 45


@dataclass(frozen=True)
class Hint:
    kind: str
    level: str
    template: str
    params: dict = field(default_factory=dict)
    #: Names of params that are themselves message ids (translated before formatting).
    translated: tuple[str, ...] = ()

    def message(self, gettext=None) -> str:
        params = dict(self.params)
        if gettext:
            for name in self.translated:
                params[name] = gettext(params[name])
        text = gettext(self.template) if gettext else self.template
        return text.format(**params)


# ---- phrase lists, per language (matched after workshop.textmatch.normalize) ----------------

CLICHES = {
    "en": ["the customer is always right", "customer is king", "world-class", "world class",
           "exceed expectations", "exceed their expectations", "exceed your expectations", "exceeding expectations",
           "exceed customer expectations", "exceeds expectations", "best-in-class",
           "best in class", "second to none", "customer-centric", "excellent service", "outstanding service",
           "industry-leading", "industry leading", "synergy", "seamless", "cutting-edge", "state of the art",
           "above and beyond", "top-notch", "top notch", "unparalleled", "best possible", "one-stop",
           "passionate about", "delight our customers", "customer satisfaction is our top priority",
           "your call is important to us"],
    "de": ["der kunde ist könig", "der kunde hat immer recht", "weltklasse", "erwartungen übertreffen",
           "erwartungen zu übertreffen", "übertreffen erwartungen",
           "übertreffen die erwartungen", "übertreffen ihre erwartungen", "übertreffen alle erwartungen", "erstklassig", "exzellenten service", "exzellenter service",
           "marktführend", "branchenführend", "nahtlos", "ganzheitlich", "rundum-sorglos", "höchste qualität",
           "bestmöglich", "mit leidenschaft", "kundenzufriedenheit steht an erster stelle",
           "ihr anruf ist uns wichtig", "state of the art"],
    "zh_Hant": ["客戶永遠是對的", "顧客永遠是對的", "顧客就是上帝", "客戶至上", "顧客至上", "世界級", "超越期待",
                "超出預期", "超越客戶期待", "一流", "頂尖", "無與倫比", "業界領先", "最好的服務", "全方位",
                "無縫", "極致", "用心服務", "您的來電對我們很重要"],
}

PROMISES = {
    "en": ["24/7", "24 / 7", "24x7", "around the clock", "always available", "always there", "always on",
           "any time", "anytime", "instantly", "instant", "immediately", "right away", "never wait",
           "no waiting", "zero wait", "within seconds", "guarantee", "guaranteed", "every problem",
           "any problem", "all problems", "100%", "never fail", "never make mistakes"],
    "de": ["24/7", "rund um die uhr", "immer erreichbar", "jederzeit erreichbar", "immer verfügbar",
           "jederzeit", "sofort", "umgehend", "ohne wartezeit", "nie warten", "keine wartezeit",
           "in sekunden", "innerhalb von sekunden", "garantiert", "garantie", "jedes problem", "100 %",
           "100%", "nie fehler"],
    "zh_Hant": ["24/7", "24小時", "二十四小時", "全天候", "隨時隨地", "隨時", "永遠在線", "立即", "立刻", "馬上",
                "秒回", "幾秒內", "零等待", "不用等", "保證", "百分之百", "100%", "任何問題", "所有問題", "從不出錯"],
}

def customer_words() -> list[str]:
    """Every way the three languages name the customer (data/value_lexicon.json, "customer_words"):
    a draft is about the customer whichever language it is written in."""
    return [w for words_ in lexicon.customer_words().values() for w in words_]


_EN_VERBS = set("""
accept acknowledge act adapt add admit aim answer anticipate apologise apologize approach ask assume
be become believe bring build call care celebrate check choose clarify close coach commit communicate
connect consider create deliver delight design discover do earn educate embrace empower encourage end
engage ensure escalate exceed explain find finish fix focus follow follow-up get give go greet grow guide
help honour honor imagine include inform invest involve keep know lead learn leave let listen look love
make measure meet mean offer own pay personalise personalize pick prepare present prevent probe promise
protect provide put reach read recognise recognize reduce reinforce reply resolve respect respond return
review reward say see seek serve share show simplify smile solve speak stand start stay support surprise
take talk teach tell thank think treat trust try turn understand update use value walk welcome win work
write align clarify empower
""".split())
_EN_SKIP = {"always", "never", "please", "don't", "dont", "just", "first", "really", "truly", "proactively",
            "quickly", "gladly", "openly", "personally", "then", "and"}
_EN_NOT_VERBS = {"we", "our", "us", "the", "a", "an", "customers", "customer", "every", "each", "all",
                 "they", "you", "your", "it", "this", "that", "quality", "speed", "service", "support"}

_DE_VERBS = set("""
sag sage sagt sagen hoer hoere hoert hoeren mach mache macht machen gib gebt geben behandle behandelt
behandeln sei seid seien sein hilf helft helfen frag frage fragt fragen zeig zeige zeigt zeigen erklaer
erklaere erklaert erklaeren loes loese loest loesen bleib bleibe bleibt bleiben denk denke denkt denken
nimm nehmt nehmen halt halte haltet halten geh gehe geht gehen sorg sorge sorgt sorgen schaff schaffe
schafft schaffen bau baue baut bauen lern lerne lernt lernen behalte behaltet kuemmere kuemmert
kuemmern antworte antwortet antworten informiere informiert informieren respektiere respektiert
begruesse begruesst begegne begegnet begegnen uebernimm uebernehmt uebernehmen ueberrasche ueberrascht
finde findet finden lies lest lesen schreib schreibe schreibt schreiben danke dankt lache lacht
vereinfache vereinfacht handle handelt handeln liefere liefert liefern pruefe prueft pruefen
""".split())
_DE_SKIP = {"immer", "stets", "bitte", "nie", "niemals", "gern", "gerne", "zuerst", "jederzeit"}

_ZH_LEADING = ["第一次就", "一次就", "永遠", "總是", "始終", "每次都", "每次", "隨時", "務必", "一定要", "請", "要", "都", "先"]
_ZH_VERBS = ["設身處地", "說到做到", "傾聽", "聆聽", "提供", "回應", "回覆", "對待", "善待", "幫助", "協助", "解決", "保持",
             "尊重", "確保", "主動", "創造", "建立", "成為", "站在", "承擔", "負責", "跟進", "記住", "記得", "了解",
             "理解", "關心", "照顧", "詢問", "告訴", "解釋", "分享", "學習", "改進", "信守", "兌現", "帶給", "帶來",
             "追求", "堅持", "相信", "珍惜", "感謝", "歡迎", "微笑", "處理", "修正", "道歉", "承認", "簡化", "減少",
             "避免", "不要", "別", "絕不", "永不", "說", "做", "給", "讓", "把", "用", "以", "聽", "問", "守", "像",
             "視", "當", "教", "笑", "想", "找", "交", "送", "接"]


def _contains(norm: str, phrase: str) -> bool:
    p = normalize(phrase)
    if cjk_runs(p):
        return p in norm
    # Latin phrases only on word boundaries: "instant" must not fire inside "instantiate".
    return re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", norm) is not None


def _found(norm: str, phrases: list[str]) -> list[str]:
    out = []
    for p in phrases:
        if _contains(norm, p) and not any(_contains(normalize(q), p) for q in out):
            out.append(p)
    return out


# ---- length ----------------------------------------------------------------------------------
#
# No reading-ease score (Flesch, Amstad, characters per sentence): those formulas were made for
# passages of a hundred words or more, and on one sentence they mostly count the syllables of two or
# three words. "Every customer leaves knowing what happens next." scored 31 of 100 ("fairly hard to
# read") and "We make every customer feel genuinely understood." 6 ("hard to read"): the words that
# name the customer's experience cost the most. A verdict that wrong misleads facilitators as much as
# participants, and the room judges "simple to understand" itself (the first criterion); the length,
# a plain fact, stays.

_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(unicodedata.normalize("NFKC", text))


def word_count(text: str, lang: str | None = None) -> int:
    """Words for English and German; for Chinese, characters (Chinese has no spaces)."""
    lang = lang or detect_language(text)
    if lang == "zh_Hant":
        return sum(len(r) for r in cjk_runs(text)) + len(latin_words(re.sub(r"[\u3400-\u9fff]", " ", text)))
    return len(latin_words(text))


# ---- the checks -----------------------------------------------------------------------------

def _quoted(phrases: list[str]) -> str:
    return ", ".join(f"“{p}”" for p in phrases)


def vision_hints(text: str, lang: str | None = None) -> list[Hint]:
    """Hints for one vision draft; ``lang`` defaults to the language the draft is written in."""
    text = (text or "").strip()
    if not text:
        return []
    # The draft's own language picks the formula: a German draft in an English workshop is read as German.
    lang = detect_language(text, default=lang or "en")
    norm = normalize(text)
    hints = []
    count = word_count(text, lang)
    if lang == "zh_Hant":
        long_ = count > VISION_MAX_CJK_CHARS
        hints.append(Hint("length", WARN if long_ else INFO, N_("Characters: {count}."), {"count": count}))
    else:
        long_ = count > VISION_MAX_WORDS
        hints.append(Hint("length", WARN if long_ else INFO, N_("Words: {count}."), {"count": count}))
    if long_:
        hints.append(Hint("too_long", WARN, N_("Long for a vision: aim for one sentence people can remember.")))
    cliches = _found(norm, CLICHES["en"] + CLICHES["de"] + CLICHES["zh_Hant"])
    if cliches:
        hints.append(Hint("cliche", WARN, N_("Vague or clichéd: {phrases}. Say what customers will actually get."),
                          {"phrases": _quoted(cliches)}))
    promises = _found(norm, PROMISES["en"] + PROMISES["de"] + PROMISES["zh_Hant"])
    if promises:
        hints.append(Hint("promise", WARN,
                          N_("A promise the team may not keep: {phrases}. Check it against your hours and staff."),
                          {"phrases": _quoted(promises)}))
    if _found(norm, customer_words()):
        hints.append(Hint("customer", OK, N_("Speaks about the customer and their experience.")))
    else:
        hints.append(Hint("customer", WARN,
                          N_("Does not mention the customer or their experience: walk the customer journey with it.")))
    return hints


def _first_words(text: str, skip: set[str]) -> list[str]:
    words_ = [w.casefold() for w in latin_words(text)]
    while len(words_) > 1 and words_[0] in skip:
        words_ = words_[1:]
    return words_


def _starts_with_action_en(text: str) -> str:
    words_ = [w.replace("’", "'") for w in _first_words(text, _EN_SKIP)]
    if not words_:
        return "none"
    first = words_[0]
    if first in {"i", "i'm", "i'll", "i've", "i'd"}:
        return "i"
    if first in {"we", "we're", "we'll", "our"}:
        return "we"
    if first in _EN_VERBS or first.endswith(("ize", "ise", "ify")):
        return "verb"
    return "none"


def _starts_with_action_de(text: str) -> str:
    raw = latin_words(text)
    words_ = [normalize(w) for w in raw]
    if not words_:
        return "none"
    if words_[0] == "ich":
        return "i"
    if words_[0] in {"wir", "unser", "unsere"}:
        return "we"
    i = 0
    while i < len(words_) - 1 and words_[i] in _DE_SKIP:
        i += 1
    if words_[i] in _DE_VERBS:
        return "verb"
    # "Jeden Kunden mit Dringlichkeit behandeln": German puts the infinitive last,
    # and, unlike nouns, it is written in lower case. A comma means a clause
    # ("…, die zuhören und lösen"), whose verb comes last too: not a bare infinitive.
    last = raw[-1]
    if "," not in text and last[:1].islower() and normalize(last).endswith(("en", "ern", "eln")):
        return "verb"
    return "none"


def _starts_with_action_zh(text: str) -> str:
    s = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())
    s = s.lstrip("「『“\"'")
    if s.startswith("我們") or s.startswith("我们"):
        return "we"
    if s.startswith("我"):
        return "i"
    stripped = True
    while stripped:
        stripped = False
        for lead in _ZH_LEADING:
            if s.startswith(lead) and len(s) > len(lead):
                s, stripped = s[len(lead):], True
    return "verb" if any(s.startswith(v) for v in _ZH_VERBS) else "none"


def action_hints(text: str, lang: str | None = None) -> list[Hint]:
    """Flag an action statement that does not start with an action verb or an "I" statement."""
    text = (text or "").strip()
    if not text:
        return []
    lang = "zh_Hant" if cjk_runs(text) else detect_language(text, default=lang or "en")
    how = {"zh_Hant": _starts_with_action_zh, "de": _starts_with_action_de}.get(lang, _starts_with_action_en)(text)
    if how == "i":
        return [Hint("action_start", OK, N_("An “I” statement: good, it reads as a personal commitment."))]
    if how == "verb":
        return [Hint("action_start", OK, N_("Starts with an action verb."))]
    if how == "we":
        return [Hint("action_start", WARN,
                     N_("A “we” statement: try an action verb (“Listen…”) or an “I” statement (“I build…”)."))]
    return [Hint("action_start", WARN,
                 N_("Does not start with an action verb or an “I” statement: try “Listen…”, “Say…”, or “I build…”."))]
