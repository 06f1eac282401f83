"""Base forms of the nouns and verbs that name what a number measures."""

from __future__ import annotations

from app.core.lexicon import IRREGULAR_PLURALS, IRREGULAR_VERBS, NOUN_SYNONYMS, PREDICATE_LEMMAS


def singular(word: str) -> str:
    """Crude singular of an English noun: "warplanes" -> "warplane", "casualties" -> "casualty"."""
    w = word.lower()
    if w in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def normalise_noun(word: str) -> str:
    """The measure name of a noun: singular, synonyms merged ("jets" -> "aircraft")."""
    s = singular(word)
    return NOUN_SYNONYMS.get(s, s)


def predicate_lemma(word: str) -> str:
    """The lemma of a verb as the measure names it: "killed" -> "kill", "fled" -> "flee"."""
    w = word.lower()
    if w in PREDICATE_LEMMAS:
        return PREDICATE_LEMMAS[w]
    if w in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[w]
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            stem = w[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            return stem
    return w
