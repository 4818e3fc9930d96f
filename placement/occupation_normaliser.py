"""Free-text job or field → ranked ESCO occupations / ISCO-08 groups, with a confidence per match.

Steps, first hit wins the highest confidence (see CONFIDENCE): curated synonyms and ESCO preferred
labels; ESCO alternative labels; plural and female forms ("kapsters", "schoonmaakster"); the part of a
title that names the job ("ervaren hovenier in Zwolle (m/v)"); compounds ("groenvoorziening" ← "medewerker
groenvoorziening", "bouwplaatsschoonmaker" → "schoonmaker"); typos through rapidfuzz. The caller decides
what to do with an uncertain answer: `Resolution.confident` is False when the best match is weak or a
different ISCO group scores about as well; the dialogue then asks with buttons, it never substitutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from placement.occupation_data import by_uri, esco_occupations, isco_groups, synonyms
from placement.occupation_forms import GENERIC, base_forms, core_words, from_english, swapped
from placement.text import fold_words

# Confidence (0-1) = the step that found the match minus a penalty for the kind of label it hit:
# our curated synonyms beat ESCO preferred labels, which beat ESCO alternative labels (an alternative
# label such as "hovenier" under "botanicus" is weaker evidence than a preferred label).
CONFIDENCE = {"exact": 1.0, "vorm": 0.95, "deel": 0.92, "samenstelling": 0.88}
PENALTY = {"synoniem": 0.0, "label": 0.03, "groep": 0.05, "alt": 0.06}  # groep: an ISCO-08 unit group label
CONFIDENT = 0.85  # at least this, and no other ISCO group within AMBIGUOUS of it → no question asked
AMBIGUOUS = 0.02
FUZZY_CUTOFF = 82  # rapidfuzz ratio (0-100); confidence = ratio/100 * 0.92: one slip in a long word passes
MAX_CHARS = 120  # a job title is short; the rest of a long message is not a job
RANK = {"synoniem": 0, "label": 1, "groep": 2, "alt": 3}

GENERIC_KEYS = frozenset(GENERIC)
GENERIC_BY_LENGTH = tuple(sorted(GENERIC, key=lambda w: (-len(w), w)))  # fixed order: results never vary
# ISCO-08 skill levels by major group (1 = elementary): on a tie the lower-skilled group wins, as the
# work sociale werkbedrijven place people in is mostly skill level 1-2 ("thuiszorgmedewerker": 5322 not 3412).
SKILL = {"9": 1, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "3": 3, "2": 4, "1": 4, "0": 5}
ENGLISH_PENALTY = 0.02  # a match through occupation_english.csv is a translation, slightly weaker
LATER_PART = 0.1  # enough that a later field word is no reason to ask (AMBIGUOUS)
SHORT_HEAD = 3  # a compound head this short only counts when it is a preferred label or our synonym


@dataclass(frozen=True)
class OccupationMatch:
    uri: str | None  # None when a synonym names an ISCO group rather than one occupation
    isco: str
    label: str
    confidence: float
    how: str


@dataclass(frozen=True)
class Resolution:
    text: str
    matches: tuple[OccupationMatch, ...]  # best first, one per ESCO occupation / ISCO group

    @property
    def best(self) -> OccupationMatch | None:
        return self.matches[0] if self.matches else None

    @property
    def confident(self) -> bool:
        best = self.best
        if best is None or best.confidence < CONFIDENT:
            return False
        return not any(m.isco != best.isco and best.confidence - m.confidence < AMBIGUOUS for m in self.matches[1:])

    def options(self, n: int = 3) -> list[OccupationMatch]:
        """Top n matches with distinct ISCO groups: the buttons of the question "Bedoelt u…?"."""
        seen, out = set(), []
        for match in self.matches:
            if match.isco not in seen:
                seen.add(match.isco)
                out.append(match)
        return out[:n]


def _key(text: str) -> str:
    return fold_words(text.replace("’", "'")).replace(" ", "")


@dataclass(frozen=True)
class _Entry:
    uri: str | None
    isco: str
    label: str
    how: str


@lru_cache
def _index() -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]]]:
    """(exact label key → entries, compound part key → entries)."""
    exact: dict[str, list[_Entry]] = {}
    parts: dict[str, list[_Entry]] = {}
    for occ in esco_occupations():
        for n, name in enumerate(occ.labels):
            how = "label" if n < occ.preferred_forms else "alt"
            entry = _Entry(occ.uri, occ.isco, occ.label, how)
            words = fold_words(name).split()
            if all(w in GENERIC for w in words):
                continue  # ESCO has "medewerker" as an alternative label; alone it names no job
            exact.setdefault(_key(name), []).append(entry)
            for key in swapped(words):  # "medewerker keuken" is also typed "keukenmedewerker"
                exact.setdefault(key, []).append(entry)
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
                exact.setdefault(_key(part), []).append(_Entry(None, code, label, "groep"))
    preferred = {occ.label.lower(): occ for occ in esco_occupations()}
    full = {"/".join(o.labels[:o.preferred_forms]).lower(): o for o in esco_occupations()}
    for syn in synonyms():
        target = syn.target
        if target.isdigit():
            entry = _Entry(None, target, syn.word, "synoniem")  # the group's own label is a plural
        else:
            label, _, isco = target.partition("@")  # "gastheer@5131": the label ESCO has in two groups
            occ = next((o for o in esco_occupations() if o.isco == isco and o.label.lower() == label.lower()),
                       None) if isco else full.get(label.lower()) or preferred.get(label.lower())
            if occ is None:
                raise ValueError(f"occupation_synonyms.csv: unknown ESCO label {target!r}")
            entry = _Entry(occ.uri, occ.isco, occ.label, "synoniem")
        exact.setdefault(_key(syn.word), []).insert(0, entry)
    return exact, parts


@lru_cache
def _keys_by_start() -> dict[str, tuple[str, ...]]:
    """Label keys by first letter and by letters 2-3: a typo seldom changes both, and scanning one
    bucket instead of 20,000 keys keeps the normaliser within its 5 ms."""
    buckets: dict[str, list[str]] = {}
    for key in _index()[0]:
        if len(key) >= 4:
            buckets.setdefault(key[0], []).append(key)
            buckets.setdefault("+" + key[1:3], []).append(key)
    return {k: tuple(v) for k, v in buckets.items()}


def _fuzzy_keys(key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two buckets a typo of key is looked for in (searched one by one: merging them per call cost
    more than the fuzzy match itself)."""
    buckets = _keys_by_start()
    return buckets.get(key[0], ()), buckets.get("+" + key[1:3], ())


def _lookup(key: str, how: str, found: dict, confidence: float) -> bool:
    entries = _index()[0].get(key)
    if not entries:
        return False
    for entry in entries:
        _keep(found, entry, confidence - PENALTY[entry.how], entry.how if how == "exact" else how)
    return True


def _lookup_kinds(key: str, found: dict, confidence: float, kinds: tuple[str, ...], how: str = "samenstelling") -> None:
    for entry in _index()[0].get(key, ()):
        if entry.how in kinds:
            _keep(found, entry, confidence - PENALTY[entry.how], how)


def _keep(found: dict, entry: _Entry, conf: float, how: str) -> None:
    ident = entry.uri or entry.isco
    old = found.get(ident)
    score = (conf, -RANK.get(entry.how, 3))
    if old is None or score > old[0]:
        found[ident] = (score, OccupationMatch(entry.uri, entry.isco, entry.label, round(conf, 3), how))


def resolve(text: str | None) -> Resolution:
    """Ranked matches for a typed job title or field; empty when nothing looks like a job."""
    raw = (text or "").strip()
    words = core_words(raw, MAX_CHARS)
    if not words or not any(w not in GENERIC for w in words):
        return Resolution(raw, ())
    found = _matches(words)
    full = _key(raw[:MAX_CHARS])  # a label typed in full, stop words and all ("… in de weg- en waterbouw")
    if full != "".join(words):
        _lookup(full, "exact", found, CONFIDENCE["exact"])
    if not found or max(v[0][0] for v in found.values()) < CONFIDENT:
        dutch = from_english(words)  # "warehouse worker" → "magazijn medewerker"
        if dutch and dutch != words:
            for ident, (score, match) in _matches(dutch).items():
                conf = round(score[0] - ENGLISH_PENALTY, 3)
                if ident not in found or conf > found[ident][0][0]:
                    found[ident] = ((conf, score[1]), OccupationMatch(match.uri, match.isco, match.label, conf,
                                                                      "engels"))
    ranked = sorted(found.values(), key=lambda v: (-v[0][0], -v[0][1], SKILL.get(v[1].isco[:1], 5), len(v[1].label),
                                                   v[1].label))
    return Resolution(raw, tuple(match for _, match in ranked[:8]))


def _matches(words: list[str]) -> dict:
    """Every step of the module docstring on the words of one title: {identity: ((conf, rank), match)}."""
    found: dict = {}
    whole = "".join(words)
    if _lookup(whole, "exact", found, CONFIDENCE["exact"]):
        # Our synonyms name base forms only; they also decide the female and plural forms ESCO files
        # elsewhere ("inpakster" is an ESCO alternative label of the machine operator, 8183).
        for form in base_forms(whole):
            _lookup_kinds(form, found, CONFIDENCE["vorm"], ("synoniem",), how="vorm")
    else:
        variants = [whole, *swapped(words)] if len(words) == 2 else [whole]
        if len(words) == 2 and not swapped(words):
            variants.append(words[1] + words[0])
        for variant in variants:
            for form in [variant, *base_forms(variant)]:
                _lookup(form, "vorm", found, CONFIDENCE["vorm"])
    if not found and len(words) > 1:  # the part that names the job, longest part first
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                group = words[start:start + size]
                if all(w in GENERIC for w in group):
                    continue
                key = "".join(group)
                # Dutch titles name the job first and then where ("Schoonmaakmedewerker kantoren"):
                # a later part that matches too only wins when it is clearly better.
                later = LATER_PART if found else 0.0
                for form in [key, *base_forms(key)]:
                    _lookup(form, "deel", found, CONFIDENCE["deel"] - 0.01 * (len(words) - size) - later)
            if found:
                break
    if not found:
        _compounds(whole, found)
    if not found and len(words) > 1:  # one word of a longer title as a compound ("schoonmaker kantoren")
        for word in sorted((w for w in words if w not in GENERIC and len(w) >= 5), key=len, reverse=True):
            _compounds(word, found, CONFIDENCE["samenstelling"] - 0.04)
            if found:
                break
    if not found or max(v[0][0] for v in found.values()) < CONFIDENT:
        core = "".join(w for w in words if w not in GENERIC)
        # With a separate generic word ("medewerker montage"), only the job word may carry the typo: a
        # shared "medewerker" makes any "medewerker X" label look close.
        _fuzzy(core or whole, found)
        if not found and core != whole:
            _fuzzy(whole, found)
        if not found and len(words) > 1:
            for word in sorted((w for w in words if w not in GENERIC and len(w) >= 5), key=len, reverse=True)[:2]:
                _fuzzy(word, found)
    return found


def _compounds(key: str, found: dict, conf: float = CONFIDENCE["samenstelling"]) -> None:
    parts = _index()[1]
    for form in [key, *base_forms(key)]:
        for entry in parts.get(form, ()):
            _keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
    if found:
        return
    # "beveiligingsmedewerker", "inpakmedewerker": the field before a generic word names the job.
    for generic in GENERIC_BY_LENGTH:
        if key.endswith(generic) and len(key) - len(generic) >= 4:
            stem = key[: -len(generic)]
            bare = stem.removesuffix("s")
            # slagerij → slager; verzend-medewerker is "medewerker verzending"
            for form in dict.fromkeys([stem, bare, bare + "en", bare + "ing", *base_forms(bare)]):
                _lookup(form, "samenstelling", found, conf)
                for entry in parts.get(form, ()):
                    _keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
            if found:
                return
            # "bouwplaatsmedewerker": the field's own front part ("bouw") when the whole field is unknown.
            for cut in range(len(bare) - 1, 3, -1):
                if any(e.how == "synoniem" for e in _index()[0].get(bare[:cut], ())):
                    _lookup_kinds(bare[:cut], found, conf - 0.06, ("synoniem",))
                    return
    # The head of a Dutch compound is its last part: "bouwplaatsschoonmaker" is a schoonmaker.
    for cut in range(1, len(key) - SHORT_HEAD + 1):
        head = key[cut:]
        if head in GENERIC_KEYS:
            break
        forms = [head, *base_forms(head)] if len(head) >= 5 else [head]
        if len(head) < 5:  # "lunchkok" → kok, but never a short alternative label ("bus", "man")
            if any(e.how in ("label", "synoniem") for e in _index()[0].get(head, ())):
                _lookup_kinds(head, found, conf - 0.06, ("label", "synoniem"))
                return
            continue
        if any(_lookup(form, "samenstelling", found, conf - 0.06) for form in forms):
            return
    # Else a known job at the front, often with a linking s: "hoveniersknecht" → hovenier (weak: ask).
    for cut in range(len(key) - 2, 4, -1):
        front = key[:cut]
        if any(_lookup(form, "samenstelling", found, conf - 0.1) for form in (front, front.removesuffix("s"))):
            return


def _fuzzy(key: str, found: dict) -> None:
    if len(key) < 4:
        return
    for form in [key, *base_forms(key)[:2]]:
        hits: dict[str, float] = {}
        for choices in _fuzzy_keys(form):
            for match, score, _ in process.extract(form, choices, scorer=fuzz.ratio, limit=4,
                                                   score_cutoff=FUZZY_CUTOFF):
                hits[match] = score
        for match, score in sorted(hits.items(), key=lambda h: (-h[1], h[0]))[:4]:
            for entry in _index()[0][match]:
                _keep(found, entry, score / 100 * 0.92 - PENALTY[entry.how] / 2, "tikfout")


def isco_label(code: str) -> str:
    return isco_groups().get(code, code)


def occupation_label(uri: str | None, isco: str | None) -> str:
    occ = by_uri().get(uri or "")
    return occ.label if occ else isco_groups().get(isco or "", "")


def esco_fields(text: str | None) -> dict[str, str | None]:
    """Columns for a vacancy or candidate row: the confident match only (an unsure guess is not stored)."""
    found = resolve(text)
    best = found.best if found.confident else None
    return {"esco_uri": best.uri if best else None, "isco_code": best.isco if best else None}
