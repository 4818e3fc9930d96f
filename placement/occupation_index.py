"""The label index of the occupation normaliser: every name of an ESCO occupation, an ISCO-08 unit group
or a curated synonym, folded to a key, and the helpers that record a hit with its confidence.

Kept apart from `occupation_normaliser` (the steps) so that each module stays readable; everything is
built once per process from `occupation_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from placement.occupation_data import esco_occupations, isco_groups, synonyms
from placement.occupation_forms import GENERIC, base_forms, swapped
from placement.text import fold_words

# Penalty on the confidence by the kind of label hit: our curated synonyms beat ESCO preferred labels,
# which beat ESCO alternative labels (an alternative label such as "hovenier" under "botanicus" is
# weaker evidence than a preferred label). groep: an ISCO-08 unit group label.
PENALTY = {"synoniem": 0.0, "label": 0.03, "groep": 0.05, "alt": 0.06}
SINGULARS = 2  # how many of base_forms() of a unit-group name are indexed as its singular
RANK = {"synoniem": 0, "label": 1, "groep": 0.05, "alt": 3}


@dataclass(frozen=True)
class OccupationMatch:
    uri: str | None  # None when a synonym names an ISCO group rather than one occupation
    isco: str
    label: str
    confidence: float
    how: str



def label_key(text: str) -> str:
    return fold_words(text.replace("’", "'")).replace(" ", "")


@dataclass(frozen=True)
class Entry:
    uri: str | None
    isco: str
    label: str
    how: str


def uninflected(name: str) -> str:
    """Key of a name with its adjectives uninflected, as people type them before a singular:
    "Administratieve medewerkers" → "administratiefmedewerkers", "Huishoudelijke hulpen" → "huishoudelijkhulpen"."""
    words = fold_words(name).split()
    out = []
    for word in words[:-1]:
        for inflected, plain in (("ieve", "ief"), ("ische", "isch"), ("lijke", "lijk"), ("ele", "eel"), ("ale", "aal")):
            if word.endswith(inflected):
                word = word[: -len(inflected)] + plain
                break
        out.append(word)
    return "".join(out + words[-1:])


@lru_cache
def index() -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    """(exact label key → entries, compound part key → entries)."""
    exact: dict[str, list[Entry]] = {}
    parts: dict[str, list[Entry]] = {}
    for occ in esco_occupations():
        for n, name in enumerate(occ.labels):
            how = "label" if n < occ.preferred_forms else "alt"
            entry = Entry(occ.uri, occ.isco, occ.label, how)
            words = fold_words(name).split()
            if all(w in GENERIC for w in words):
                continue  # ESCO has "medewerker" as an alternative label; alone it names no job
            exact.setdefault(label_key(name), []).append(entry)
            for joined in swapped(words):  # "medewerker keuken" is also typed "keukenmedewerker"
                exact.setdefault(joined, []).append(entry)
            rest = [w for w in words if w not in GENERIC]
            if 1 <= len(rest) < len(words):  # "medewerker groenvoorziening" → part "groenvoorziening"
                parts.setdefault("".join(rest), []).append(entry)
    for code, label in isco_groups().items():
        if len(code) != 4:
            continue
        # Unit group labels are plurals and lists ("Laders en lossers", "Kelners"): each part is a key;
        # the lookup's singular forms reach "kelner" and "onderwijsassistent".
        # Only the head list before the first comma: "Vissers, binnen- en kustwateren" is about vissers,
        # and a catch-all ("Verkopers, niet elders geclassificeerd") keeps only its full label.
        head = label.split(",")[0]
        parts_of = [] if "niet elders" in label else [head, *head.split(" en ")]
        for part in dict.fromkeys([label, *parts_of]):
            if fold_words(part) and not all(w in GENERIC for w in fold_words(part).split()):
                plural = [label_key(part), uninflected(part)]
                # Group names are plurals: their singular is the name as typed ("kelner", "inpakker");
                # not of a cut-off part ("Bedrijfs- en organisatieanalisten": "bedrijfs" is no name).
                cut_off = part.rstrip().endswith("-")
                singular = [] if cut_off else [f for p in plural for f in base_forms(p)[:SINGULARS]]
                for form in dict.fromkeys([*plural, *singular]):
                    exact.setdefault(form, []).append(Entry(None, code, label, "groep"))
    preferred = {occ.label.lower(): occ for occ in esco_occupations()}
    full = {"/".join(o.labels[:o.preferred_forms]).lower(): o for o in esco_occupations()}
    for syn in synonyms():
        target = syn.target
        if target.isdigit():
            entry = Entry(None, target, syn.word, "synoniem")  # the group's own label is a plural
        else:
            label, _, isco = target.partition("@")  # "gastheer@5131": the label ESCO has in two groups
            occ = next((o for o in esco_occupations() if o.isco == isco and o.label.lower() == label.lower()),
                       None) if isco else full.get(label.lower()) or preferred.get(label.lower())
            if occ is None:
                raise ValueError(f"occupation_synonyms.csv: unknown ESCO label {target!r}")
            entry = Entry(occ.uri, occ.isco, occ.label, "synoniem")
        exact.setdefault(label_key(syn.word), []).insert(0, entry)
        # Like an ESCO label: "medewerker kantine" is also typed "kantinemedewerker", and its field word is
        # a compound part ("werken in de kantine") but no job of its own ("lunchkok in een hotel").
        words = fold_words(syn.word).split()
        for joined in swapped(words):
            exact.setdefault(joined, []).insert(0, entry)
        rest = [w for w in words if w not in GENERIC]
        if 1 <= len(rest) < len(words):
            parts.setdefault("".join(rest), []).insert(0, entry)
    return exact, parts


@lru_cache
def keys_by_start() -> dict[str, tuple[str, ...]]:
    """Label keys by first letter and by letters 2-3: a typo seldom changes both, and scanning one
    bucket instead of 20,000 keys keeps the normaliser within its 5 ms."""
    buckets: dict[str, list[str]] = {}
    for key in index()[0]:
        if len(key) >= 4:
            buckets.setdefault(key[0], []).append(key)
            buckets.setdefault("+" + key[1:3], []).append(key)
    return {k: tuple(v) for k, v in buckets.items()}


def fuzzy_keys(key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two buckets a typo of key is looked for in (searched one by one: merging them per call cost
    more than the fuzzy match itself)."""
    buckets = keys_by_start()
    return buckets.get(key[0], ()), buckets.get("+" + key[1:3], ())


def lookup(key: str, how: str, found: dict, confidence: float) -> bool:
    entries = index()[0].get(key)
    if not entries:
        return False
    for entry in entries:
        keep(found, entry, confidence - PENALTY[entry.how], entry.how if how == "exact" else how)
    return True


def lookup_kinds(key: str, found: dict, confidence: float, kinds: tuple[str, ...], how: str = "samenstelling") -> None:
    for entry in index()[0].get(key, ()):
        if entry.how in kinds:
            keep(found, entry, confidence - PENALTY[entry.how], how)


def keep(found: dict, entry: Entry, conf: float, how: str) -> None:
    ident = entry.uri or entry.isco
    old = found.get(ident)
    score = (conf, -RANK.get(entry.how, 3))
    if old is None or score > old[0]:
        found[ident] = (score, OccupationMatch(entry.uri, entry.isco, entry.label, round(conf, 3), how))


@lru_cache
def group_names() -> dict[str, frozenset[str]]:
    """Each ISCO unit group label key ("tandartsassistenten") and its singular and male forms
    ("tandartsassistent") → the group codes: a typed word that names a group decides ties."""
    out: dict[str, set[str]] = {}
    for key, entries in index()[0].items():
        for entry in entries:
            if entry.how == "groep":
                for form in [key, *base_forms(key)[:3]]:
                    out.setdefault(form, set()).add(entry.isco)
    return {k: frozenset(v) for k, v in out.items()}
