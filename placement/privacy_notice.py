"""What the privacy texts name (AVG art. 13): controller, contact, full notice, retention per kind.

The texts themselves are responses in domain/privacy.yml (`utter_privacy_notice` at first contact,
`utter_privacy` the full notice); their {placeholders} are filled with `notice_values()`, by Rasa (slots
set at session start, actions/fallback.py) and by the gateway's /privacy page (bot/privacy_page.py), so
the chat and the page say the same. Every number comes from a RETENTION_* setting, which the retention
job (staff/retention.py) applies.

The caller passes its settings object (this package imports nothing of ours) and whether the database
is the embedded default: only there do empty organisation settings get demo values. Elsewhere an empty
setting gives a neutral wording; the production check refuses to start with them empty anyway.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

DEMO = {
    "privacy_organisation": "Werkpunt (demo-organisatie, geen echte verwerkingsverantwoordelijke)",
    "privacy_contact": "privacy@werkpunt.example (demo-adres)",
}
NEUTRAL = {
    "privacy_organisation": "het werkgeversservicepunt van uw regio",
    "privacy_contact": "een medewerker van het werkgeversservicepunt (typ 'medewerker')",
}
PAGE_PATH = "/privacy"  # the gateway's own page with the full notice, used when PRIVACY_URL is empty
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def is_embedded_sqlite(url: str, embedded: Path) -> bool:
    """True if `url` is the SQLite file `embedded` (the default database of `make run`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    return Path(parsed.database).resolve() == embedded.resolve()


def own_page_url(settings) -> str:
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}{PAGE_PATH}"


def notice_values(settings, *, embedded: bool) -> dict[str, str]:
    """The placeholder values of the privacy responses, as text (Rasa slots are text)."""
    fallback = DEMO if embedded else NEUTRAL
    return {
        "privacy_organisation": settings.organisation_name.strip() or fallback["privacy_organisation"],
        "privacy_contact": settings.privacy_contact.strip() or fallback["privacy_contact"],
        "privacy_url": settings.privacy_url.strip() or own_page_url(settings),
        "retention_days": str(settings.retention_days),
        "retention_lead_days": str(settings.retention_lead_days),
        "retention_unregistered_days": str(settings.retention_unregistered_days),
        "retention_contact_days": str(settings.retention_concept_contact_days),
    }


def load_response(domain_file: Path, name: str) -> str:
    """The (first) text of response `name` in a Rasa domain file."""
    data = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    return data["responses"][name][0]["text"]


def fill(template: str, values: dict[str, str]) -> str:
    """Rasa's way of filling {slot} placeholders; an unknown placeholder is an error, not a blank."""
    def value(match: re.Match) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"placeholder {{{key}}} has no value")
        return values[key]
    return PLACEHOLDER.sub(value, template)
