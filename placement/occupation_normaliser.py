"""Free-text job or field → ranked ESCO occupations / ISCO-08 groups, with a confidence per match.

Steps, first hit wins the highest confidence (see CONFIDENCE): curated synonyms and ESCO preferred
labels; ESCO alternative labels; plural and female forms ("kapsters", "schoonmaakster"); the part of a
title that names the job ("ervaren hovenier in Zwolle (m/v)"); compounds ("groenvoorziening" ← "medewerker
groenvoorziening", "bouwplaatsschoonmaker" → "schoonmaker"); typos through rapidfuzz. The caller decides
what to do with an uncertain answer: `Resolution.confident` is False when the best match is weak or a
different ISCO group scores about as well; the dialogue then asks with buttons, it never substitutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from placement.occupation_data import by_uri, esco_occupations, isco_groups, synonyms
from placement.text import fold_words

# Confidence (0-1) = the step that found the match minus a penalty for the kind of label it hit:
# our curated synonyms beat ESCO preferred labels, which beat ESCO alternative labels (an alternative
# label such as "hovenier" under "botanicus" is weaker evidence than a preferred label).
CONFIDENCE = {"exact": 1.0, "vorm": 0.95, "deel": 0.92, "samenstelling": 0.88}
PENALTY = {"synoniem": 0.0, "label": 0.03, "alt": 0.06}
CONFIDENT = 0.85  # at least this, and no other ISCO group within AMBIGUOUS of it → no question asked
AMBIGUOUS = 0.02
FUZZY_CUTOFF = 82  # rapidfuzz ratio (0-100); confidence = ratio/100 * 0.92: one slip in a long word passes
MAX_CHARS = 120  # a job title is short; the rest of a long message is not a job
RANK = {"synoniem": 0, "label": 1, "alt": 2}

SKIP = frozenset("""
in de het een van bij als voor op en of met ik zoek zoeken werk werken baan banen vacature vacatures functie iets
graag wil willen worden mij me u jullie hebben heeft is er om te the a an job jobs uur uren per week mbo hbo wo
niveau m v x mv mvx parttime fulltime part full time ervaren junior senior medior leerling allround zelfstandig
zelfstandige startend starter beginnend stagiair stagiaire stage oproepkracht oproep vakantiekracht uitzendkracht
zzp zzper flex bijbaan tijdelijk tijdelijke vast vaste dagdienst avonddienst nachtdienst ploegendienst weekend
regio omgeving buurt rond nabij directe contract leerwerkplek bbl bol gezocht gevraagd nodig nieuwe wij
""".split())
GENERIC = frozenset({"medewerker", "medewerkster", "hulp", "assistent", "assistente", "werker",
                     "kracht", "personeel", "mensen", "iemand", "arbeider", "algemeen", "allround"})
GENERIC_KEYS = frozenset(GENERIC)
VOWELS = "aeiou"


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
    return fold_words(text).replace(" ", "")


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
            rest = [w for w in words if w not in GENERIC]
            if 1 <= len(rest) < len(words):  # "medewerker groenvoorziening" → part "groenvoorziening"
                parts.setdefault("".join(rest), []).append(entry)
    preferred = {occ.label.lower(): occ for occ in esco_occupations()}
    full = {"/".join(o.labels[:o.preferred_forms]).lower(): o for o in esco_occupations()}
    for syn in synonyms():
        target = syn.target
        if target.isdigit():
            entry = _Entry(None, target, syn.word, "synoniem")  # the group's own label is a plural
        else:
            occ = full.get(target.lower()) or preferred.get(target.lower())
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


def _fuzzy_keys(key: str) -> list[str]:
    buckets = _keys_by_start()
    return list(dict.fromkeys(buckets.get(key[0], ()) + buckets.get("+" + key[1:3], ())))


def _base_forms(key: str) -> list[str]:
    """Singular and male forms of a (last) word: kapsters → kapster → kapper, schoonmaaksters → schoonmaker."""
    out: list[str] = []

    def add(form: str) -> None:
        if len(form) >= 3 and form not in out and form != key:
            out.append(form)

    if key.endswith("lieden"):
        add(key[:-6] + "man")
    if key.endswith("vrouw"):
        add(key[:-5] + "man")
    for suffix in ("s", "en", "n"):
        if key.endswith(suffix):
            add(key[: -len(suffix)])
    for form in [key, *out]:
        if form.endswith("ster"):
            stem = form[:-4]
            add(stem + "er")
            add(stem + "der")
            if len(stem) >= 2 and stem[-1] not in VOWELS and stem[-2] in VOWELS and stem[-3:-2] not in VOWELS:
                add(stem + stem[-1] + "er")  # kap-ster → kap-p-er
            if len(stem) >= 3 and stem[-2] == stem[-3] and stem[-2] in VOWELS:
                add(stem[:-2] + stem[-1] + "er")  # schoonmaak-ster → schoonmak-er
        for fem, male in (("trice", "teur"), ("euse", "eur"), ("iere", "ier"), ("iste", "ist"), ("ine", "in"),
                          ("es", ""), ("e", ""), ("in", "")):
            if form.endswith(fem):
                add(form[: -len(fem)] + male)
    return out


def _lookup(key: str, how: str, found: dict, confidence: float) -> bool:
    entries = _index()[0].get(key)
    if not entries:
        return False
    for entry in entries:
        _keep(found, entry, confidence - PENALTY[entry.how], entry.how if how == "exact" else how)
    return True


def _keep(found: dict, entry: _Entry, conf: float, how: str) -> None:
    ident = entry.uri or entry.isco
    old = found.get(ident)
    score = (conf, -RANK.get(entry.how, 3))
    if old is None or score > old[0]:
        found[ident] = (score, OccupationMatch(entry.uri, entry.isco, entry.label, round(conf, 3), how))


def _core_words(text: str) -> list[str]:
    text = re.sub(r"\(.*?\)", " ", text[:MAX_CHARS])  # "(m/v)", "(24 uur)"
    return [w for w in fold_words(text).split() if w not in SKIP and not w.isdigit()]


def resolve(text: str | None) -> Resolution:
    """Ranked matches for a typed job title or field; empty when nothing looks like a job."""
    raw = (text or "").strip()
    words = _core_words(raw)
    if not words or not any(w not in GENERIC for w in words):
        return Resolution(raw, ())
    found: dict = {}
    whole = "".join(words)
    if not _lookup(whole, "exact", found, CONFIDENCE["exact"]):
        variants = [whole] + ([words[1] + words[0]] if len(words) == 2 else [])
        for variant in variants:
            for form in [variant, *_base_forms(variant)]:
                _lookup(form, "vorm", found, CONFIDENCE["vorm"])
    if not found and len(words) > 1:  # the part that names the job, longest part first
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                group = words[start:start + size]
                if all(w in GENERIC for w in group):
                    continue
                key = "".join(group)
                for form in [key, *_base_forms(key)]:
                    _lookup(form, "deel", found, CONFIDENCE["deel"] - 0.01 * (len(words) - size))
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
        _fuzzy(whole, found)
        if not found and len(words) > 1:
            for word in sorted((w for w in words if w not in GENERIC and len(w) >= 5), key=len, reverse=True)[:2]:
                _fuzzy(word, found)
    ranked = sorted(found.values(), key=lambda v: (-v[0][0], -v[0][1], len(v[1].label), v[1].label))
    return Resolution(raw, tuple(match for _, match in ranked[:8]))


def _compounds(key: str, found: dict, conf: float = CONFIDENCE["samenstelling"]) -> None:
    parts = _index()[1]
    for form in [key, *_base_forms(key)]:
        for entry in parts.get(form, ()):
            _keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
    if found:
        return
    # "beveiligingsmedewerker", "inpakmedewerker": the field before a generic word names the job.
    for generic in GENERIC:
        if key.endswith(generic) and len(key) - len(generic) >= 4:
            stem = key[: -len(generic)]
            for form in dict.fromkeys([stem, stem.removesuffix("s"), stem.removesuffix("s") + "en"]):
                _lookup(form, "samenstelling", found, conf)
                for entry in parts.get(form, ()):
                    _keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
            if found:
                return
    # The head of a Dutch compound is its last part: "bouwplaatsschoonmaker" is a schoonmaker.
    for cut in range(1, len(key) - 4):
        head = key[cut:]
        if head in GENERIC_KEYS:
            break
        if any(_lookup(form, "samenstelling", found, conf - 0.04) for form in [head, *_base_forms(head)]):
            return
    # Else a known job at the front, often with a linking s: "hoveniersknecht" → hovenier (weak: ask).
    for cut in range(len(key) - 2, 4, -1):
        front = key[:cut]
        if any(_lookup(form, "samenstelling", found, conf - 0.1) for form in (front, front.removesuffix("s"))):
            return


def _fuzzy(key: str, found: dict) -> None:
    if len(key) < 4:
        return
    for form in [key, *_base_forms(key)[:2]]:
        choices = _fuzzy_keys(form)
        for match, score, _ in process.extract(form, choices, scorer=fuzz.ratio, limit=4, score_cutoff=FUZZY_CUTOFF):
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
