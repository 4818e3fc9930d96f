"""Word forms and noise for the occupation normaliser: which words of a typed title name the job, and
which other forms (singular, male, agent noun) the same job word has.

Kept apart from `occupation_normaliser` so the rules can be read (and tested) on their own. All
functions work on folded text (`placement.text.fold_words`): lower case, no accents or punctuation.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from placement.reference import gemeenten, place_aliases
from placement.text import fold_words

# Words that say something about the job offer but not which job it is: hours, contract, level,
# seniority, shifts, "gezocht", "vacature". "(m/v)" and "(24 uur)" are removed before this.
SKIP = frozenset("""
in de het een van bij als voor op en of met ik zoek zoeken werk werken baan banen baantje vacature vacatures
functie functies iets graag wil willen worden mij me u jullie hebben heeft is er om te the a an job jobs uur uren
per week mbo hbo wo niveau m v x mv mvx parttime fulltime part full time ervaren junior senior medior leerling
allround zelfstandig zelfstandige werkend startend starter beginnend stagiair stagiaire stage oproepkracht
oproep vakantiekracht uitzendkracht zzp zzper flex bijbaan tijdelijk tijdelijke vast vaste dagdienst avonddienst
nachtdienst ploegendienst weekend regio omgeving buurt rond nabij directe contract leerwerkplek bbl bol gezocht
gevraagd nodig nieuwe wij eo omstreken omgeving alleen inwoners nederland resident residents only for
enthousiaste enthousiast gemotiveerde gemotiveerd flexibele polyvalent polyvalente binnen aan naar tot uit over
werkzaamheden rijden direct avond avonden avonduren ochtend ochtenden ochtenduren middag zaterdag zondag doordeweeks
weekenden ploeg ploegen rijbewijs ce c1 pw oproepbasis loondienst uitzendbasis
""".split())
# Words that only make sense next to another word: "medewerker" alone is no occupation.
GENERIC = frozenset({"medewerker", "medewerkster", "medewerkers", "hulp", "assistent", "assistente", "werker",
                     "kracht", "krachten", "personeel", "mensen", "iemand", "arbeider", "algemeen", "allround"})
VOWELS = "aeiou"
JOB_ENDINGS = ("er", "eur", "ist", "ant", "ent", "or", "man", "ier", "aar", "ster", "ice")  # agent nouns
# One letter and a hyphen at the start of a word is a prefix of that word, not a word of its own:
# "W-monteur" (werktuigkundig), "E-monteur" (elektro), "A-verpleegkundige".
LETTER_PREFIX = re.compile(r"(?<![\w-])([A-Za-z])-(?=[A-Za-z]{2})")
NUMBER = re.compile(r"\d+(e|de|ste)?")  # "32", "2e" (ploeg), "3de"
# Place names longer than this many words are not stripped (they are rare and cost lookups).
_MAX_PLACE_WORDS = 4


@lru_cache
def _places() -> frozenset[str]:
    """Folded gemeente names ("den haag", "ede"): a place in a title ("Hovenier Zwolle") is not the job."""
    names = {fold_words(g.name) for g in gemeenten()} | {fold_words(a) for a in place_aliases()}
    return frozenset(n for n in names if n and len(n.split()) <= _MAX_PLACE_WORDS)


def _strip_places(words: list[str]) -> list[str]:
    places = _places()
    out, i = [], 0
    while i < len(words):
        for size in range(min(_MAX_PLACE_WORDS, len(words) - i), 0, -1):
            if " ".join(words[i:i + size]) in places:
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def core_words(text: str, max_chars: int) -> list[str]:
    """The words of a title that may name the job: "Ervaren hovenier (m/v) 32 uur Zwolle" → ["hovenier"].
    Place names are only dropped when another word is left ("Best" stays a word when typed alone)."""
    text = re.sub(r"\(.*?\)", " ", text[:max_chars].replace("’", "'"))  # "(m/v)", "(24 uur)"
    text = LETTER_PREFIX.sub(r"\1", text)  # "W-monteur" → "Wmonteur": the letter is part of the word
    words = [w for w in fold_words(text).split() if w not in SKIP and not NUMBER.fullmatch(w) and len(w) > 1]
    without = _strip_places(words)
    return without if without else words


def job_like(word: str) -> bool:
    """A folded word that looks like an agent noun, a job ("instructeur", "magazijnmedewerkers")."""
    single = word.removesuffix("s")
    return len(single) >= 5 and single not in GENERIC and word not in GENERIC and single.endswith(JOB_ENDINGS)


def base_forms(key: str) -> list[str]:
    """Singular, male and agent-noun forms of a (last) word, most likely first:
    kapsters → kapster → kapper; schoonmaaksters → schoonmaker; timmerlui → timmerman;
    boomverzorging → boomverzorger; veehouderij → veehouder."""
    out: list[str] = []

    def add(form: str) -> None:
        if len(form) >= 3 and form not in out and form != key:
            out.append(form)

    for plural, single in (("lieden", "man"), ("lui", "man"), ("mannen", "man"), ("vrouwen", "man"),
                           ("vrouw", "man")):
        if key.endswith(plural):
            add(key[: -len(plural)] + single)
    for suffix in ("s", "en", "n"):
        if key.endswith(suffix):
            add(key[: -len(suffix)])
    if key.endswith("en") and len(key) >= 6:
        stem = key[:-2]
        if stem[-1] == stem[-2] and stem[-1] not in VOWELS:
            add(stem[:-1])  # secretaris-s-en → secretaris
        if stem[-1] not in VOWELS and stem[-2] in VOWELS and stem[-3] not in VOWELS:
            add(stem[:-1] + stem[-2] + stem[-1])  # leraren → lerar → leraar (open syllable)
    if key.endswith("ici"):
        add(key[:-1] + "us")  # technici → technicus
    for form in [key, *out]:
        if form.endswith("ster"):
            stem = form[:-4]
            add(stem + "er")
            add(stem + "der")
            if len(stem) >= 2 and stem[-1] not in VOWELS and stem[-2] in VOWELS and stem[-3:-2] not in VOWELS:
                add(stem + stem[-1] + "er")  # kap-ster → kap-p-er
            if len(stem) >= 3 and stem[-2] == stem[-3] and stem[-2] in VOWELS:
                add(stem[:-2] + stem[-1] + "er")  # schoonmaak-ster → schoonmak-er
        for fem, male in (("trice", "teur"), ("rice", "eur"), ("euse", "eur"), ("iere", "ier"), ("iste", "ist"),
                          ("esse", "is"), ("ess", ""), ("ine", "in"), ("es", ""), ("e", ""), ("in", "")):
            if form.endswith(fem):
                add(form[: -len(fem)] + male)
                if fem == "es" and len(form) >= 6 and form[-3] not in VOWELS and form[-4] in VOWELS:
                    add(form[:-3] + form[-4] + form[-3])  # lerares → lerar → leraar
    # Field and activity nouns name the worker through the agent noun: verzorg-ing → verzorg-er,
    # veehoud-erij → veehoud-er, hovenier-s-werk(zaamheden) → hovenier.
    if key.endswith("ing") and len(key) >= 7:
        add(key[:-3] + "er")
    if key.endswith("erij") and len(key) >= 7:
        add(key[:-2])
    for tail in ("werkzaamheden", "werk"):
        if key.endswith(tail) and len(key) - len(tail) >= 4:
            stem = key[: -len(tail)]
            add(stem.removesuffix("s"))
            add(stem)
    return out


def swapped(words: list[str]) -> list[str]:
    """"medewerker keuken" ↔ "keukenmedewerker": the two ways Dutch titles put a generic word."""
    if len(words) == 2 and (words[0] in GENERIC) != (words[1] in GENERIC):
        return [words[1] + words[0]]
    return []


@lru_cache
def _english() -> dict[str, str]:
    path = Path(__file__).resolve().parent / "data" / "occupation_english.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {fold_words(r["english"]): fold_words(r["dutch"]) for r in rows}


def english_parts(word: str) -> list[str]:
    """An English compound typed as one word, split into two words of the English table:
    "warehouseworker" → ["warehouse", "worker"]; [word] when no split fits (shortest front first)."""
    lexicon = _english()
    if word in lexicon:
        return [word]
    for plural, single in (("ies", "y"), ("s", "")):  # "pickers" → "picker", "deliveries" → "delivery"
        if word.endswith(plural) and word[: -len(plural)] + single in lexicon:
            return [word[: -len(plural)] + single]
    for cut in range(3, len(word) - 2):
        if word[:cut] in lexicon and word[cut:] in lexicon:
            return [word[:cut], word[cut:]]
    return [word]


def from_english(words: list[str]) -> list[str] | None:
    """"public area cleaner" → ["openbare", "ruimte", "schoonmaker"]; None when no word is English."""
    lexicon = _english()
    words = [part for w in words for part in english_parts(w)]
    if not any(w in lexicon for w in words):
        return None
    return [part for w in words for part in lexicon.get(w, w).split()]
