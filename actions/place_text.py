"""Places in what the user typed (issue 12): the place a correction names, and a bare place name.

Pure text functions (no tracker, no database), used by the per-turn hook (actions/context.py), the
form validators (actions/forms.py) and the place actions (actions/place_answers.py), so the three
read "nee, ik bedoel Deventer" the same way.

- `corrected_place("niet Zwolle maar Kampen")` → "Kampen": the last gemeente named that is not the
  one being corrected (a name right after "niet" is the old place).
- `bare_place("in Kampen")` → "Kampen": the message is only a place, perhaps with "in" or
  "gemeente" around it; "ik zoek werk in Kampen" is not bare.
Both return the official CBS name (placement.queries.find_gemeente: names and everyday aliases).
"""

from __future__ import annotations

import re

from actions.form_values import COMMON_WORD_PLACES
from placement.queries import find_gemeente

MAX_WORDS = 5  # the longest gemeente names ("Capelle aan den IJssel", "Alphen aan den Rijn")
_PUNCT = " .,!?;:()\"'“”"
# Words around a bare place that do not change what it is: "in de gemeente Ede", "Kampen graag".
_BARE_LEAD = re.compile(r"^(?:in de gemeente|de gemeente|gemeente|in|te|gewoon|rond|regio|plaats:?)\s+", re.I)
_BARE_TAIL = re.compile(r"\s+(?:graag|dus|is het|hoor|alstublieft|aub)$", re.I)
# Words that make a message with a place a correction even when NLU read another intent ("nee, ...").
CORRECTION_WORDS = re.compile(r"\b(?:bedoel\w*|liever|maar|eigenlijk|toch|verander\w*|verkeerd|fout|andere plaats)\b",
                              re.I)
_NOT = re.compile(r"\bniet(?:\s+(?:in|bij|rond|te))?\s*$", re.I)


def _official(part: str) -> str | None:
    row = find_gemeente(part.strip(_PUNCT))
    return row.name if row else None


def places_in(text: str) -> list[tuple[int, str, bool]]:
    """Every gemeente named in `text`, in order: (word position, official name, after "niet")."""
    words = str(text or "").split()
    found: list[tuple[int, str, bool]] = []
    start = 0
    while start < len(words):
        for size in range(min(MAX_WORDS, len(words) - start), 0, -1):
            part = " ".join(words[start:start + size]).strip(_PUNCT)
            if not part or (size == 1 and part.lower() in COMMON_WORD_PLACES and not part[:1].isupper()
                            and len(words) > 1):
                continue
            name = _official(part)
            if name:
                negated = bool(_NOT.search(" ".join(words[:start])))
                found.append((start, name, negated))
                start += size - 1
                break
        start += 1
    return found


def corrected_place(text: str, entity_values: list[str] | tuple[str, ...] = ()) -> str | None:
    """The new place a correction names: the last one not preceded by "niet"; else a NLU location entity."""
    named = [name for _pos, name, negated in places_in(text) if not negated]
    if named:
        return named[-1]
    for value in reversed(list(entity_values)):
        name = _official(str(value))
        if name:
            return name
    return None


def bare_place(text: str) -> str | None:
    """The official name when the whole message is one place ("Kampen", "in Kampen", "Het Hogeland")."""
    value = " ".join(str(text or "").split()).strip(_PUNCT)
    if not value or value.startswith("/") or len(value.split()) > MAX_WORDS + 3:
        return None
    previous = None
    while previous != value:
        previous = value
        value = _BARE_TAIL.sub("", _BARE_LEAD.sub("", value)).strip(_PUNCT)
    return _official(value)


def looks_like_correction(text: str) -> bool:
    """Correction words and a place ("nee, ik bedoel Deventer"), whatever intent NLU gave it."""
    return bool(CORRECTION_WORDS.search(str(text or ""))) and corrected_place(text) is not None
