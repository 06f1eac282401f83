"""What is counted: the classes of issue 11, each a table of sentences written as news is.

Every pair is judged as two claims of different outlets published the same day, at a high
similarity (0.8), so that only the frames of the quantities keep apart what differs: the
subject, the attribute and verb, subgroups, distributive and additional amounts, parts and
totals, moments, and numbers that are no quantities at all.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.core.analysis import analyse_claim
from app.core.compare import Verdict, compare_claims
from app.core.quantities import extract_quantities

DAY = date(2024, 5, 9)  # a Thursday


def judge(a: str, b: str, similarity: float = 0.8, day_a: date = DAY, day_b: date = DAY) -> Verdict:
    return compare_claims(analyse_claim(a, day_a), analyse_claim(b, day_b), similarity)


MUST_NOT_CONFLICT = [
    # Of several regions in a clause, a number's is the nearest; a place inside a longer name
    # ("The Nice Guys") is no place.
    (
        "The Nice Guys grossed $36.3 million in North America and $21 million in other"
        " territories for a worldwide total of $57.3 million.",
        "The Nice Guys grossed less than $26.3 million in other territories.",
    ),
    # Different subjects: another country, another city, another company.
    ("Portugal's jobless rate rose to 9% in March.", "Greece's jobless rate rose to 14% in March."),
    ("A car bomb in Mosul killed 17 people.", "A car bomb in Aleppo killed 30 people."),
    (
        "Floods in Kenya have displaced 40,000 people.",
        "Floods in Somalia have displaced 90,000 people.",
    ),
    # Another attribute or verb.
    ("Three workers were injured in the blast.", "Five workers were killed in the blast."),
    ("Police arrested 12 protesters.", "Police detained 12 protesters and injured 30."),
    ("The army withdrew 23 warplanes.", "The army deployed 50 warplanes."),
    # Subgroups and qualifiers.
    (
        "Unemployment is 12% overall and 30% among young people.",
        "Unemployment is 12%, the statistics office said.",
    ),
    ("Turnout was 64% among women.", "Turnout was 58% nationwide."),
    # Distributive and additional amounts.
    ("Each of the two teams fired 12 shots on goal.", "The teams fired 24 shots on goal."),
    ("The bank may need another $20 billion.", "The bank may need $50 billion."),
    ("An additional 500 troops will be sent.", "The country has 3,000 troops in the region."),
    # Parts and totals.
    (
        "Fourteen people died across five states, four of them in Ohio.",
        "Ohio reported four deaths.",
    ),
    (
        "The jury awarded $10m in compensation and $50m in punitive damages.",
        "The jury awarded $60m in damages.",
    ),
    (
        "The attack killed nine people, including five Americans.",
        "The attack killed five Americans and four Israelis.",
    ),
    # A count before and after: "original" and "new" counts are other counts.
    ("The alliance had 12 original members.", "The alliance has 32 members."),
    ("Officials confirmed 8 new cases on Thursday.", "The region has 120 cases."),
    # Different moments.
    (
        "The death toll rose to 260 on Thursday.",
        "The death toll rose to 210 on Wednesday.",
    ),
    ("On 3 May the deficit was $8bn.", "On 4 May the deficit was $5bn."),
    ("In 2019 the firm employed 3,000 people.", "In 2023 the firm employed 4,500 people."),
    # Not quantities at all: ratings, scores, ranks, labels, versions.
    ("The film has an average rating of 6.8/10.", "The film opened on 6 August 2010."),
    ("Arsenal won 3-1 on Sunday.", "Arsenal won 2-0 on Sunday."),
    ("The song reached # 2 on the chart.", "The song reached # 1 on the chart."),
    ("UPDATE 2-Oil prices rose on Monday.", "UPDATE 3-Oil prices rose on Monday."),
    ("The company released Windows 10 in July.", "The company released Windows 11 in July."),
    # A background time is not the claim's time, and not its number.
    (
        "The mayor, who ran the agency between 2004 and 2011, said on Monday the plan costs "
        "$3 billion.",
        "The plan costs $3 billion, the mayor said on Monday.",
    ),
    # A bound right next to the other claim's time is loose usage, not another year.
    ("In 1969 he began planning his first film.", "After 1969 he began planning his first film."),
    # Datelines say where a story was filed, not where its numbers are.
    (
        "WASHINGTON - The special counsel has at least four dozen questions for the president.",
        "The special counsel has at least 48 questions for the president.",
    ),
]


@pytest.mark.parametrize(("a", "b"), MUST_NOT_CONFLICT)
def test_must_not_conflict(a: str, b: str) -> None:
    verdict = judge(a, b)
    assert verdict.relation != "conflict", verdict.reason


MUST_CONFLICT = [
    # The same subject named two ways.
    (
        "Acme Holdings will pay $2.1 billion for the rival.",
        "Acme will pay up to $2 billion for the rival.",
    ),
    (
        "President Trump imposed a 25 percent tariff on steel.",
        "Trump imposed a 10 percent tariff on steel.",
    ),
    # The same verb in another form, the same thing in another word.
    ("The storm killed 12 people.", "The storm has killed 20 people."),
    ("The film grossed $36 million.", "The film earned $50 million."),
    ("Officials confirmed 1,643 cases in Georgia.", "Georgia has reported 2,100 cases."),
    ("The raid involved 300 troops.", "The raid involved 450 soldiers."),
    ("Some 1,200 travellers were quarantined.", "About 2,000 travelers were quarantined."),
    # Measures written as compound adjectives.
    ("The court issued a 62-page ruling.", "The court issued a 40-page ruling."),
    ("She gave a 40-minute speech.", "She gave a 55-minute speech."),
    # Title Case and capitals read as sentence case.
    ("City Council Approves $75 Million Budget", "city council approves $60 million budget"),
    ("FERRY SINKS OFF BALI, 12 DEAD", "Ferry sinks off Bali, 30 dead"),
    # Number words anywhere, misspelt scales, a quote inside a figure.
    ("Two dead as ferry sinks off Bali", "Nine killed as ferry sinks off Bali"),
    ("Nearly two dozen people were hurt.", "Forty people were hurt."),
    ("The deal is worth $4 billon.", "The deal is worth $7 billion."),
    ("The project will cost \u201c$4.2\u201d billion.", "The project will cost $6 billion."),
    # Dates and years as the claimed value.
    ("The company was founded in 1979.", "The company was founded after 1988."),
    ("The singer was born on January 3, 1966.", "The singer was born after 1975."),
    # Attributed claims that disagree: what a fact-checker wants to see.
    (
        "The ministry said fewer than 2,000 people were displaced.",
        "Aid groups say 40,000 people were displaced.",
    ),
    # Indian English scales.
    ("The state spent Rs 500 crore on the scheme.", "The state spent Rs 200 crore on the scheme."),
    # The same act in other words: box office "made" and "grossed", reviews "rated" and
    # "scored", a score out of 100 and a percentage.
    (
        "The film made $31 million in its first week.",
        "The film grossed $45 million in its first week.",
    ),
    ("Critics rated the album 62%.", "Critics scored the album 81%."),
    # A weak match (the budget) does not settle a number whose best match disagrees.
    (
        "The film has grossed $56.9 million in the United States and Canada and $2.7 million in"
        " other territories, for a worldwide total of $59.6 million, against a production"
        " budget of $10 million.",
        "The film earned less than $55 million globally.",
    ),
    (
        "On Metacritic the film has a score of 42 out of 100.",
        "The film scored 61% on Metacritic.",
    ),
]


@pytest.mark.parametrize(("a", "b"), MUST_CONFLICT)
def test_must_conflict(a: str, b: str) -> None:
    verdict = judge(a, b)
    assert verdict.relation == "conflict", verdict.reason


def test_a_bound_of_time_conflicts_with_the_other_claims_date() -> None:
    # Publication dates unknown (as in a reference text): only the written dates place them.
    a = analyse_claim("On March 14, 2018 it was announced that the singer had earned his diploma.")
    b = analyse_claim("The singer earned his diploma before 2017.")
    verdict = compare_claims(a, b, 0.8)
    assert verdict.relation == "conflict", verdict.reason
    assert "before 2017" in verdict.reason


def test_a_conflict_names_what_was_compared() -> None:
    verdict = judge("Acme Holdings will pay $2.1 billion.", "Acme will pay up to $2 billion.")
    assert verdict.relation == "conflict"
    assert "acme holdings / acme: the same subject" in verdict.reason
    assert "pay: the same predicate" in verdict.reason


def test_one_to_one_pairing_uses_each_number_once() -> None:
    # 12% restates 12%; the 30% of the young is paired with nothing.
    verdict = judge(
        "Unemployment is 12% overall and 30% among young people.", "Unemployment is 12%."
    )
    assert verdict.relation == "agree"
    assert verdict.agreements == 1


@pytest.mark.parametrize(
    ("sentence", "kind", "unit"),
    [
        ("The film holds an average rating of 6.8/10.", "rating", "/10"),
        ("Metacritic gave it a score of 87 out of 100.", "rating", "/100"),
        ("The company was founded after 1988.", "date", "day"),
        ("The state spent Rs 500 crore.", "money", "INR"),
    ],
)
def test_kinds_of_quantity(sentence: str, kind: str, unit: str) -> None:
    (q,) = extract_quantities(sentence)
    assert (q.kind, q.unit) == (kind, unit)


@pytest.mark.parametrize(
    ("sentence", "places", "names"),
    [
        ("A car bomb in Mosul killed 17 people.", ("mosul",), ()),
        ("Portugal's jobless rate rose to 9%.", ("portugal",), ()),
        ("In Bosnia and Herzegovina there were 1,690 cases.", ("bosnia and herzegovina",), ()),
        ("Acme Holdings will pay $2.1 billion.", (), ("acme holdings",)),
        ("The ministry said fewer than 2,000 people were displaced.", (), ()),
    ],
)
def test_the_subject_of_a_quantity(
    sentence: str, places: tuple[str, ...], names: tuple[str, ...]
) -> None:
    (q,) = extract_quantities(sentence)
    assert (q.places, q.names) == (places, names)


def test_a_verb_after_and_belongs_to_another_clause() -> None:
    """ "... 670 million views on YouTube and is ranked 13": the views are not ranked."""
    views = extract_quantities("The song has 670 million views on YouTube and is ranked 13.")[0]
    assert views.noun == "view"
    assert views.predicate != "rank"


def test_a_score_out_of_100_is_still_a_rating_against_a_rating() -> None:
    verdict = judge(
        "On Metacritic the film has a score of 32 out of 100.",
        "On Metacritic the film has a score of 60.",
    )
    assert verdict.relation == "conflict", verdict.reason
