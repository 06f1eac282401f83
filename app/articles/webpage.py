"""An article read out of a web page: its main text and title by ``trafilatura``, its
publication date by ``htmldate``.

The service never fetches anything: both libraries would download a string that looks like a
URL, so the page is parsed here once, by ``trafilatura.load_html`` (which only parses), and both
are handed the parsed tree. CPU work: call it off the event loop (the ingest flow does, before
any transaction).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from app.exceptions import InvalidInput


@dataclass(frozen=True, slots=True)
class ReadPage:
    """What was read in a page: the text the claims come from, and what it says of itself."""

    text: str
    title: str | None
    published_at: date | None


def read_html(html: str) -> ReadPage:
    """The main text, title and publication date of an article page (navigation, footers,
    scripts, cookie banners and related links left out); ``InvalidInput`` when no article text
    is found."""
    # Imported on first use: about 25 MB per worker process that never reads a page.
    import htmldate
    import trafilatura

    tree = trafilatura.load_html(html) if html.strip() else None
    if tree is None:
        raise InvalidInput("html is not an HTML document: send the page's HTML source.")
    # htmldate reads the page's own markup only (meta tags, JSON-LD, <time>, the url), not
    # dates in the prose, which are the events' dates rather than the publication's.
    found = htmldate.find_date(
        copy.deepcopy(tree), original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
    )
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_recall=True,  # a short article's last paragraphs are claims too
        deduplicate=False,  # a caption repeated under a photo is still the article's
    )
    text = getattr(document, "text", None) or ""
    if not text.strip():
        raise InvalidInput(
            "No article text was found in html: send the article's page (or its text as text)."
        )
    title = getattr(document, "title", None) or None
    return ReadPage(text, title, date.fromisoformat(found) if found else None)
