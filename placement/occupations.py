"""Normalise free-text job titles to the occupation vocabulary in `data/occupations.csv`.

"Schilders", "medewerker magazijn", "magazijn-medewerker", "Leerling-schilder met begeleiding" and
"magazijnmedewerkr" all map to one occupation. Near-misses are the other occupations of the same
sector (a lasser is not a monteur, but an employer looking for one may like the other).
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from placement.reference import Occupation, occupations
from placement.text import fold_words as fold

# Words that say something about the job but not which job it is.
MODIFIERS = frozenset({
    "parttime", "fulltime", "part", "full", "time", "ervaren", "junior", "senior", "medior", "leerling",
    "allround", "zelfstandig", "werkend", "eerste", "tweede", "assistent", "vaste", "tijdelijke", "tijdelijk",
    "dagdienst", "avonddienst", "nachtdienst", "ploegendienst", "weekend", "bijbaan", "begeleiding",
    "nieuwbouw", "onderhoud", "woningen", "startend", "starter", "beginnend", "stagiair", "stage", "oproepkracht",
})
STOPWORDS = frozenset({
    "in", "de", "het", "een", "van", "bij", "als", "voor", "op", "en", "of", "met", "ik", "zoek", "zoeken",
    "werk", "baan", "banen", "vacature", "vacatures", "functie", "iets", "graag", "wil", "willen", "worden",
    "mij", "me", "u", "jullie", "hebben", "heeft", "is", "er", "om", "te", "the", "a", "an", "job", "jobs",
    "uur", "per", "week", "mbo", "niveau",
})
# Words that only make sense next to another word: "medewerker" alone is no occupation.
GENERIC = frozenset({"medewerker", "medewerkers", "medewerkster", "medewerksters", "hulp", "hulpen", "werknemer",
                     "werknemers", "personeel", "kracht", "krachten", "iemand", "mensen"})
FUZZY_WHOLE = 85  # rapidfuzz ratio for the whole (cleaned) title
FUZZY_TOKEN = 88  # stricter for single words, which have less context


def _key(text: str) -> str:
    """Lookup key: folded without spaces, so compounds and split words meet."""
    return fold(text).replace(" ", "")


@lru_cache
def _index() -> dict[str, Occupation]:
    index: dict[str, Occupation] = {}
    for occ in occupations():
        for name in (occ.code, occ.label, *occ.synonyms):
            index.setdefault(_key(name), occ)
    return index


@lru_cache
def by_code() -> dict[str, Occupation]:
    return {occ.code: occ for occ in occupations()}


def _exact(words: list[str]) -> Occupation | None:
    """Exact lookup of a word group: as written, joined, swapped (two words), singular."""
    if not words:
        return None
    index = _index()
    joined = "".join(words)
    variants = [joined]
    if len(words) == 2:
        variants.append(words[1] + words[0])  # "medewerker magazijn" ↔ "magazijnmedewerker"
    for variant in list(variants):
        for suffix in ("s", "en", "n"):  # plurals: schilders, verzorgenden
            if variant.endswith(suffix) and len(variant) - len(suffix) >= 3:
                variants.append(variant[: -len(suffix)])
    for variant in variants:
        if variant in index:
            return index[variant]
    return None


def normalise(text: str | None) -> Occupation | None:
    """Map a free-text job title to one occupation of the vocabulary, or None."""
    if not text:
        return None
    words = fold(text[:200]).split()
    if not words:
        return None
    found = _exact(words)
    if found:
        return found
    core = [w for w in words if w not in STOPWORDS and w not in MODIFIERS]
    found = _exact(core)
    if found:
        return found
    # Word pairs, then single words, longest first ("schilder onderhoud woningen" → "schilder").
    pairs = [core[i:i + 2] for i in range(len(core) - 1)]
    for group in pairs + sorted(([w] for w in core), key=lambda g: -len(g[0])):
        found = _exact(group)
        if found:
            return found
    # Misspellings: the whole title first, then single longer words; never on generic words alone.
    if not any(w not in GENERIC for w in core):
        return None
    index = _index()
    whole = "".join(core)
    if len(whole) >= 4:
        match = process.extractOne(whole, index.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_WHOLE)
        if match:
            return index[match[0]]
    for word in sorted(core, key=len, reverse=True):
        if len(word) >= 5 and word not in GENERIC:
            match = process.extractOne(word, index.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_TOKEN)
            if match:
                return index[match[0]]
    return None


def related(code: str | None) -> tuple[str, ...]:
    """Other occupations of the same sector: near-misses for matching (sorted, deterministic)."""
    occ = by_code().get(code or "")
    if occ is None:
        return ()
    return tuple(sorted(o.code for o in occupations() if o.sector == occ.sector and o.code != occ.code))


def label(code: str | None) -> str:
    """Readable Dutch label of an occupation code (the code itself if unknown)."""
    occ = by_code().get(code or "")
    return occ.label if occ else (code or "")
