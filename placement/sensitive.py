"""Data the product never keeps: citizen service numbers (BSN) and health details.

Used at two edges. The gateway replaces a BSN in every incoming message before it stores the message
or passes it on (so it reaches neither `chat_message` nor Rasa's tracker store). The forms refuse
an answer that names a BSN or a health detail, so no slot and no placement row keeps it.

Health words are refused only as form answers, not in free chat: "wat als mijn werknemer ziek
wordt?" is a normal question about the no-riskpolis. The list is curated to leave everyday job words
alone: whole words only ("ziek" but not "ziekenhuis" or "ziekenverzorgende"), and "beperking" or
"handicap" only when the user speaks about their own ("ik heb een beperking", "mijn handicap"),
because "begeleider van mensen met een beperking" is a job.
"""

from __future__ import annotations

import re

from placement.text import fold

BSN_PLACEHOLDER = "[BSN]"  # no word the NLU reads as an intent ("verwijderd" meant: delete my data)
_BSN_LIKE = re.compile(r"(?<![\d+])(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}\.\d{3}\.\d{3})(?!\d)")

HEALTH_WORDS = (
    "ziek", "zieke", "ziekte", "ziektes", "ziekten", "diagnose", "gediagnosticeerd", "burn-out", "burnout",
    "overspannen", "depressie", "depressief", "depressies", "autisme", "autistisch", "adhd", "medicijnen",
    "medicijn", "medicatie", "ptss", "psychose", "psychotisch", "schizofrenie", "bipolair", "epilepsie",
    "hernia", "kanker", "diabetes", "suikerziekte", "angststoornis", "paniekaanvallen", "verslaving",
    "verslaafd", "reuma", "dementie", "hersenletsel", "beroerte", "hartaanval", "chemo", "chemotherapie",
    "long covid", "whiplash",
)
_HEALTH = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(HEALTH_WORDS, key=len, reverse=True)) + r")(?![\w-])"
    r"|\b(ik heb|ik heb last van|mijn|met mijn)\s+(een\s+)?(lichamelijke\s+|verstandelijke\s+|psychische\s+|"
    r"auditieve\s+|visuele\s+)?(beperking|handicap|aandoening)\b"
    r"|\bik ben\s+(doof|blind|slechthorend|slechtziend|gehandicapt)\b"
)


def _eleven_proof(digits: list[int]) -> bool:
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1))) - digits[8]
    return total % 11 == 0 and any(digits)


def _bsn_matches(text: str) -> list[re.Match]:
    return [m for m in _BSN_LIKE.finditer(text or "")
            if _eleven_proof([int(d) for d in re.sub(r"\D", "", m.group())])]


def looks_like_bsn(text: str) -> bool:
    """A 9-digit number that passes the BSN eleven test: the user should not share it here."""
    return bool(_bsn_matches(text)) or BSN_PLACEHOLDER in (text or "")


def redact_bsn(text: str) -> str:
    """The text with every BSN-like number replaced by BSN_PLACEHOLDER."""
    for match in reversed(_bsn_matches(text)):
        text = text[:match.start()] + BSN_PLACEHOLDER + text[match.end():]
    return text


def mentions_health(text: str) -> bool:
    """Does the text name an illness, a diagnosis, medication or the user's own disability?"""
    return bool(_HEALTH.search(fold(str(text or ""))))
