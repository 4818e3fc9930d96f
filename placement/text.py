"""Folding text for lookups: the forms in which users type names of places and jobs."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents and outer spaces: "Súdwest-Fryslân " → "sudwest-fryslan"."""
    text = unicodedata.normalize("NFKD", text.lower().strip())
    return "".join(c for c in text if not unicodedata.combining(c))


def fold_words(text: str) -> str:
    """`fold`, then punctuation to spaces and single spaces: "Magazijn-medewerker!" → "magazijn medewerker"."""
    text = re.sub(r"[^a-z0-9' ]+", " ", fold(text)).replace("'", "")
    return " ".join(text.split())
