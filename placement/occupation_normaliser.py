"""Free-text job or field → ranked ESCO occupations / ISCO-08 groups, with a confidence per match.

Steps, first hit wins the highest confidence (see CONFIDENCE): curated synonyms, ESCO preferred labels
and ISCO unit-group names (also singular); ESCO alternative labels; plural and female forms ("kapsters",
"schoonmaakster"); double forms of one job ("kapper / kapster") and elliptic compounds ("balie- en
magazijnmedewerkers"); the part of a title that names the job ("ervaren hovenier in Zwolle (m/v)");
compounds (`occupation_compounds`: "groenvoorziening" ← "medewerker groenvoorziening",
"bouwplaatsschoonmaker" → "schoonmaker", head + modifier "bezorgchauffeur" → 8322); English titles
through occupation_english.csv; typos through rapidfuzz. The caller decides what to do with an
uncertain answer: `Resolution.confident` is False when the best match is weak or a different ISCO
group scores about as well; the dialogue then asks with buttons, it never substitutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from placement.occupation_compounds import GENERIC_BY_LENGTH, compounds, expand_ellipsis
from placement.occupation_data import by_uri, isco_groups
from placement.occupation_forms import GENERIC, base_forms, core_words, from_english, job_like, swapped
from placement.occupation_index import PENALTY, OccupationMatch, fuzzy_keys, group_names, index, keep, label_key, lookup, lookup_kinds

# Confidence (0-1) = the step that found the match minus a penalty for the kind of label it hit
# (occupation_index.PENALTY).
CONFIDENCE = {"exact": 1.0, "vorm": 0.95, "deel": 0.92, "samenstelling": 0.88}
CONFIDENT = 0.85  # at least this, and no other ISCO group within AMBIGUOUS of it → no question asked
AMBIGUOUS = 0.02
FUZZY_CUTOFF = 82  # rapidfuzz ratio (0-100); confidence = ratio/100 * 0.92: one slip in a long word passes
GROUP_AGREES = 0.04  # sort bonus for an occupation whose ISCO unit group label the typed word names too
DOUBLE = re.compile(r"\s*/\s*|\s+of\s+", re.IGNORECASE)  # "kapper/kapster", "kok of keukenhulp"
OTHER_JOB = 0.08  # takes a part match below CONFIDENT when another word of the title looks like a job
BASE_KINDS = ("synoniem", "label", "groep")  # kinds whose base form competes with an exact alternative label
BRACKETS = re.compile(r"\((.*?)\)")
MAX_CHARS = 120  # a job title is short; the rest of a long message is not a job

# ISCO-08 skill levels by major group (1 = elementary): on a tie the lower-skilled group wins, as the
# work sociale werkbedrijven place people in is mostly skill level 1-2 ("thuiszorgmedewerker": 5322 not 3412).
SKILL = {"9": 1, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "3": 3, "2": 4, "1": 4, "0": 5}
ENGLISH_PENALTY = 0.02  # a match through occupation_english.csv is a translation, slightly weaker
# Uninflected and inflected endings of Dutch adjectives (not "-ende": "verzorgende" is a noun).
ADJECTIVE_ENDINGS = ("isch", "ische", "lijk", "lijke", "ief", "ieve", "aal", "eel")
SYNONYM_MARGIN = 0.005  # how far below AMBIGUOUS a label tied with our synonym is set (no float edge)
LATER_PART = 0.1  # enough that a later field word is no reason to ask (AMBIGUOUS)


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


def resolve(text: str | None) -> Resolution:
    """Ranked matches for a typed job title or field; empty when nothing looks like a job."""
    raw = (text or "").strip()
    expanded = expand_ellipsis(raw[:MAX_CHARS])  # "balie- en magazijnmedewerkers": two jobs, the first first
    both = _double_form(raw, expanded)
    if both is not None:
        return both
    words = core_words(expanded, MAX_CHARS)
    found = _matches(words) if any(w not in GENERIC for w in words) else {}
    if not found:  # brackets are noise ("(m/v)", "(24 uur)") unless they hold the job: "… (kassamedewerker)"
        inner = core_words(" ".join(BRACKETS.findall(expanded)), MAX_CHARS)
        if any(w not in GENERIC for w in inner):
            words, found = inner, _matches(inner)
    if not words or not any(w not in GENERIC for w in words):
        return Resolution(raw, ())
    full = label_key(raw[:MAX_CHARS])  # a label typed in full, stop words and all ("… in de weg- en waterbouw")
    if full != "".join(words):
        lookup(full, "exact", found, CONFIDENCE["exact"])
    if not found or max(v[0][0] for v in found.values()) < CONFIDENT:
        dutch = from_english(words)  # "warehouse worker" → "magazijn medewerker"
        if dutch and dutch != words:
            for ident, (score, match) in _matches(dutch, translated=True).items():
                conf = round(score[0] - ENGLISH_PENALTY, 3)
                if ident not in found or conf > found[ident][0][0]:
                    found[ident] = ((conf, score[1]), OccupationMatch(match.uri, match.isco, match.label, conf,
                                                                      "engels"))
    # An ISCO unit group whose own label matched too ("Tandartsassistenten") is what the typed word
    # names: its occupations win a tie against the same word filed elsewhere in ESCO.
    whole = "".join(words)
    groups = {code for form in [whole, *base_forms(whole)] for code in group_names().get(form, ())}
    synonym_top = max((score[0] for score, _ in found.values() if score[1] == 0), default=None)
    if synonym_top is not None:
        groups = set()  # our synonyms are the curated decision ("installateur" → 7126, not ISCO 7413/7421)
        _defer_to_synonym(found, synonym_top)
    ranked = sorted(found.values(), key=lambda v: (-round(v[0][0] + GROUP_AGREES * (v[1].isco in groups), 3),
                                                   -v[0][1], SKILL.get(v[1].isco[:1], 5), len(v[1].label), v[1].label))
    return Resolution(raw, tuple(match for _, match in ranked[:8]))


def _defer_to_synonym(found: dict, top: float) -> None:
    """An ESCO label or ISCO group that ties with our best synonym ("installateurs": the group label
    7413 and the plural of our "installateur" 7126 both score 0.95) drops just out of AMBIGUOUS: the
    curated word decides, a tie with it is no reason to ask. A clearly better label still wins."""
    isco = {match.isco for score, match in found.values() if score[1] == 0 and score[0] == top}
    for ident, (score, match) in list(found.items()):
        if score[1] != 0 and match.isco not in isco and top - AMBIGUOUS < score[0] <= top:
            conf = round(top - AMBIGUOUS - SYNONYM_MARGIN, 3)
            found[ident] = ((conf, score[1]), OccupationMatch(match.uri, match.isco, match.label, conf, match.how))


def _double_form(raw: str, text: str) -> Resolution | None:
    """"Kapper / kapster", "schoonmaker of schoonmaakster": when both halves name the same ISCO group,
    the title means that job, whichever half matched better. None when the halves differ (then the
    title is read as a whole: its first job counts most)."""
    halves = [h for h in DOUBLE.split(text) if len(label_key(h)) >= 4]
    if len(halves) != 2:
        return None
    first, second = resolve(halves[0]), resolve(halves[1])
    if not (first.best and second.best and first.best.isco == second.best.isco):
        return None
    best = max((first, second), key=lambda r: r.best.confidence)
    return Resolution(raw, best.matches)


def _matches(words: list[str], translated: bool = False) -> dict:
    """Every step of the module docstring on the words of one title: {identity: ((conf, rank), match)}."""
    found: dict = {}
    whole = "".join(words)
    if lookup(whole, "exact", found, CONFIDENCE["exact"]):
        # Our synonyms name base forms only; they also decide the female and plural forms ESCO files
        # elsewhere ("inpakster" is an ESCO alternative label of the machine operator, 8183). So do
        # preferred and unit-group labels: "onderwijsassistente" is an alternative label in 2310, but
        # "onderwijsassistent" is the preferred label (and group name) in 5312.
        for form in base_forms(whole):
            lookup_kinds(form, found, CONFIDENCE["vorm"], BASE_KINDS, how="vorm")
    else:
        variants = [whole, *swapped(words)] if len(words) == 2 else [whole]
        if len(words) == 2 and not swapped(words):
            variants.append(words[1] + words[0])
        for variant in variants:
            for form in [variant, *base_forms(variant)]:
                lookup(form, "vorm", found, CONFIDENCE["vorm"])
    if not found and len(words) > 1:  # the part that names the job, longest part first
        likes = [job_like(w) for w in words]
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                group = words[start:start + size]
                if all(w in GENERIC for w in group):
                    continue
                key = "".join(group)
                # Dutch titles name the job first and then where ("Schoonmaakmedewerker kantoren"):
                # a later part that matches too only wins when it is clearly better.
                later = LATER_PART if found else 0.0
                # A left-out word that looks like a job ("runner horeca", "teamleader magazijn") may be
                # the job itself: then the part is a guess to ask about (not after translation: a word left
                # in English is one the table lacks, "kitchen porter" → "keuken porter").
                left_out = any(likes[:start]) or any(likes[start + size:])
                other = OTHER_JOB if not translated and left_out else 0.0
                for form in [key, *base_forms(key)]:
                    lookup(form, "deel", found, CONFIDENCE["deel"] - 0.01 * (len(words) - size) - later - other)
            if found:
                break
    if not found:
        # "medewerker plantverzorging": the job word is the compound; a separate generic word is no part,
        # nor is an adjective: "elektrotechnisch onderhoudsmonteur" is an onderhoudsmonteur, not a compound
        # "elektrotechnischonderhoudsmonteur" whose front picks an engineer's group (2152).
        nouns = [w for w in words if w not in GENERIC and not w.endswith(ADJECTIVE_ENDINGS)]
        core = "".join(nouns or [w for w in words if w not in GENERIC])
        if len(words) > 1 and core and core != whole:
            compounds(core, found)
        if not found:
            compounds(whole, found)
    if not found and len(words) > 1:  # one word of a longer title as a compound ("schoonmaker kantoren")
        for word in sorted((w for w in words if w not in GENERIC and len(w) >= 5), key=len, reverse=True):
            compounds(word, found, CONFIDENCE["samenstelling"] - 0.04)
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


def _fuzzy(key: str, found: dict) -> None:
    if len(key) < 4:
        return
    for form in [key, *base_forms(key)[:2]]:
        hits: dict[str, float] = {}
        for choices in fuzzy_keys(form):
            for match, score, _ in process.extract(form, choices, scorer=fuzz.ratio, limit=4,
                                                   score_cutoff=FUZZY_CUTOFF):
                hits[match] = score
        for match, score in sorted(hits.items(), key=lambda h: (-h[1], h[0]))[:4]:
            if not _same_stem(form, match):
                continue
            for entry in index()[0][match]:
                keep(found, entry, score / 100 * 0.92 - PENALTY[entry.how] / 2, "tikfout")


def _same_stem(typed: str, label: str) -> bool:
    """A shared generic ending makes any two "...medewerker" words look alike ("kantinemedewerker",
    "kennelmedewerker"): then the parts before it must be close too."""
    for generic in GENERIC_BY_LENGTH:
        if typed.endswith(generic) and label.endswith(generic):
            front, other = typed[: -len(generic)], label[: -len(generic)]
            return bool(front and other) and fuzz.ratio(front, other) >= FUZZY_CUTOFF
    return True


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
