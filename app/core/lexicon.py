"""The word lists of the quantity reader, read from ``lexicon.toml`` (data, not code).

Each name here is the table or list of the same name in the file, in the shape the reader
uses: phrases as token tuples, word lists as frozensets, units as (kind, unit, factor).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

_DATA: dict[str, Any] = tomllib.loads(
    resources.files("app.core").joinpath("lexicon.toml").read_text(encoding="utf-8")
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


QUALIFIERS_BEFORE: dict[tuple[str, ...], str] = {
    tuple(phrase.split()): rule for phrase, rule in _DATA["qualifiers"].items()
}
"""A qualifier written before a number, as lower-case tokens -> its TOLERANCE_TABLE row."""
MAX_QUALIFIER_LEN = max(len(phrase) for phrase in QUALIFIERS_BEFORE)
QUALIFIER_LAST_WORDS = frozenset(phrase[-1] for phrase in QUALIFIERS_BEFORE)

_CURRENCY = _DATA["currency"]
CURRENCY_SYMBOLS: dict[str, str] = dict(_CURRENCY["symbols"])
DOLLAR_PREFIXES: dict[str, str] = dict(_CURRENCY["dollar_prefixes"])
CURRENCY_CODES: dict[str, str] = dict(_CURRENCY["codes"])
CURRENCY_WORDS: dict[str, str] = dict(_CURRENCY["words"])
CENT_WORDS = _words(_CURRENCY["cents"])

UNITS: dict[str, tuple[str, str, float]] = {
    word: (kind, unit, float(factor)) for word, (kind, unit, factor) in _DATA["units"].items()
}
"""A unit written after a number -> (kind, canonical unit, factor to the canonical unit)."""

_WORDS = _DATA["words"]
DURATION_UNITS = _words(_WORDS["duration_units"])
FUNCTION_WORDS = _words(_WORDS["function"])
AUXILIARIES = _words(_WORDS["auxiliaries"])
ADVERBS_TO_SKIP = _words(_WORDS["adverbs_to_skip"])
CLAUSE_BREAKS = _words(_WORDS["clause_breaks"])
PREPOSITIONS = _words(_WORDS["prepositions"])
LABEL_WORDS = _words(_WORDS["labels"])
LABEL_VERB_CUES = _words(_WORDS["label_verb_cues"])
PARTICLES = _words(_WORDS["particles"])
PEOPLE_PREDICATES = _words(_WORDS["people_predicates"])
NOT_NAMES = _words(_WORDS["not_names"])
"""Capitalised words that are no names of what a number is said of ("President", "Monday")."""
CONTRAST_MODIFIERS = _words(_WORDS["contrast_modifiers"])
"""Modifiers that make a count another count than the bare noun's ("original", "new")."""
REPORTING_WORDS = _words(_WORDS["reporting"])
"""Words after a name that make it the source of a number, not its subject ("the ministry said")."""
REPORTING_PREDICATES = _words(_WORDS["reporting_predicates"])
"""Verb lemmas that say who reports a number, not what happened to it."""

PREDICATE_GROUPS: dict[str, tuple[str, ...]] = {
    lemma: tuple(group.split()) for lemma, group in _DATA["predicates"].items()
}
PREDICATE_LEMMAS: dict[str, str] = {
    word: lemma for lemma, group in PREDICATE_GROUPS.items() for word in group
}
"""A verb form -> the lemma of its group (a word in two groups takes the later one)."""

NOUN_SYNONYMS: dict[str, str] = dict(_DATA["nouns"]["synonyms"])
IRREGULAR_PLURALS: dict[str, str] = dict(_DATA["nouns"]["irregular_plurals"])
IRREGULAR_VERBS: dict[str, str] = dict(_DATA["verbs"]["irregular"])
