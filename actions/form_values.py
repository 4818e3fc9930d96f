"""Parse and normalise what users type into the forms: hours, places, job titles, phone, e-mail, names.

Pure functions without Rasa, so they are cheap to test. Each `check_*` returns a `Checked`:
the normalised value (the form stores it as the slot), or a short B1 Dutch hint saying what a
good answer looks like. Hints never quote the user's text back: it may hold a BSN or a health
detail that the user should not have typed (privacy rule of the product).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from placement.occupations import normalise
from placement.queries import find_gemeente, suggest_gemeenten
from placement.reference import gemeenten
from placement.sensitive import looks_like_bsn, mentions_health  # noqa: F401 (the forms use both)
from placement.services.employer import phone_like
from placement.text import fold

MAX_HOURS = 40
FULLTIME_HOURS = 36  # most Dutch collective agreements: 36-40; 36 is the common "fulltime" offer
HOURS_PER_DAY = 8

YES_NO_WORDS = {"ja", "nee", "ok", "oke", "oké", "goed", "prima", "stop", "stoppen", "nvt", "geen", "weet niet",
                "weet ik niet", "geen idee", "maakt niet uit", "niks", "niets", "-", "?"}

_UNITS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
          "negen": 9}
_WORDS = {**_UNITS, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
          "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19, "twintig": 20, "dertig": 30,
          "veertig": 40, "vijftig": 50, "zestig": 60}
_TENS = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50}
_COMPOUND = re.compile(r"^(een|één|twee|drie|vier|vijf|zes|zeven|acht|negen)(?:en|ën)(twintig|dertig|veertig|vijftig)$")
_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)*\.?$")
_LEADING = re.compile(r"^(ik ben|ik heet|mijn naam is|naam:?|dit is|het is|wij zijn|we zijn|het bedrijf heet|"
                      r"bedrijfsnaam:?|ik werk bij|ik zoek werk als|ik zoek|werk als|als|in|te|bij|gemeente|"
                      r"regio|een|de|het)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    value: str | None = None
    hint: str | None = None  # what to say when the value is not usable

    @property
    def ok(self) -> bool:
        return self.value is not None


def clean(text: object) -> str:
    """The answer as typed, trimmed, without trailing punctuation and without leading filler words."""
    value = " ".join(str(text or "").split()).strip(" .!,;:")
    previous = None
    while previous != value:
        previous, value = value, _LEADING.sub("", value).strip(" .!,;:")
    return value


def _word_number(word: str) -> int | None:
    word = word.lower()
    if word in _WORDS:
        return _WORDS[word]
    match = _COMPOUND.match(word)
    return _UNITS[match.group(1)] + _TENS[match.group(2)] if match else None




def parse_hours(text: object) -> int | None:
    """Hours per week from "20 uur", "twintig", "20-24 uur" (the highest), "fulltime", "4 dagen"."""
    value = fold(str(text or "")[:200])
    if not value or phone_like(value):  # "mijn nummer is 0612345678" is not about hours
        return None
    if re.search(r"full ?-?time|voltijd|hele week|volledige week", value):
        return FULLTIME_HOURS
    days = re.search(r"(\d+|\w+)\s+dag(en)?\b", value)
    if days and "uur" not in value:
        count = int(days.group(1)) if days.group(1).isdigit() else _word_number(days.group(1))
        if count:
            return count * HOURS_PER_DAY
    numbers = [float(n.replace(",", ".")) for n in re.findall(r"\d{1,4}(?:[.,]\d{1,2})?", value)]
    numbers += [n for n in (_word_number(w) for w in re.findall(r"[a-zé]+", value)) if n is not None]
    return round(max(numbers[:2])) if numbers else None


def check_hours(text: object) -> Checked:
    hours = parse_hours(text)
    if hours is None:
        if re.search(r"part ?-?time|deeltijd", fold(str(text or ""))):
            return Checked(hint="Hoeveel uur per week ongeveer? Noem een getal, bijvoorbeeld 24.")
        return Checked(hint="Noem het aantal uur per week als getal, bijvoorbeeld 24.")
    if not 1 <= hours <= MAX_HOURS:
        return Checked(hint=f"Kies een aantal uur tussen 1 en {MAX_HOURS} per week.")
    return Checked(str(hours))


def sane_hours(value: object) -> str | None:
    """The `hours` slot as Rasa filled it from an entity, made safe: a number of hours 1-40 ("24"), or None.
    NLU sometimes tags a phone number ("mijn nummer is 0612345678") as `hours`; it must never stay there."""
    return check_hours(value).value


# Gemeente names that are also everyday Dutch words ("het best", "de buren"): inside a longer
# answer they only count when capitalised.
COMMON_WORD_PLACES = {"best", "buren", "putten", "sluis", "beek", "goes", "laren", "bergen", "stein", "hulst", "ede"}


@lru_cache
def _ambiguous_places() -> dict[str, list[str]]:
    """Short names shared by several gemeenten: "bergen" → Bergen (NH.), Bergen (L.)."""
    by_base: dict[str, list[str]] = {}
    for row in gemeenten():
        by_base.setdefault(fold(row.name.split("(")[0]), []).append(row.name)
    return {base: names for base, names in by_base.items() if len(names) > 1}


def _gemeente_for(candidate: str) -> str | None:
    row = find_gemeente(candidate)  # official names and everyday aliases (placement/data/place_aliases.csv)
    return row.name if row else None


def check_location(text: object) -> Checked:
    """The official CBS name of the gemeente, found in the whole answer or a part of it."""
    value = clean(text)
    words = value.split()
    if fold(value) in _ambiguous_places():
        return Checked(hint=f"Welke bedoelt u: {' of '.join(_ambiguous_places()[fold(value)])}?")
    # Longest part first, so "Alphen aan den Rijn" wins over "Rijn" and "Den Bosch" over "Bosch".
    for size in range(min(len(words), 5), 0, -1):
        for start in range(len(words) - size + 1):
            part = " ".join(words[start:start + size])
            if len(words) > 1 and part.lower() in COMMON_WORD_PLACES and not part[:1].isupper():
                continue
            name = _gemeente_for(part)
            if name:
                return Checked(name)
    suggestions = suggest_gemeenten(value) if value and len(value) <= 40 else []
    if suggestions:
        return Checked(hint=f"Die plaats ken ik niet. Bedoelt u {' of '.join(suggestions)}?")
    return Checked(hint="Die plaats ken ik niet. Noem de gemeente, bijvoorbeeld Utrecht of Zwolle.")


def check_job_title(text: object) -> Checked:
    """An occupation label when we know the job, otherwise the job title as typed (if it looks like one)."""
    value = clean(text).lower()
    occupation = normalise(value)
    if occupation:
        return Checked(occupation.label)
    words = value.split()
    for size in range(min(len(words), 3), 0, -1):
        for start in range(len(words) - size + 1):
            occupation = normalise(" ".join(words[start:start + size]))
            if occupation and size < len(words):
                return Checked(occupation.label)
    if value in YES_NO_WORDS or not 2 <= len(value) <= 50 or len(words) > 5 or not re.search(r"[a-zà-ÿ]", value) \
            or re.search(r"\d|[/?]", value):
        return Checked(hint="Noem één beroep, bijvoorbeeld schoonmaker, chauffeur of kok.")
    return Checked(value)


def check_phone(text: object) -> Checked:
    """A phone number (Dutch by default) in E.164, found anywhere in the answer."""
    raw = str(text or "")
    for match in phonenumbers.PhoneNumberMatcher(raw, "NL", leniency=phonenumbers.Leniency.POSSIBLE):
        if phonenumbers.is_valid_number(match.number):
            return Checked(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    try:  # the matcher skips numbers written without separators inside longer text less often than this
        number = phonenumbers.parse(re.sub(r"[^\d+]", "", raw), "NL")
        if phonenumbers.is_valid_number(number):
            return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        pass
    return Checked(hint="Dat is geen geldig telefoonnummer. Typ 10 cijfers, bijvoorbeeld 06 12345678 of 010 1234567.")


def check_email(text: object) -> Checked:
    match = _EMAIL.search(str(text or ""))
    if not match or ".." in match.group():
        return Checked(hint="Dat is geen geldig e-mailadres. Een e-mailadres ziet er zo uit: naam@bedrijf.nl.")
    return Checked(match.group().lower())


def check_person_name(text: object) -> Checked:
    value = clean(text)
    if value.lower() in YES_NO_WORDS or not 2 <= len(value) <= 60 or len(value.split()) > 6 \
            or not _NAME.match(value):
        return Checked(hint="Typ een naam, bijvoorbeeld Jan de Vries.")
    return Checked(value)


def check_company_name(text: object) -> Checked:
    value = clean(text)
    if value.lower() in YES_NO_WORDS or not 2 <= len(value) <= 80 or not re.search(r"[^\W\d_]", value):
        return Checked(hint="Typ de naam van uw bedrijf, bijvoorbeeld Bakkerij Jansen.")
    return Checked(value)


def check_moment(text: object) -> Checked:
    value = " ".join(str(text or "").split()).strip(" .!,")
    if value.lower() in YES_NO_WORDS - {"maakt niet uit"} or not 2 <= len(value) <= 100 \
            or not re.search(r"[^\W_]", value):
        return Checked(hint="Noem een dag of een dagdeel, bijvoorbeeld 'dinsdagochtend' of 'morgen na 14 uur'.")
    return Checked(value)
