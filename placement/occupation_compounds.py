"""Dutch compounds for the occupation normaliser: a compound's head is its last part
("bouwplaatsschoonmaker" is a schoonmaker), a field before a generic word names the job
("beveiligingsmedewerker"), and a known job at the front is weak evidence ("hoveniersknecht").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from placement.occupation_data import esco_occupations, synonyms
from placement.occupation_forms import GENERIC, base_forms, job_like
from placement.occupation_index import PENALTY, RANK, Entry, index, keep, label_key, lookup, lookup_kinds
from placement.text import fold_words

COMPOUND = 0.88  # confidence of a compound step (the normaliser's CONFIDENCE["samenstelling"])
GENERIC_KEYS = frozenset(GENERIC)
GENERIC_BY_LENGTH = tuple(sorted(GENERIC, key=lambda w: (-len(w), w)))  # fixed order: results never vary
HELPERS = frozenset({"hulp", "assistent", "assistente"})
HELPER_PENALTY = 0.06
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
                # "metselaarshulp" helps a metselaar and is none (ISCO 93xx): the job before a helper
                # word is a guess to ask about, a field before it ("keukenhulp") is not.
                helper = generic in HELPERS and job_like(form)
                lookup(form, "samenstelling", found, conf - HELPER_PENALTY * helper)
                for entry in parts.get(form, ()):
                    keep(found, entry, conf - PENALTY[entry.how], "samenstelling")
            if found:
                return
            # "bouwplaatsmedewerker": the field's own front part ("bouw") when the whole field is unknown.
            for cut in range(len(bare) - 1, 3, -1):
                if any(e.how == "synoniem" for e in index()[0].get(bare[:cut], ())):
                    lookup_kinds(bare[:cut], found, conf - 0.06, ("synoniem",))
                    return
    if head_and_modifier(key, found, conf):
        return
    # The head of a Dutch compound is its last part: "bouwplaatsschoonmaker" is a schoonmaker.
    for cut in range(1, len(key) - SHORT_HEAD + 1):
        head = key[cut:]
        if head in GENERIC_KEYS:
            break
        forms = [head, *base_forms(head)] if len(head) >= 5 else [head]
        if len(head) < 5:  # "lunchkok(s)" → kok, but never a short alternative label ("bus", "man")
            for form in [head, head.removesuffix("s")] if len(head) == 4 else [head]:
                if any(e.how in ("label", "synoniem") for e in index()[0].get(form, ())):
                    lookup_kinds(form, found, conf - 0.06, ("label", "synoniem"))
                    return
            continue
        if any(lookup(form, "samenstelling", found, conf - 0.06) for form in forms):
            return
    # Else a known job at the front, often with a linking s: "hoveniersknecht" → hovenier (weak: ask).
    for cut in range(len(key) - 2, 4, -1):
        front = key[:cut]
        if any(lookup(form, "samenstelling", found, conf - 0.1) for form in (front, front.removesuffix("s"))):
            return


MIN_HEAD = 4  # a head shorter than this is handled above ("lunchkok" → kok, preferred labels only)
MIN_MODIFIER = 3
MAX_COMPOUND = 40  # longer is no word but run-together text: not split (keeps the 5 ms)
MAX_MODIFIER_GROUPS = 20  # a modifier found in more ISCO groups than this says nothing ("onderhouds")
MIN_SHARE = 0.05
HEAD_SYNONYM_GAP = 0.03  # below the modifier's pick, beyond AMBIGUOUS: an option, not a tie  # the group must be a real part of the head's uses


@lru_cache
def _parts() -> tuple[dict[str, dict[str, Entry]], dict[str, frozenset[str]], dict[str, Counter]]:
    """(head word → ISCO group → one entry, modifier → ISCO groups, head word → labels per group).

    Built from every word of every name in the label index: a word's suffixes that are words of their
    own are its possible heads ("heftruckchauffeur" → chauffeur), its prefixes are modifiers ("heftruck")."""
    names: list[tuple[str, Entry]] = []
    for occ in esco_occupations():
        for n, name in enumerate(occ.labels):
            names.append((name, Entry(occ.uri, occ.isco, occ.label, "label" if n < occ.preferred_forms else "alt")))
    for syn in synonyms():  # our words, not their targets' labels: "developer" (2512), "poetsvrouw"
        names.extend((syn.word, e) for e in index()[0].get(label_key(syn.word), ())[:1] if e.how == "synoniem")
    for entries in index()[0].values():
        names.extend((e.label, e) for e in entries if e.how == "groep")
    words = {w for name, _ in names for w in fold_words(name).split()}
    heads: dict[str, dict[str, Entry]] = {}
    counts: dict[str, Counter] = {}
    modifiers: dict[str, set[str]] = {}
    for name, entry in names:
        folded = fold_words(name).split()
        # Heads: the word of a one-word name, the last word of a longer one ("ict systeembeheerder"), unless
        # the first word is the job and the rest its object ("instructeur beroepschauffeurs" is no chauffeur).
        object_of_job = len(folded) > 1 and job_like(folded[0])
        for word in {folded[-1]} if folded and not object_of_job else set():
            for cut in range(len(word) - MIN_HEAD + 1):
                head = word[cut:]
                if head in words or cut == 0:
                    counts.setdefault(head, Counter())[entry.isco] += 1
                    best = heads.setdefault(head, {}).get(entry.isco)
                    if best is None or (len(name), RANK[entry.how]) < best[0]:
                        heads[head][entry.isco] = ((len(name), RANK[entry.how]), entry)  # shortest name shows
        for word in set(folded):
            for end in range(MIN_MODIFIER, len(word) + 1):
                modifiers.setdefault(word[:end], set()).add(entry.isco)
    return ({h: {i: e for i, (_, e) in g.items()} for h, g in heads.items()},
            {k: frozenset(v) for k, v in modifiers.items()}, counts)


def _modifier_groups(modifier: str) -> set[str]:
    """ISCO groups in which a label has a word starting with the modifier or one of its forms
    ("fietsen" → fiets..., "verzend" → verzending), or a synonym names it ("schoonmaak")."""
    mods = _parts()[1]
    out: set[str] = set()
    bare = modifier.removesuffix("s")
    for form in dict.fromkeys([modifier, bare, bare + "ing", *base_forms(modifier)]):
        if len(form) >= MIN_MODIFIER:
            out |= mods.get(form, frozenset())
            out |= {e.isco for e in index()[0].get(form, ())}
    return out


def head_and_modifier(key: str, found: dict, conf: float = COMPOUND) -> bool:
    """A compound no label spells: the split whose head and modifier share an ISCO group wins
    ("bezorgchauffeur": chauffeur in 8322/8331/8332, bezorg- in 8322 → 8322). Weaker than a label
    (below CONFIDENT): the dialogue asks."""
    if len(key) > MAX_COMPOUND:
        return False
    heads, _, counts = _parts()
    best: tuple[float, int, str, str] | None = None
    for cut in range(MIN_MODIFIER, len(key) - MIN_HEAD + 1):
        head, modifier = key[cut:], key[:cut]
        # A generic head ("voedingsassistent") is the step above's: its ISCO groups say nothing.
        forms = [form for form in dict.fromkeys([head, *base_forms(head)]) if form in heads and form not in GENERIC_KEYS]
        groups = _modifier_groups(modifier) if forms else set()
        if not groups or len(groups) > MAX_MODIFIER_GROUPS:
            continue
        for form in forms:  # "chauffeurs" (a word of ISCO group names) and "chauffeur"
            total = sum(counts[form].values())
            for isco, n in counts[form].items():
                score = (n / total, len(form), isco, form)
                if isco in groups and score[0] >= MIN_SHARE and (best is None or score > best):
                    best = score
    if best is None:
        return False
    share, _, isco, form = best
    picked = conf - 0.05 - 0.05 * (share < 0.5)
    keep(found, heads[form][isco], picked, "samenstelling")
    # Our synonym for the head ("verzorgende" 5321, "chauffeur" 8332) stays an option below the pick:
    # the modifier's group is a guess, and the question then offers both.
    for entry in index()[0].get(form, ()):
        if entry.how == "synoniem" and entry.isco != isco:
            keep(found, entry, picked - HEAD_SYNONYM_GAP, "samenstelling")
            break
    return True


ELLIPSIS = re.compile(r"\b(\w+)-\s+(?:en|of|&)\s+(\w+)", re.IGNORECASE)


def expand_ellipsis(text: str) -> str:
    """"balie- en magazijnmedewerkers" → "baliemedewerkers / magazijnmedewerkers": the first part
    borrows the second's head, the shortest head with which it makes a known name ("trein- en
    metrobestuurder" → "treinbestuurder"). The text as typed when no head fits."""
    match = ELLIPSIS.search(text)
    if match is None:
        return text
    front, second = match.group(1), match.group(2)
    lowered = fold_words(second).replace(" ", "")
    labels = index()[0]
    for cut in range(len(lowered) - MIN_HEAD, 0, -1):  # shortest head first: the longest known name
        head = lowered[cut:]
        joined = fold_words(front).replace(" ", "") + head
        if any(form in labels for form in [joined, *base_forms(joined)]):
            return text[: match.start()] + f"{front}{head} / {second}" + text[match.end():]
    return text
