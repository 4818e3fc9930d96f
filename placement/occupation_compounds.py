"""Dutch compounds for the occupation normaliser: a compound's head is its last part
("bouwplaatsschoonmaker" is a schoonmaker), a field before a generic word names the job
("beveiligingsmedewerker"), and a known job at the front is weak evidence ("hoveniersknecht").
"""

from __future__ import annotations

from placement.occupation_forms import GENERIC, base_forms
from placement.occupation_index import PENALTY, index, keep, lookup, lookup_kinds

COMPOUND = 0.88  # confidence of a compound step (the normaliser's CONFIDENCE["samenstelling"])
GENERIC_KEYS = frozenset(GENERIC)
GENERIC_BY_LENGTH = tuple(sorted(GENERIC, key=lambda w: (-len(w), w)))  # fixed order: results never vary
SHORT_HEAD = 3  # a compound head this short only counts when it is a preferred label or our synonym


def compounds(key: str, found: dict, conf: float = COMPOUND) -> None:
    parts = index()[1]
    for form in [key, *base_forms(key)]:
        for entry in parts.get(form, ()):
            keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
    if found:
        return
    # "beveiligingsmedewerker", "inpakmedewerker": the field before a generic word names the job.
    for generic in GENERIC_BY_LENGTH:
        if key.endswith(generic) and len(key) - len(generic) >= 4:
            stem = key[: -len(generic)]
            bare = stem.removesuffix("s")
            # slagerij → slager; verzend-medewerker is "medewerker verzending"
            for form in dict.fromkeys([stem, bare, bare + "en", bare + "ing", *base_forms(bare)]):
                lookup(form, "samenstelling", found, conf)
                for entry in parts.get(form, ()):
                    keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
            if found:
                return
            # "bouwplaatsmedewerker": the field's own front part ("bouw") when the whole field is unknown.
            for cut in range(len(bare) - 1, 3, -1):
                if any(e.how == "synoniem" for e in index()[0].get(bare[:cut], ())):
                    lookup_kinds(bare[:cut], found, conf - 0.06, ("synoniem",))
                    return
    # The head of a Dutch compound is its last part: "bouwplaatsschoonmaker" is a schoonmaker.
    for cut in range(1, len(key) - SHORT_HEAD + 1):
        head = key[cut:]
        if head in GENERIC_KEYS:
            break
        forms = [head, *base_forms(head)] if len(head) >= 5 else [head]
        if len(head) < 5:  # "lunchkok" → kok, but never a short alternative label ("bus", "man")
            if any(e.how in ("label", "synoniem") for e in index()[0].get(head, ())):
                lookup_kinds(head, found, conf - 0.06, ("label", "synoniem"))
                return
            continue
        if any(lookup(form, "samenstelling", found, conf - 0.06) for form in forms):
            return
    # Else a known job at the front, often with a linking s: "hoveniersknecht" → hovenier (weak: ask).
    for cut in range(len(key) - 2, 4, -1):
        front = key[:cut]
        if any(lookup(form, "samenstelling", found, conf - 0.1) for form in (front, front.removesuffix("s"))):
            return
