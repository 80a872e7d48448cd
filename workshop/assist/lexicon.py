"""The value lexicon and the metrics catalogue in data/, read once and shared."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from workshop.assist.textmatch import normalize
from workshop.i18n import DEFAULT, LANGUAGES
from workshop.resources import data_file

VALUES_FILE = data_file("value_lexicon.json")
METRICS_FILE = data_file("metrics.json")


@dataclass(frozen=True)
class LexiconValue:
    id: str
    name: dict[str, str]
    definition: dict[str, str]
    phrases: dict[str, tuple[str, ...]]

    def name_in(self, lang: str) -> str:
        return self.name.get(lang) or self.name[DEFAULT]

    def definition_in(self, lang: str) -> str:
        return self.definition.get(lang) or self.definition[DEFAULT]


@dataclass(frozen=True)
class Metric:
    id: str
    abbreviation: str
    name: dict[str, str]
    definition: dict[str, str]
    computation: dict[str, str]

    def label(self, lang: str) -> str:
        """"Net Promoter Score (NPS)" in the given language."""
        name = self.name.get(lang) or self.name[DEFAULT]
        return name if self.abbreviation in name else f"{name} ({self.abbreviation})"


@lru_cache(maxsize=1)
def values() -> tuple[LexiconValue, ...]:
    doc = json.loads(VALUES_FILE.read_text(encoding="utf-8"))
    return tuple(
        LexiconValue(v["id"], v["name"], v["definition"], {k: tuple(p) for k, p in v["phrases"].items()})
        for v in doc["values"]
    )


@lru_cache(maxsize=1)
def customer_words() -> dict[str, tuple[str, ...]]:
    """language -> the words that name the customer (customer, guest, traveller, patient, ...)."""
    doc = json.loads(VALUES_FILE.read_text(encoding="utf-8"))
    return {lang: tuple(words) for lang, words in doc["customer_words"].items()}


@lru_cache(maxsize=1)
def _metrics_doc() -> dict:
    return json.loads(METRICS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def metrics() -> tuple[Metric, ...]:
    return tuple(Metric(m["id"], m["abbreviation"], m["name"], m["definition"], m["computation"])
                 for m in _metrics_doc()["metrics"])


def value(value_id: str) -> LexiconValue:
    for v in values():
        if v.id == value_id:
            return v
    raise KeyError(value_id)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for v in values():
        for lang in LANGUAGES:
            if lang in v.name:
                names.setdefault(normalize(v.name[lang]), v.id)
        names.setdefault(normalize(v.id.replace("_", " ")), v.id)
    return names


def find_by_name(name: str) -> str | None:
    """The lexicon id for a value name written in any of the three languages."""
    return _by_name().get(normalize(name))


def metrics_for(value_id: str) -> list[Metric]:
    """Suggested metrics for a lexicon value, most telling first."""
    wanted = _metrics_doc()["suggested_by_value"].get(value_id, [])
    by_id = {m.id: m for m in metrics()}
    return [by_id[i] for i in wanted if i in by_id]
