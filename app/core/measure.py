"""Whether two quantities measure the same thing: a scored judgement over their frames.

A quantity's frame is what the reader found around its number: the thing counted (noun and
modifiers), the predicate, the subject (names and places in its clause), the subgroup it is
said of (scope), its role (a part, each, an additional amount, a change) and its kind and unit.
Two quantities can be compared only when nothing in their frames says they differ (a *veto*:
different places, different named subjects, different predicates, a part against a total...),
and they are taken for the same measure when the frames agree on enough (the *score*), or when
nothing is known either way and the two sentences are very similar (the caller decides that).

Every element compared is kept as a short phrase ("Acme Holdings / Acme: the same subject"),
so that a reported conflict says on what grounds its two numbers were paired.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import lexicon
from app.core.quantities import Quantity

# Verbs that say who reports a number, not what happened to it: "the ministry said 2,000",
# "Georgia reported 1,643 cases" and "Georgia has 1,643 cases" state the same measure.
REPORTING_PREDICATES = lexicon.REPORTING_PREDICATES

# Subgroup scopes: "30% among young people" is not "12%" of everyone.
_SUBGROUP_PREPOSITIONS = ("among ", "for ")
_REGIONS = frozenset({"worldwide", "abroad", "domestic", "nationwide"})


@dataclass(frozen=True, slots=True)
class MeasureMatch:
    """The judgement on one pair of quantities."""

    score: float  # evidence that they measure the same thing (meaningless when vetoed)
    veto: str | None  # why they cannot be the same measure, or None
    basis: tuple[str, ...]  # the frame elements compared, as phrases for the reason

    @property
    def possible(self) -> bool:
        return self.veto is None


def _predicate(q: Quantity) -> str | None:
    p = q.predicate
    if p is None or p in REPORTING_PREDICATES:
        return None
    if p == "change" and q.role == "to":
        return None  # "rose to 9%" states the level, as "is 9%" does
    return p


def _as_percent(q: Quantity, other: Quantity) -> bool:
    """A score out of 100 against a percentage: "a score of 42 out of 100" / "scored 42%"."""
    return q.kind == "rating" and q.unit == "/100" and other.kind == "percent"


def _kind_unit(q: Quantity, other: Quantity) -> tuple[str, str | None]:
    return ("percent", "percent") if _as_percent(q, other) else (q.kind, q.unit)


def _role(q: Quantity) -> str | None:
    if q.role in {"to"} and q.predicate == "change":
        return None
    if q.role == "total":
        return None  # "12 of the 300 passengers": 300 is the plain count of passengers
    return q.role


def _is_change(q: Quantity) -> bool:
    return q.predicate == "change" and q.role != "to"


def _name_match(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, str] | None:
    """A pair of names that name the same subject: equal, or one's words within the other's
    ("Acme" / "Acme Holdings")."""
    for x in a:
        for y in b:
            short, long_ = (x.split(), y.split()) if len(x) <= len(y) else (y.split(), x.split())
            if short == long_:
                return x, y
            # "Acme" / "Acme Holdings", "Trump" / "Donald Trump"; but "Bosnia" is not the
            # "Federation of Bosnia": a name with "of" or "and" in it is another thing.
            if {"of", "and", "&"} & set(long_):
                continue
            k = len(short)
            if long_[:k] == short or long_[-k:] == short:
                return x, y
    return None


def _same_noun(x: str, y: str) -> bool:
    """Equal, or spelt two ways ("traveller" / "traveler"): one letter apart in a long word."""
    if x == y:
        return True
    if min(len(x), len(y)) < 5 or abs(len(x) - len(y)) > 1 or x[:3] != y[:3]:
        return False
    longer, shorter = (x, y) if len(x) >= len(y) else (y, x)
    if len(longer) == len(shorter):  # "defence" / "defense"
        return len(x) >= 7 and sum(c != d for c, d in zip(x, y, strict=True)) == 1
    return any(longer[:k] + longer[k + 1 :] == shorter for k in range(len(longer)))


def same_measure(a: Quantity, b: Quantity) -> MeasureMatch:
    """Whether two quantities can measure the same thing, and how much their frames agree."""
    if a.negated or b.negated:
        return MeasureMatch(0.0, "a number that is denied is not stated", ())
    kind_a, unit_a, kind_b, unit_b = *_kind_unit(a, b), *_kind_unit(b, a)
    if kind_a != kind_b:
        return MeasureMatch(0.0, f"different kinds ({a.kind} vs {b.kind})", ())
    # A rating whose scale is not written is compared with one on any scale ("a score of
    # 34" / "42 out of 100").
    unknown_scale = kind_a == "rating" and (unit_a is None or unit_b is None)
    if (unit_a or "") != (unit_b or "") and not unknown_scale:
        return MeasureMatch(0.0, f"different units ({a.unit} vs {b.unit})", ())
    if _is_change(a) != _is_change(b):
        return MeasureMatch(0.0, "a change against a level", ())
    role_a = None if _as_percent(a, b) else _role(a)
    role_b = None if _as_percent(b, a) else _role(b)
    if role_a != role_b:
        return MeasureMatch(
            0.0, f"different roles ({role_a or 'amount'} vs {role_b or 'amount'})", ()
        )
    score = 0.0
    basis: list[str] = []
    # What is counted.
    if a.noun is not None and b.noun is not None:
        if not _same_noun(a.noun, b.noun):
            return MeasureMatch(0.0, f"different things counted ({a.noun} vs {b.noun})", ())
        score += 2.0
        basis.append(f"{a.noun}: the same thing counted")
    elif a.noun is not None or b.noun is not None:
        # "the confirmed cases reached 86" / "83 confirmed cases": the noun written before.
        noun, other = (a.noun, b) if a.noun is not None else (b.noun, a)
        if noun in {other.subject, other.context}:
            score += 2.0
            basis.append(f"{noun}: the same thing counted")
        elif a.kind == "count":
            score -= 0.5  # a count of something against a count of what is not said
    mods_a, mods_b = set(a.modifiers), set(b.modifiers)
    contrast = (mods_a ^ mods_b) & lexicon.CONTRAST_MODIFIERS
    if contrast and a.noun is not None and b.noun is not None:
        # "12 original members" / "16 members", "8 new cases" / "20 cases": another count.
        return MeasureMatch(0.0, f"a different count ({', '.join(sorted(contrast))})", ())
    if mods_a and mods_b:
        if mods_a & mods_b:
            score += 0.5
        else:
            score -= 0.5  # "secret files" / "Iranian files": perhaps the same files
    # What happened to it.
    pred_a, pred_b = _predicate(a), _predicate(b)
    if pred_a is not None and pred_b is not None:
        if pred_a != pred_b:
            return MeasureMatch(0.0, f"different predicates ({pred_a} vs {pred_b})", ())
        score += 1.5
        basis.append(f"{pred_a}: the same predicate")
    # Of whom or where.
    if a.places and b.places:
        shared = set(a.places) & set(b.places)
        if not shared:
            return MeasureMatch(
                0.0, f"different places ({', '.join(a.places)} vs {', '.join(b.places)})", ()
            )
        score += 1.0
        basis.append(f"{sorted(shared)[0]}: the same place")
    if bool(a.names) != bool(b.names):
        # "Acme will pay" (a sentence's first word is no sure name) / "Acme Holdings will pay".
        named, other = (a, b) if a.names else (b, a)
        word = other.subject
        hit = next(
            (n for n in named.names if word is not None and _name_match((n,), (word,))), None
        )
        if hit is not None:
            score += 0.5
            basis.append(f"{hit} / {word}: the same subject")
    if a.names and b.names:
        pair = _name_match(a.names, b.names)
        if pair is None:
            # Not a veto: a clause names more than its subject ("30 wins on the European Tour"
            # and "Nick Faldo had 40 wins"); but no pairing on the wording alone.
            score -= 2.0
        else:
            score += 1.0
            basis.append(
                f"{pair[0]}: the same subject"
                if pair[0] == pair[1]
                else f"{pair[0]} / {pair[1]}: the same subject"
            )
    # Which part of it.
    if a.scope != b.scope:
        subgroup = [s for s in (a.scope, b.scope) if s and s.startswith(_SUBGROUP_PREPOSITIONS)]
        if subgroup or (a.scope and b.scope):
            return MeasureMatch(
                0.0, f"different subgroups ({a.scope or 'all'} vs {b.scope or 'all'})", ()
            )
    elif a.scope:
        score += 1.0
        basis.append(f"{a.scope}: the same scope")
    if (a.scope in _REGIONS) != (b.scope in _REGIONS):
        # "$21 million in other territories" against a figure that names no region: likely
        # another part of the total.
        score -= 1.0
    # A region against a place: "$85 million in other territories" is not "in the US".
    for x, y in ((a, b), (b, a)):
        if x.scope in {"worldwide", "abroad"} and y.places and not x.places and y.scope is None:
            return MeasureMatch(0.0, f"different scopes ({x.scope} vs {', '.join(y.places)})", ())
    if a.slot is not None and a.slot == b.slot:
        score += 1.0  # the same words around it: the same place in the same statement
        basis.append(f"\u201c{a.slot}\u201d: the same wording around it")
    if a.subject is not None and a.subject == b.subject:
        score += 0.5
        basis.append(f"{a.subject}: the same word before it")
    return MeasureMatch(score, None, tuple(basis))
