"""Text mechanics for claim extraction: normalising raw text and splitting it into sentences.

Everything here keeps track of where each character came from, so that a sentence found in
the cleaned text can be reported with its offsets in the text the client sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def words(text: str) -> frozenset[str]:
    """The set of whitespace-separated words in ``text`` (for writing word lists)."""
    return frozenset(text.split())


def phrases(text: str) -> frozenset[str]:
    """The set of phrases in ``text`` separated by ``/`` or line breaks, whitespace-normalised."""
    return frozenset(filter(None, (" ".join(part.split()) for part in re.split(r"[/\n]", text))))


LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

CLOSERS = "\"'”’»)]}›"
OPENERS = "\"'“‘«([{‹„‚"
TERMINALS = ".!?…"

# Abbreviations that precede a name or a number and never end a sentence in news copy.
TITLE_ABBREVIATIONS = words("""
    mr mrs ms mme mlle messrs dr prof gen lt col maj capt cpt sgt cpl pvt adm cmdr brig
    gov sen rep rev hon pres supt insp det atty amb st mt ft fr sra srta
    """)
# Abbreviations that normally precede a number ("No. 10", "Jan. 5").
NUMBER_ABBREVIATIONS = words("""
    no nos vol art fig figs para pp ch sec jan feb mar apr jun jul aug sep sept oct nov dec
    """)
# Abbreviations that may end a sentence ("... Apple Inc. The company said").
AMBIGUOUS_ABBREVIATIONS = words(
    "jr inc corp co ltd llc plc bros etc al approx est dept govt univ vs"
)
# After an ambiguous abbreviation a new sentence starts only if one of these words follows.
SENTENCE_STARTERS = words("""
    a an the he she it we they i his her its their our this that these those there
    but and yet so however meanwhile in on at after before when while if as some many most
    all both each one two three what why how who such then still also
    """)

_TOKEN = re.compile(r"\S+")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_WORD_CHARS = re.compile(r"[^\W_]")
# Looking back further than this never changes a decision, and keeps huge tokens cheap.
_TAIL = 48


@dataclass(frozen=True, slots=True)
class CleanText:
    """Text with line breaks unified, other whitespace as plain spaces and invisible
    characters dropped; ``offsets[i]`` is where ``text[i]`` was in the original."""

    text: str
    offsets: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the cleaned slice ``text[start:end]``."""
        if start >= end:
            position = self.offsets[start] if start < len(self.offsets) else self.original_length
            return position, position
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a paragraph: whitespace-normalised text and its offsets in that paragraph."""

    text: str
    start: int
    end: int


def normalise(text: str) -> CleanText:
    """Unify line breaks to ``\\n``, turn other whitespace into spaces and drop control, format
    and lone surrogate characters (NUL, zero-width spaces, soft hyphens, BOMs...)."""
    if text.replace("\n", "").isprintable():  # the usual text: nothing to change
        return CleanText(text, tuple(range(len(text))), len(text))
    chars: list[str] = []
    offsets: list[int] = []
    previous = ""
    for index, char in enumerate(text):
        if char.isprintable():
            chars.append(char)
            offsets.append(index)
        elif char in LINE_BREAKS:
            if char == "\n" and previous == "\r":
                offsets[-1] = index  # "\r\n" counts as one break
            else:
                chars.append("\n")
                offsets.append(index)
        elif char.isspace():
            chars.append(" ")
            offsets.append(index)
        previous = char
    return CleanText("".join(chars), tuple(offsets), len(text))


def normalise_whitespace(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim the ends."""
    return " ".join(text.split())


def word_count(text: str) -> int:
    """Number of whitespace-separated tokens that contain a letter or a digit."""
    return sum(1 for token in text.split() if _WORD_CHARS.search(token))


def ends_sentence(token: str) -> bool:
    """True when a token ends in sentence-final punctuation, possibly followed by closing
    quotes or brackets (``.``, ``?”``, ``.)``)."""
    core = token[-_TAIL:].rstrip(CLOSERS)
    return bool(core) and core[-1] in TERMINALS


def _starts_sentence(token: str) -> bool:
    head = token[:_TAIL].lstrip(OPENERS + "—–-")
    if not head:
        return False
    first = head[0]
    # Scripts without case (Arabic, Chinese...) count as capitalised.
    return first.isdigit() or (first.isalpha() and not first.islower())


def _first_word(token: str) -> str:
    return token[:_TAIL].lstrip(OPENERS).rstrip(CLOSERS + ".,;:!?…").lower()


def _is_boundary(token: str, following: str) -> bool:
    """Whether a sentence ends after ``token`` given the token that follows it."""
    core = token[-_TAIL:].rstrip(CLOSERS)
    if not core or core[-1] not in TERMINALS:
        return False
    if not _starts_sentence(following):
        return False
    stripped = core.rstrip(TERMINALS)
    terminal = core[len(stripped) :]
    if terminal != ".":
        return True  # "?", "!", "...", "…" before a capital: the sentence is over.
    word = stripped.lstrip(OPENERS)
    if not word:
        return True
    lowered = word.lower()
    next_word = _first_word(following)
    if lowered in TITLE_ABBREVIATIONS and word[0].isupper():
        return False
    if lowered in NUMBER_ABBREVIATIONS and word[0].isupper():
        if following.lstrip(OPENERS)[:1].isdigit():
            return False
        return next_word in SENTENCE_STARTERS
    if (
        lowered in AMBIGUOUS_ABBREVIATIONS
        or _DOTTED_ACRONYM.fullmatch(word)
        or (len(word) == 1 and word.isalpha() and word.isupper())
    ):
        return next_word in SENTENCE_STARTERS
    return True


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text[start:end]``, trimmed of surrounding whitespace.

    Works token by token and looks only at a bounded tail and head of each token, so it runs in
    linear time whatever the input.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    sentence_start = -1
    previous: re.Match[str] | None = None
    for match in _TOKEN.finditer(text, start, stop):
        if previous is not None and _is_boundary(previous.group(), match.group()):
            spans.append((sentence_start, previous.end()))
            sentence_start = -1
        if sentence_start < 0:
            sentence_start = match.start()
        previous = match
    if previous is not None and sentence_start >= 0:
        spans.append((sentence_start, previous.end()))
    return spans


def split_sentences(paragraph: str) -> list[Sentence]:
    """Split a paragraph into sentences.

    Handles abbreviations (``U.S.``, ``U.N.-mediated``, ``Mr.``, ``Gen.``, ``Jan. 5``,
    ``No. 10``, initials), decimals, ellipses, and sentence-final closing quotes or brackets.
    A quotation holding several sentences is split at its sentence boundaries. Offsets are
    positions in ``paragraph``; the text is whitespace-normalised.
    """
    clean = normalise(paragraph)
    sentences = []
    for start, end in sentence_spans(clean.text):
        original_start, original_end = clean.original_span(start, end)
        sentences.append(
            Sentence(normalise_whitespace(clean.text[start:end]), original_start, original_end)
        )
    return sentences
