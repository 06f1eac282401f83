"""Sentence splitting and text normalisation, on real news sentences."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.text import Sentence, normalise, normalise_whitespace, split_sentences

SPLITS = [
    # abbreviations
    (
        "The U.S. and the U.N. agreed on a plan. Talks resume on Jan. 5 in Geneva.",
        ["The U.S. and the U.N. agreed on a plan.", "Talks resume on Jan. 5 in Geneva."],
    ),
    (
        "Rebels were aided by foreign military supplies including U.S.-made anti-tank missiles."
        " Mr. Putin gave no deadline.",
        [
            "Rebels were aided by foreign military supplies including U.S.-made anti-tank"
            " missiles.",
            "Mr. Putin gave no deadline.",
        ],
    ),
    (
        "The president said so as U.N.-mediated talks resumed in Geneva.",
        ["The president said so as U.N.-mediated talks resumed in Geneva."],
    ),
    (
        "Army Col. Rob Manning and Gen. Sergei Surovikin spoke. J. Smith disagreed.",
        ["Army Col. Rob Manning and Gen. Sergei Surovikin spoke.", "J. Smith disagreed."],
    ),
    (
        "Moscow gave Washington no advance warning, two U.S. officials said. Speaking on"
        " condition of anonymity, they added that they had seen no indications.",
        [
            "Moscow gave Washington no advance warning, two U.S. officials said.",
            "Speaking on condition of anonymity, they added that they had seen no indications.",
        ],
    ),
    (
        "The sanctions were imposed by the U.S. The move surprised Moscow.",
        ["The sanctions were imposed by the U.S.", "The move surprised Moscow."],
    ),
    (
        "Two U.S. Air Force A-10s nearly collided head-on with a Russian Su-24.",
        ["Two U.S. Air Force A-10s nearly collided head-on with a Russian Su-24."],
    ),
    (
        "The No. 2 official resigned. Nobody knows why.",
        ["The No. 2 official resigned.", "Nobody knows why."],
    ),
    ("Apple Inc. said profits rose.", ["Apple Inc. said profits rose."]),
    ("St. Petersburg hosted the talks.", ["St. Petersburg hosted the talks."]),
    (
        "It happened at 9 a.m. The police arrived later.",
        ["It happened at 9 a.m.", "The police arrived later."],
    ),
    ("The Plan B. The plan failed.", ["The Plan B.", "The plan failed."]),
    # decimals and numbers
    (
        "The index closed at 74.58 on Monday. It rose 1.2 percent in 2015. 250 people died.",
        [
            "The index closed at 74.58 on Monday.",
            "It rose 1.2 percent in 2015.",
            "250 people died.",
        ],
    ),
    # closing quotes and brackets
    (
        "“The effective work of our military created the conditions for the start of the peace"
        " process,” he said. “I believe that the task put before the defense ministry has, on"
        " the whole, been fulfilled.”",
        [
            "“The effective work of our military created the conditions for the start of the"
            " peace process,” he said.",
            "“I believe that the task put before the defense ministry has, on the whole, been"
            " fulfilled.”",
        ],
    ),
    (
        'It also said Russia had pledged to continue its support for Syria in "combating'
        " terrorism.\" Meanwhile, Syria's army said it will continue.",
        [
            'It also said Russia had pledged to continue its support for Syria in "combating'
            ' terrorism."',
            "Meanwhile, Syria's army said it will continue.",
        ],
    ),
    (
        "Damascus warned that any discussion about removing Assad would be a “red line”. Top"
        " Western diplomats condemned the comment.",
        [
            "Damascus warned that any discussion about removing Assad would be a “red line”.",
            "Top Western diplomats condemned the comment.",
        ],
    ),
    (
        "The group retreated (after heavy losses.) Officials confirmed it.",
        ["The group retreated (after heavy losses.)", "Officials confirmed it."],
    ),
    (
        "Assad was told first. (The Kremlin confirmed the call.) Talks went on.",
        ["Assad was told first.", "(The Kremlin confirmed the call.)", "Talks went on."],
    ),
    # a quote holding several sentences: split at its own sentence boundaries
    (
        "“I don’t understand the Russian announcement, it’s a surprise, like the way they"
        " entered the war. God protect us,” Fadi Ahmad told Reuters.",
        [
            "“I don’t understand the Russian announcement, it’s a surprise, like the way they"
            " entered the war.",
            "God protect us,” Fadi Ahmad told Reuters.",
        ],
    ),
    ("“Why now?” he asked. Nobody answered.", ["“Why now?” he asked.", "Nobody answered."]),
    ("Why now? Nobody knows.", ["Why now?", "Nobody knows."]),
    # ellipses
    ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
    (
        "the Russian Federation, the USA … and to the Security Council.",
        ["the Russian Federation, the USA … and to the Security Council."],
    ),
    ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
    # other scripts, stray whitespace, line breaks inside a paragraph
    ("Путин заявил об этом. Войска уходят.", ["Путин заявил об этом.", "Войска уходят."]),
    (
        "He said\nthat it was\u00a0over.  Then   he left.",
        ["He said that it was over.", "Then he left."],
    ),
    ("", []),
    ("   \n ", []),
    ("No full stop here", ["No full stop here"]),
]


@pytest.mark.parametrize(("paragraph", "expected"), SPLITS)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert [sentence.text for sentence in split_sentences(paragraph)] == expected


def test_sentence_offsets_point_into_the_paragraph() -> None:
    paragraph = "  Russia agreed.\u200b  The U.S. did not.\n"
    assert split_sentences(paragraph) == [
        Sentence("Russia agreed.", 2, 16),
        Sentence("The U.S. did not.", 19, 36),
    ]


def test_normalise_drops_invisible_characters_and_keeps_offsets() -> None:
    clean = normalise("a\x00b\u200bc\r\nd\u2028e\u00a0f\ud800")
    assert clean.text == "abc\nd\ne f"
    assert clean.offsets == (0, 2, 4, 6, 7, 8, 9, 10, 11)
    assert clean.original_span(0, 3) == (0, 5)
    assert clean.original_span(9, 9) == (13, 13)


@given(st.text())
def test_split_sentences_covers_the_words_of_any_text(text: str) -> None:
    sentences = split_sentences(text)
    assert " ".join(sentence.text for sentence in sentences) == normalise_whitespace(
        normalise(text).text
    )
    for sentence in sentences:
        assert normalise_whitespace(normalise(text[sentence.start : sentence.end]).text) == (
            sentence.text
        )
