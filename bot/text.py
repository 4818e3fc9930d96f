"""What users read from the gateway itself (Dutch, B1) and how their input is cleaned.

Rasa writes the assistant's answers; the gateway only speaks when Rasa cannot, or when the
input never reaches Rasa (too long, empty, a photo, ...).
"""

from __future__ import annotations

import re
import unicodedata

from settings import Settings

EMPTY = "Uw bericht is leeg. Typ eerst uw vraag."
EDITED = ("U heeft een bericht aangepast. Ik lees alleen nieuwe berichten. "
          "Stuur uw vraag gerust opnieuw.")
UNKNOWN_COMMAND = ("Die opdracht ken ik niet. U kunt gewoon uw vraag typen. "
                   "Of gebruik /start, /stop of /verwijder.")
STALE_BUTTON = "Deze knop werkt niet meer. Typ uw vraag gerust opnieuw."
# bot/erasure.py: the tracker events could not be erased yet; they are retried until they are gone.
ERASURE_PENDING = ("Let op: nog niet alles is gewist. Een deel van dit gesprek staat nog in ons systeem. "
                   "We proberen het steeds opnieuw, tot alles weg is. U hoeft daar niets voor te doen.")
STOPPED = ("Het gesprek is gestopt. Typ /start om opnieuw te beginnen. "
           "Wilt u dat wij uw gegevens wissen? Typ /verwijder.")
WEB_STOPPED = "Het gesprek is gestopt. U kunt een nieuw gesprek beginnen."
BUTTONS_ONLY = "Maak een keuze:"
NO_ANSWER = "Daar heb ik geen antwoord op. Kunt u uw vraag op een andere manier stellen?"
SLOW_DOWN = ("U stuurt veel berichten kort na elkaar. Wacht een minuut en stuur uw bericht dan opnieuw. "
             "Uw eerdere berichten zijn bewaard.")
BAD_REQUEST = "Dit bericht kon ik niet lezen. Probeer het opnieuw."
TOO_LARGE = "Dit bericht is te groot. Stuur een korter bericht."
NOT_PRIVATE = "Ik werk alleen in een privégesprek. Stuur mij een persoonlijk bericht."
TELEGRAM_HELP = ("Telegram staat uit. Zet TELEGRAM_TOKEN (van @BotFather) in .env om Telegram aan "
                 "te zetten; voor productie ook TELEGRAM_WEBHOOK_URL. Zie de README.")

# Polite answers to what the assistant cannot read, per kind of Telegram message.
NOT_TEXT = {
    "photo": "Ik kan geen foto's bekijken. Wilt u uw vraag typen?",
    "voice": "Ik kan geen spraakberichten beluisteren. Wilt u uw vraag typen?",
    "audio": "Ik kan geen geluid beluisteren. Wilt u uw vraag typen?",
    "video": "Ik kan geen video's bekijken. Wilt u uw vraag typen?",
    "sticker": "Leuke sticker! Ik begrijp alleen tekst. Wilt u uw vraag typen?",
    "location": ("Ik kan geen locatie lezen. Typ de naam van uw woonplaats, "
                 "bijvoorbeeld 'Amersfoort'."),
    "contact": ("Ik kan geen contactkaart lezen. Wilt u teruggebeld worden? "
                "Typ dan 'bel mij terug'."),
    "document": ("Ik kan geen bestanden openen. Stuur hier geen cv of andere papieren. "
                 "Een medewerker vraagt daar zelf om als het nodig is."),
    "other": "Ik begrijp alleen tekst. Wilt u uw vraag typen?",
}


# Issue 15: while no Rasa replica accepts connections (the stack is starting) the web chat says this;
# bot/held_turns.py answers the stored message as soon as Rasa is up (tests/test_held_turns.py).
STARTING = "De assistent start nog op; uw bericht is bewaard. U krijgt zo antwoord."


def fallback(settings: Settings) -> str:
    """The message a user gets when Rasa or the action server does not answer in time."""
    phone = settings.support_phone.strip()
    call = f"bel ons op {phone}" if phone else "bel het werkgeversservicepunt in uw regio"
    return f"Er gaat even iets mis aan mijn kant. Probeer het zo nog eens, of {call}."


def too_long(limit: int) -> str:
    number = f"{limit:,}".replace(",", ".")
    return f"Uw bericht is te lang. Schrijf het korter, in hooguit {number} tekens."


# C0/C1 control characters except tab and newline; invisible marks (zero-width space, LRM/RLM,
# word joiner, BOM); bidi overrides and isolates (they can disguise text in the staff view);
# noncharacters. ZWJ/ZWNJ stay: emoji sequences and some scripts need them.
_STRIP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069"
                    "\ufeff\ufdd0-\ufdef\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(raw: str) -> str:
    """Normalise user text: NFC, valid UTF-8 only, no control characters, tidy whitespace."""
    text = raw.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _STRIP.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_INTENT_PREFIX = re.compile(r"^[\s/]+")


def plain(text: str) -> str:
    """Typed text as Rasa gets it: never intent syntax.

    Rasa reads a message that starts with "/" as "/intent{entities}" and skips NLU and the dialogue's
    own checks. Only buttons the gateway issued may do that; what a user types loses its leading slashes."""
    return _INTENT_PREFIX.sub("", text)


def check(raw: str, settings: Settings) -> tuple[str, str | None]:
    """Clean user text; returns (text, None) or (text, the Dutch reason it cannot be sent)."""
    text = clean(raw)
    if not plain(text):
        return text, EMPTY
    if len(text) > settings.max_message_chars:
        return text, too_long(settings.max_message_chars)
    return text, None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = 4000) -> list[str]:
    """Split text into parts of at most `limit` UTF-16 units, at paragraph, line or word breaks."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        window = rest[:limit]
        while utf16_len(window) > limit:  # astral characters count double
            window = window[:-1]
        cut = max(window.rfind("\n\n"), 0)
        for sep in ("\n", ". ", " "):
            if cut >= len(window) // 2:
                break
            cut = max(cut, window.rfind(sep) + (1 if sep == ". " else 0))
        if cut < len(window) // 2:
            cut = len(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
