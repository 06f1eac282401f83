"""Claims: the sentences of a news article that state something.

Raw article text arrives as scraped, with navigation, captions, media-player text, credits and
the outlet's footer around the story. ``clean_text`` keeps the paragraphs of the story itself,
``app.core.text`` cuts them into sentences and ``extract_claims``
keeps the sentences that make a statement, once each, with their offsets in the text sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.text import (
    CLOSERS,
    OPENERS,
    CleanText,
    ends_sentence,
    normalise,
    normalise_whitespace,
    phrases,
    sentence_spans,
    word_count,
    words,
)

MIN_CLAIM_WORDS = 4

# Words a title-case headline leaves in lower case; a statement has some other lowercase word.
HEADLINE_SMALL_WORDS = words("""
    a an the and or but nor for of to in on at by from with as vs via into onto over per
    up out off
    """)

# Last line of defence: lines that are page furniture whatever surrounds them.
FURNITURE_LINES = phrases("""
    accessibility links / skip to content / skip to main content / skip to navigation
    breaking news / 16x9 image / please wait / no media source currently available
    advertisement / advertising / share / share this / share this article
    share on facebook / share on twitter / tweet / email / print / comments / read more
    related / related stories / related articles / sign up / subscribe / sign in / log in
    menu / search / close / loading / back to top / image / photo / video / listen / watch
    """)
_LONGEST_FURNITURE_LINE = 2 * max(map(len, FURNITURE_LINES))
# ...and phrases that mark a sentence as furniture wherever they occur.
FURNITURE_PHRASES = (
    "journalists report the news in",
    "having issues with commenting",
    "click here",
    "no media source currently available",
    "all rights reserved",
    "may not be published, broadcast",
    "subscribe to our",
)

# Media and cross-link labels: "WATCH: ...", "READ MORE: ...", "Related: ...".
_LABEL = re.compile(
    r"[\W_]{0,4}(?:watch|video|listen|audio|photos?|gallery|read more|read also|also read"
    r"|related|see also|more|recommended|advertisement|sponsored)\s{0,3}[:|]",
    re.IGNORECASE,
)
# A credit line ends the story; the outlet's footer follows it.
_CREDIT = re.compile(
    r"[\W_]{0,4}(?:with\s+)?(?:additional\s+)?"
    r"(?:reporting|writing|editing|compiled|reported|written|contributing)"
    r"(?:\s+and\s+(?:reporting|writing|editing))?\s+by\b"
    r"|[\W_]{0,4}contributing\s*:",
    re.IGNORECASE,
)
_LONGEST_CREDIT_WORDS = 60
_CONTRIBUTED = re.compile(
    r"\bcontributed(?:\s+reporting)?\s+to\s+this\s+(?:report|story|article)\b", re.IGNORECASE
)
_DATE_LINE = re.compile(
    r"[\W_]{0,4}(?:published|updated|posted|last updated|first published)\b.{0,60}\d",
    re.IGNORECASE,
)
# A wire dateline opening the first paragraph: "MOSCOW (AP) — ", "BEIRUT, Lebanon (Reuters) - ".
_AGENCY = r"\((?:[A-Z][\w/&.]{0,12}|dpa)(?: [A-Z][\w/&.]{0,12}){0,2}\)"
_DATELINE = re.compile(
    rf"(?:[A-Z]{{2,}}[A-Z .'’-]{{0,30}}(?:,[ A-Za-z.]{{1,30}})?\s?(?:{_AGENCY})?"
    rf"|[A-Z][\w .,'’-]{{0,40}}{_AGENCY})"
    r"\s?[—–-]{1,2}\s+"
)
_LETTER = re.compile(r"[^\W\d_]")
# Quote marks, and the pronouns of an outlet talking to its reader: "you", "we", "our"
# ("US" in capitals is the country).
_QUOTE_OR_PRONOUN = re.compile(
    r"[\"'“”«»„‘’]"
    r"|\b(?i:you|your|yours|yourself|yourselves|we|our|ours|ourselves)\b|\bus\b"
)
# Verbs that, opening a sentence outside quotes, address the reader: "Find your country's...".
_READER_VERBS = words("""
    click tap find subscribe sign read follow share download watch listen contact visit
    learn join register log check get send email call donate enable try discover explore
    see view tell let
    """)
# ...when followed by one of these ("Share prices fell" is a statement, "Share this" is not).
_READER_OBJECTS = words("""
    the a an your our us me more out up in here this these it them now back all below above
    today to on about
    """)
_ALWAYS_READER = frozenset({"please", "don't", "don’t", "do not"})


_PLAIN_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"}
)


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence of an article that states something."""

    text: str  # the sentence, whitespace-normalised, as written
    position: int  # 0-based index among the article's claims
    start: int  # character offsets of the sentence in the original text passed in
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the story: whitespace-normalised text and its offsets in the original."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offsets in the cleaned text, trimmed of surrounding whitespace
    end: int
    blank_before: bool  # a blank (or removed) line separates it from the previous line


def _key(text: str) -> str:
    """Comparison key for lines: case, spacing, quote style and punctuation at the ends ignored."""
    words = normalise_whitespace(text).casefold().translate(_PLAIN_QUOTES)
    start, end = 0, len(words)
    while start < end and not words[start].isalnum():
        start += 1
    while end > start and not words[end - 1].isalnum():
        end -= 1
    return words[start:end]


def _dedupe_key(text: str) -> str:
    return normalise_whitespace(text).casefold().translate(_PLAIN_QUOTES)


def _is_furniture_line(line: str) -> bool:
    if not _LETTER.search(line):
        return True  # timestamps, bullets, rules: "0:00 0:01:03 0:00"
    if len(line) <= _LONGEST_FURNITURE_LINE and _key(line) in FURNITURE_LINES:
        return True
    return bool(_DATE_LINE.match(line)) and word_count(line) <= 8


def _lines(clean: CleanText, title: str | None) -> list[_Line]:
    """The non-empty lines of the text, without furniture lines and the page header."""
    lines: list[_Line] = []
    blank = True
    position = 0
    text = clean.text
    title_key = _key(title) if title else ""
    header_marked = False
    while position <= len(text):
        newline = text.find("\n", position)
        end = len(text) if newline < 0 else newline
        segment = text[position:end]
        stripped = segment.strip()
        if not stripped or _is_furniture_line(stripped):
            blank = True
        elif title_key and _key(stripped) == title_key:
            if not header_marked:
                lines.append(_Line(-1, -1, True))  # marks where the page header ends
                header_marked = True
            blank = True
        else:
            lead = len(segment) - len(segment.lstrip())
            start = position + lead
            lines.append(_Line(start, start + len(stripped), blank))
            blank = False
        if newline < 0:
            break
        position = newline + 1
    return lines


def _joins_previous(clean: CleanText, previous: _Line, line: _Line) -> bool:
    """Whether a line continues the previous one (hard-wrapped text), not a new paragraph."""
    if line.blank_before:
        return False
    before = clean.text[previous.start : previous.end]
    if ends_sentence(before[-64:]):
        return False
    first = clean.text[line.start : line.start + 1]
    return first.islower() or before[-1:] in ",;:"


def _paragraph_spans(clean: CleanText, lines: list[_Line]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    previous: _Line | None = None
    for line in lines:
        if previous is not None and _joins_previous(clean, previous, line):
            spans[-1] = (spans[-1][0], line.end)
        else:
            spans.append((line.start, line.end))
        previous = line
    return spans


def _is_credit(paragraph: str) -> bool:
    """A credit line: "With reporting by AFP...", "(Reporting by Tom Perry; Editing by...)",
    "... contributed to this report." ("Writing by hand, she..." is not one.)"""
    match = _CREDIT.match(paragraph)
    if match:
        credited = paragraph[match.end() : match.end() + 8].lstrip()[:1]
        if not credited.isupper():
            return False
    elif not _CONTRIBUTED.search(paragraph):
        return False
    return word_count(paragraph[:2000]) <= _LONGEST_CREDIT_WORDS


def _addresses_reader(
    clean: CleanText, start: int, end: int, sentences: list[tuple[int, int]]
) -> bool:
    """True for a paragraph in which the outlet speaks to its reader: "you", "your", "we",
    "our" outside quotes, or a sentence outside quotes opening with a request ("Please...",
    "Find your...", "Click here")."""
    text = clean.text
    double_open = single_open = False
    # Words seen outside quotes count only once no closing mark shows they were quoted after
    # all: the quote may have opened in an earlier sentence or paragraph.
    unquoted = False
    for sentence_start, sentence_end in sentences:
        if not (double_open or single_open) and _is_reader_imperative(
            text[sentence_start : min(sentence_end, sentence_start + 64)]
        ):
            unquoted = True
        for match in _QUOTE_OR_PRONOUN.finditer(text, sentence_start, sentence_end):
            mark = match.group()
            at = match.start()
            before = text[at - 1] if at > start else " "
            after = text[at + 1] if at + 1 < end else " "
            was_open = double_open or single_open
            if len(mark) > 1:
                unquoted = unquoted or not was_open
                continue
            if mark in "“«„":
                double_open = True
            elif mark in "”»":
                double_open = False
            elif mark == '"':
                double_open = before.isspace() or before in OPENERS
            elif mark == "‘" or (mark == "'" and not before.isalnum() and after.isalnum()):
                single_open = True
            elif not after.isalnum():  # a closing "’" or "'", not an apostrophe
                single_open = False
            else:
                continue
            if double_open or single_open:
                if unquoted and not was_open:
                    return True
            elif not was_open:
                unquoted = False
    return unquoted


def _is_reader_imperative(head: str) -> bool:
    words = head.lower().split(maxsplit=2)
    if not words:
        return False
    first = words[0].strip(",.:;!")
    if first in _ALWAYS_READER or " ".join(words[:2]) in _ALWAYS_READER:
        return True
    second = words[1].strip(",.:;!?") if len(words) > 1 else ""
    return first in _READER_VERBS and second in _READER_OBJECTS


def _has_statement_word(text: str) -> bool:
    """At least one lowercase word beyond those a title-case headline leaves in lower case."""
    for token in text.split():
        word = token.strip(OPENERS + CLOSERS + ".,;:!?…")
        letters = word.replace("-", "").replace("'", "").replace("’", "")
        if letters.isalpha() and letters.islower() and word not in HEADLINE_SMALL_WORDS:
            return True
    return False


def is_claim(sentence: str, *, continues_paragraph: bool = False) -> bool:
    """Whether a sentence states something: enough words, a statement rather than a
    title-case headline, sentence-final punctuation, not a question, not known furniture.

    ``continues_paragraph`` tolerates a missing full stop on a sentence that follows another
    sentence of the same paragraph (scrapes drop the final full stop after a closing quote).
    """
    text = normalise_whitespace(sentence)
    if word_count(text) < MIN_CLAIM_WORDS or not _has_statement_word(text):
        return False
    tail = text[-64:].rstrip(CLOSERS)
    if tail.endswith("?") or tail.endswith("…") or tail.endswith(".."):
        return False
    if not ends_sentence(tail) and not (continues_paragraph and text[-1] in CLOSERS):
        return False
    folded = text.casefold()
    return not any(phrase in folded for phrase in FURNITURE_PHRASES)


def _story(clean: CleanText, title: str | None) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """Paragraph spans of the story (cleaned-text offsets) with the spans of their claims."""
    lines = _lines(clean, title)
    header_end = next((i for i, line in enumerate(lines) if line.start < 0), -1)
    body = [line for line in lines[header_end + 1 :] if line.start >= 0]
    if header_end >= 0 and not _has_claims(clean, body):
        # The title line came after the story (or alone): it did not end a page header.
        body = [line for line in lines if line.start >= 0]
    seen_claim = False
    for start, end in _paragraph_spans(clean, body):
        paragraph = clean.text[start:end]
        if _is_credit(paragraph):
            if seen_claim:
                return  # what follows the credits is the outlet's footer
            continue
        if _LABEL.match(paragraph):
            continue
        dateline = None if seen_claim else _DATELINE.match(paragraph)
        if dateline and dateline.end() < len(paragraph):
            start += dateline.end()
        sentences = sentence_spans(clean.text, start, end)
        if _addresses_reader(clean, start, end, sentences):
            continue
        claims = _claim_spans(clean, sentences)
        seen_claim = seen_claim or bool(claims)
        yield start, end, claims


def _claim_spans(clean: CleanText, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [
        (s, e)
        for index, (s, e) in enumerate(spans)
        if is_claim(clean.text[s:e], continues_paragraph=index > 0)
    ]


def _has_claims(clean: CleanText, lines: list[_Line]) -> bool:
    return any(
        _claim_spans(clean, sentence_spans(clean.text, start, end))
        for start, end in _paragraph_spans(clean, lines)
    )


def clean_text(text: str, title: str | None = None) -> list[Paragraph]:
    """The paragraphs of the story in a scraped article, page furniture removed.

    Dropped: lines before the first line equal to ``title`` (the page header) and that line;
    known furniture lines (navigation, media-player text, timestamps, "Published on" dates);
    cross-link and media labels ("WATCH: ..."); paragraphs that address the reader; and the
    credit line ("With reporting by...", "(Additional reporting by...)") with everything after
    it. Lines of a hard-wrapped paragraph are joined. Offsets refer to ``text``.
    """
    clean = normalise(text)
    paragraphs = []
    for start, end, _ in _story(clean, title):
        original_start, original_end = clean.original_span(start, end)
        paragraphs.append(
            Paragraph(normalise_whitespace(clean.text[start:end]), original_start, original_end)
        )
    return paragraphs


def extract_claims(
    text: str, title: str | None = None, max_claims: int | None = None
) -> list[Claim]:
    """The claims of an article, in order, each stated once.

    A claim is a sentence of the story (see ``clean_text``) that ``is_claim``. Sentences
    repeated in the article (a caption doubled as alt text) are kept at their first
    occurrence. Never raises on a ``str``; runs in linear time.
    """
    if max_claims is not None and max_claims <= 0:
        return []
    clean = normalise(text)
    claims: list[Claim] = []
    seen: set[str] = set()
    for _, _, spans in _story(clean, title):
        for start, end in spans:
            sentence = normalise_whitespace(clean.text[start:end])
            key = _dedupe_key(sentence)
            if key in seen:
                continue
            seen.add(key)
            original_start, original_end = clean.original_span(start, end)
            claims.append(Claim(sentence, len(claims), original_start, original_end))
            if max_claims is not None and len(claims) >= max_claims:
                return claims
    return claims
