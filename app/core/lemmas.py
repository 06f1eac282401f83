"""Base forms of the nouns and verbs that name what a number measures.

The word lists of `app.core.lexicon` come first (they merge words that report the same
measure: "died" and "killed" are both "kill"); every other word goes to lemminflect, a
lemmatiser with a dictionary of English forms, instead of suffix rules ("buses" -> "bus",
"lose" -> "lose", where stripping suffixes gave "buse" and "los").
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas, getLemma

from app.core.lexicon import IRREGULAR_PLURALS, IRREGULAR_VERBS, NOUN_SYNONYMS, PREDICATE_LEMMAS


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """The singular of an English noun: "warplanes" -> "warplane", "casualties" -> "casualty"."""
    w = word.lower()
    if w in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[w]
    if not w.isalpha():
        return w
    lemmas = getLemma(w, upos="NOUN", lemmatize_oov=True)
    return lemmas[0] if lemmas else w


def normalise_noun(word: str) -> str:
    """The measure name of a noun: singular, synonyms merged ("jets" -> "aircraft")."""
    s = singular(word)
    return NOUN_SYNONYMS.get(s, s)


@lru_cache(maxsize=65536)
def predicate_lemma(word: str) -> str:
    """The lemma of a verb as the measure names it: "killed" -> "kill", "fled" -> "flee"."""
    w = word.lower()
    if w in PREDICATE_LEMMAS:
        return PREDICATE_LEMMAS[w]
    if w in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[w]
    lemmas = getLemma(w, upos="VERB", lemmatize_oov=True)
    return lemmas[0] if lemmas else w


@lru_cache(maxsize=65536)
def is_known_word(word: str) -> bool:
    """True when the lower-cased word is an English dictionary word (not a name)."""
    return bool(getAllLemmas(word.lower()))


@lru_cache(maxsize=65536)
def is_inflected_verb(word: str) -> bool:
    """True for a verb form that is nothing else: "made", "took", "sold" (not "cases")."""
    lemmas = getAllLemmas(word.lower())
    return set(lemmas) == {"VERB"} and lemmas["VERB"][0] != word.lower()
