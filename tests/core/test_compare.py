"""Pairwise verdicts on real sentences: the seeds' required outcomes and each rule."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.analysis import DateSpan, analyse_claim
from app.core.compare import ComparePolicy, Verdict, compare_claims

AP = date(2016, 3, 14)
AFP = date(2016, 3, 14)
RFERL = date(2016, 3, 15)
RFERL_2017 = date(2017, 12, 11)

AP_250K = (
    "Several ceasefires and peace talks have been attempted since the conflict, which has "
    "killed 250,000 people, broke out five years ago this week."
)
RFERL_270K = (
    "The long-awaited talks, which opened on the eve of the fifth anniversary of the outbreak "
    "of the conflict, mark the latest bid to end the bloodshed that has killed more than "
    "270,000 people and displaced millions."
)
AFP_270K = (
    "The UN-hosted negotiations in Geneva are the latest effort to end violence that has "
    "killed more than 270,000 people and displaced millions."
)
RFERL_50_JETS = (
    "Russia has more than 50 jets and helicopters in Syria and a small ground component "
    "protecting them, along with a number of advisers and special forces operating with the "
    "Syrian military."
)
AFP_50_WARPLANES = (
    "Russia sent over 50 warplanes to carry out thousands of strikes across the Syria arguing "
    "that it was targeting “terrorist” groups including Islamic State jihadists."
)
RFERL_23_WARPLANES = (
    "Surovikin later said the military will pull out 23 warplanes, two helicopter gunships, "
    "special forces units, military police, and field engineers."
)
RFERL_HUNDREDS_OF_THOUSANDS = (
    "Russia has given Assad's government crucial military backing throughout the war, which "
    "has killed hundreds of thousands of people and displaced millions since it began with a "
    "state crackdown on pro-democracy protesters in March 2011."
)
AP_FIVE_YEAR_WAR = (
    "President Vladimir Putin said on Monday “the main part” of Russian armed forces in Syria "
    "would start to withdraw, and instructed his diplomats to step up the push for peace as "
    "U.N.-mediated talks resumed in Geneva on ending the five-year war."
)
RFERL_FOOTER = (
    "RFE/RL journalists report the news in 27 languages in 23 countries where a free press is "
    "banned by the government or not fully established."
)
RFERL_15_MEMBERS = (
    "The president of the UN Security Council said all 15 members view the partial Russian "
    'withdrawal as "positive."'
)
AP_THREE_ROUNDS = (
    "In Geneva, United Nations mediator Staffan de Mistura warned the warring parties there was "
    "no “Plan B” other than a resumption of conflict if the first of three rounds of talks "
    "which aim to agree a “clear roadmap” for Syria failed to make progress."
)
AP_TWO_YEARS = (
    "The Geneva talks are the first in more than two years and come amid a marked reduction in "
    "fighting after last month’s “cessation of hostilities”, sponsored by Washington and Moscow "
    "and accepted by Assad’s government and many of his foes."
)
AP_TWO_OFFICIALS = (
    "Moscow gave Washington no advance warning of Putin’s announcement, two U.S. officials said."
)
AP_TWO_YEARS_AGO = "Peace talks in Geneva two years ago collapsed after making no progress."
RFERL_FIVE_MONTHS = (
    'Putin ordered the launch of air strikes against "terrorists" in Syria more than five '
    "months ago, a move that helped to shore up Assad."
)


def judge(
    text_a: str, date_a: date | None, text_b: str, date_b: date | None, similarity: float
) -> Verdict:
    return compare_claims(analyse_claim(text_a, date_a), analyse_claim(text_b, date_b), similarity)


# (a, date a, b, date b, MiniLM cosine, relation)
SEED_PAIRS = [
    (AP_250K, AP, RFERL_270K, RFERL, 0.62, "conflict"),
    (AP_250K, AP, AFP_270K, AFP, 0.50, "conflict"),
    (RFERL_270K, RFERL, AP_250K, AP, 0.62, "conflict"),
    (RFERL_50_JETS, RFERL, AFP_50_WARPLANES, AFP, 0.61, "agree"),
    (RFERL_23_WARPLANES, RFERL_2017, RFERL_50_JETS, RFERL, 0.55, "unrelated"),
    (RFERL_23_WARPLANES, RFERL_2017, AFP_50_WARPLANES, AFP, 0.60, "unrelated"),
    (RFERL_HUNDREDS_OF_THOUSANDS, RFERL_2017, RFERL_270K, RFERL, 0.60, "unrelated"),
    (AP_FIVE_YEAR_WAR, AP, RFERL_270K, RFERL, 0.50, "unrelated"),
]


@pytest.mark.parametrize(("a", "da", "b", "db", "sim", "relation"), SEED_PAIRS)
def test_seed_pairs(a: str, da: date, b: str, db: date, sim: float, relation: str) -> None:
    assert judge(a, da, b, db, sim).relation == relation


def test_seed_conflict_explains_itself() -> None:
    verdict = judge(AP_250K, AP, RFERL_270K, RFERL, 0.62)
    (conflict,) = verdict.conflicts
    assert conflict.measure == "people killed"
    assert conflict.a.text == "250,000 people"
    assert conflict.b.text == "more than 270,000 people"
    assert conflict.rule == "disjoint-intervals"
    assert conflict.relative_gap == pytest.approx((270_000 - 255_000) / 270_000, abs=1e-4)
    assert 0 < conflict.severity <= 1
    assert "people killed" in verdict.reason
    assert "250,000" in verdict.reason
    assert "270,000" in verdict.reason


def test_toll_of_hundreds_of_thousands_is_compatible_within_the_window() -> None:
    # Same numbers, same day: only the ranges decide.
    verdict = judge(RFERL_HUNDREDS_OF_THOUSANDS, RFERL, RFERL_270K, RFERL, 0.6)
    assert verdict.relation == "agree"


def test_period_start_date_does_not_move_the_event_time() -> None:
    facts = analyse_claim(RFERL_HUNDREDS_OF_THOUSANDS, RFERL_2017)
    assert facts.when == DateSpan(RFERL_2017, RFERL_2017)


@pytest.mark.parametrize(
    "other",
    [
        RFERL_FOOTER,
        RFERL_15_MEMBERS,
        AP_THREE_ROUNDS,
        AP_TWO_YEARS,
        AP_TWO_OFFICIALS,
        AP_TWO_YEARS_AGO,
        RFERL_FIVE_MONTHS,
        RFERL_50_JETS,
        AFP_50_WARPLANES,
        AP_FIVE_YEAR_WAR,
    ],
)
@pytest.mark.parametrize(
    "seed", [AP_250K, RFERL_270K, AFP_270K, RFERL_23_WARPLANES, AP_FIVE_YEAR_WAR]
)
def test_incidental_numbers_never_conflict(seed: str, other: str) -> None:
    # Same day and a high similarity: only measure matching keeps these apart.
    assert judge(seed, AP, other, AP, 0.9).relation != "conflict"


# (a, b, relation) on the same day with a high similarity.
RULES = [
    # Qualifiers read as intervals.
    ("The war has killed 400,000 people.", "The war has killed more than 270,000 people.", "agree"),
    ("The war has killed 250,000 people.", "The war has killed 251,000 people.", "agree"),
    ("The war has killed 250,000 people.", "The war has killed 270,000 people.", "conflict"),
    ("The war has killed about 250,000 people.", "The war has killed 270,000 people.", "agree"),
    ("The crash killed 12 people.", "The crash killed at least 12 people.", "agree"),
    ("The crash killed 12 people.", "The crash killed more than 12 people.", "conflict"),
    ("He was jailed for 6 years.", "He was jailed for less than 6 years.", "conflict"),
    ("The index fell 74.58 points.", "The index fell 74.6 points.", "conflict"),
    ("The war has displaced millions.", "The war has displaced 4.8 million people.", "agree"),
    ("Tens of thousands of people marched.", "Some 50,000 people marched.", "agree"),
    # Units and currencies are normalised.
    (
        "The firm paid $5bn for the rival.",
        "The firm paid 5 billion dollars for the rival.",
        "agree",
    ),
    ("The firm paid $5bn for the rival.", "The firm paid $7bn for the rival.", "conflict"),
    ("The firm paid $5bn for the rival.", "The firm paid £5bn for the rival.", "unrelated"),
    ("Turnout was 64% in the capital.", "Turnout was 64 per cent in the capital.", "agree"),
    # Different measures are not compared.
    (
        "The war has killed 250,000 people.",
        "The war has displaced 270,000 people.",
        "unrelated",
    ),
    (
        "The army withdrew 23 warplanes.",
        "The army deployed 50 warplanes.",
        "unrelated",
    ),
    # Elided nouns and parts of a total.
    ("65 are missing and 750 rescued.", "65 are missing and 700 rescued.", "conflict"),
    (
        "Only 12 of the 300 passengers survived.",
        "Only 15 of the 300 passengers survived.",
        "conflict",
    ),
    (
        "Only 12 of the 300 passengers survived.",
        "Only 12 of the 250 passengers survived.",
        "conflict",
    ),
    # $60m is the two awards together: the parts sum to it.
    (
        "The jury awarded $10m in compensation and $50m in punitive damages.",
        "The jury awarded $60m in damages.",
        "agree",
    ),
    # Negation and direction.
    ("Unemployment was not more than 10%.", "Unemployment was 12%.", "agree"),
    ("Apple shares rose 3% on Monday.", "Apple shares fell 3% on Monday.", "conflict"),
    ("Apple shares were up 3% on Monday.", "Apple shares were down 3% on Monday.", "conflict"),
    ("Apple shares rose 3% on Monday.", "Apple shares gained 3% on Monday.", "agree"),
    # A number with no noun is compared only in the very same wording around it.
    (
        "If KING is coded as 17 and MASS is coded as 29.",
        "If KING is coded as more than 17 and MASS is coded as 29.",
        "conflict",
    ),
    ("Jack took a 3 - hour bike ride.", "Jack took a 2 - hour bike ride.", "conflict"),
    ("They invested $ 65 in the firm.", "They invested $ more than 65 in the firm.", "conflict"),
    # Averages are not totals; a new level is not the change that reached it.
    (
        "Clinical trials involve 240 patients in 10 centres.",
        "Clinical trials involve an average of 200 patients per trial.",
        "unrelated",
    ),
    # The new level is stated twice, the change once: 547,000 restates 547,000.
    (
        "Gates recommended that the Army be increased by 65,000 soldiers, to a total of 547,000.",
        "Gates suggested that the Army should be increased to 547,000 soldiers.",
        "agree",
    ),
    # Durations written three ways.
    ("The five-year war goes on.", "The five-year war goes on.", "agree"),
]


@pytest.mark.parametrize(("a", "b", "relation"), RULES)
def test_rules(a: str, b: str, relation: str) -> None:
    day = date(2020, 5, 4)
    verdict = judge(a, day, b, day, 0.9)
    assert verdict.relation == relation, verdict.reason
    if relation == "conflict":
        assert verdict.conflicts
        assert all(0 <= c.severity <= 1 for c in verdict.conflicts)


def test_opposite_direction_rule_is_named() -> None:
    day = date(2020, 5, 4)
    verdict = judge(
        "Apple shares rose 3% on Monday.", day, "Apple shares fell 3% on Monday.", day, 0.9
    )
    assert verdict.conflicts[0].rule == "opposite-direction"


def test_low_similarity_is_unrelated() -> None:
    verdict = judge(AP_250K, AP, RFERL_270K, RFERL, 0.3)
    assert verdict.relation == "unrelated"
    assert "0.30" in verdict.reason


def test_claims_without_numbers_agree_when_similar_enough() -> None:
    a = "If there is seriousness in the withdrawal, it will give the talks a positive push."
    b = "If there is seriousness in the withdrawal, it will give the [peace] talks a push."
    assert judge(a, AP, b, RFERL, 0.95).relation == "agree"
    assert judge(a, AP, b, RFERL, 0.5).relation == "unrelated"


def test_event_window_blocks_later_tolls() -> None:
    a = analyse_claim("The war has killed 250,000 people.", date(2016, 3, 14))
    b = analyse_claim("The war has killed 400,000 people.", date(2018, 3, 14))
    assert compare_claims(a, b, 0.9).relation == "unrelated"
    near = analyse_claim("The war has killed 400,000 people.", date(2016, 3, 16))
    assert compare_claims(a, near, 0.9).relation == "conflict"
    wide = ComparePolicy(event_window_days=10_000)
    assert compare_claims(a, b, 0.9, wide).relation == "conflict"


def test_missing_dates_do_not_block() -> None:
    a = analyse_claim("The war has killed 250,000 people.", None)
    b = analyse_claim("The war has killed 400,000 people.", date(2018, 3, 14))
    assert a.when is None
    assert compare_claims(a, b, 0.9).relation == "conflict"


def test_dates_in_text_set_the_event_time() -> None:
    facts = analyse_claim(
        "In March 2016, Putin ordered the start of the withdrawal from Syria.", date(2017, 12, 11)
    )
    assert facts.when == DateSpan(date(2016, 3, 1), date(2016, 3, 31))
    assert facts.when_from_text
    rfe = analyse_claim("Putin told Shoigu on March 14 that the forces had done their job.", RFERL)
    assert rfe.when == DateSpan(date(2016, 3, 14), date(2016, 3, 14))


def test_claims_with_too_many_quantities_to_pair_compare_nothing() -> None:
    """Pairing is quadratic in the quantities: two number floods of 16,000 characters (3,400
    quantities each) took 35 CPU s, and at 200,000 characters hours. Past the policy's pairs,
    nothing is compared, at once."""
    import time

    flood = "Officials said " + "250,000 1.5 -3 42% " * 800 + "people were counted."
    a = analyse_claim(flood, date(2016, 3, 14))
    b = analyse_claim(flood.replace("Officials", "Police"), date(2016, 3, 14))
    assert len(a.quantities) * len(b.quantities) > ComparePolicy().max_quantity_pairs
    started = time.process_time()
    verdict = compare_claims(a, b, 0.99)
    assert time.process_time() - started < 1.0
    assert (verdict.relation, verdict.code) == ("unrelated", "too-many-quantities")
    assert not verdict.conflicts
