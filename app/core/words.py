"""The words of a claim as keyword search and the match score see them: content words in
lower case (no function words), the numbers as written, and the proper names.

Pure and cheap: run on every query and on both sides of every compared pair.
"""

from __future__ import annotations

import re

from app.core.lexicon import FUNCTION_WORDS, NOT_NAMES

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
_MIN_WORD = 2


def content_words(text: str) -> list[str]:
    """The words that say what a text is about, lower case, in order, repeats kept: no
    function words, no single letters; a possessive's ``'s`` dropped."""
    words = []
    for match in _WORD.finditer(text.lower()):
        word = re.sub(r"['’]s$", "", match.group())
        if len(word) >= _MIN_WORD and word not in FUNCTION_WORDS:
            words.append(word)
    return words


def numbers(text: str) -> frozenset[str]:
    """The numbers written in digits, separators dropped ("270,000" -> "270000")."""
    return frozenset(m.group().replace(",", "") for m in _NUMBER.finditer(text))


def names(text: str) -> frozenset[str]:
    """Capitalised runs that are not the first word of the text (unless they run on), not
    function words and not the capitalised non-names of the lexicon, lower case."""
    found = set()
    for match in _NAME.finditer(text):
        words = match.group().split()
        if match.start() == 0 or text[: match.start()].rstrip().endswith((".", "!", "?", '"')):
            words = words[1:]  # a sentence's first word is capitalised anyway
        kept = [w.lower() for w in words if w.lower() not in FUNCTION_WORDS]
        kept = [w for w in kept if w not in NOT_NAMES and len(w) >= _MIN_WORD]
        found.update(kept)
    return frozenset(found)
