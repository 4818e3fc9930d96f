"""The production check: with WERKPUNT_ENV=production the stack does not start while a problem remains.

Each problem is one Dutch line that says what is wrong and what to do. `python -m werkpunt.cli check`
prints the same lines for any environment (exit code 1 when there is a problem).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, inspect, select

from placement.models import Candidate, Employer, StaffMember, Vacancy
from settings import Settings

MIN_SECRET_CHARS = 32
NEW_SECRET = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
# Demo rows carry markers that real data never has: e-mail addresses under the reserved .example
# domain (RFC 2606), vacancies made by the seed, candidates with a demo channel key.
DEMO_MARKERS = (
    ("medewerkers", StaffMember, StaffMember.email.like("%.example")),
    ("werkgevers", Employer, Employer.contact_email.like("%.example")),
    ("vacatures", Vacancy, Vacancy.origin == "seed"),
    ("werkzoekenden", Candidate, Candidate.channel_key.like("demo-%")),
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name, 0.0.0.0 or :: all mean: reachable from elsewhere


def demo_rows(engine: Engine) -> dict[str, int]:
    """How many demo rows each kind has (tables that do not exist yet count as empty)."""
    tables = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for label, model, marker in DEMO_MARKERS:
            if model.__tablename__ in tables:
                count = conn.scalar(select(func.count()).select_from(model).where(marker))
                if count:
                    counts[label] = count
    return counts


def _doors(settings: Settings) -> list[str]:
    """A listener or a peer beyond loopback needs a token configured by the operator: a generated
    one lives in this host's var/ only, so another host could not know it."""
    found = []
    rasa_remote = not is_loopback(settings.rasa_host) or \
        not is_loopback(urlsplit(settings.rasa_base_url).hostname or "")
    if rasa_remote and not settings.rasa_token.get_secret_value():
        found.append("Rasa is bereikbaar buiten deze computer (RASA_HOST of RASA_URL), maar RASA_TOKEN is niet "
                     f"ingesteld. Zet RASA_TOKEN op een lange willekeurige waarde ({NEW_SECRET}).")
    action_remote = not is_loopback(settings.action_host) or \
        not is_loopback(urlsplit(settings.action_webhook_url).hostname or "")
    if action_remote and not settings.action_secret.get_secret_value():
        found.append("De actieserver is bereikbaar buiten deze computer (ACTION_HOST of ACTION_URL), maar "
                     "ACTION_SECRET is niet ingesteld. Zet ACTION_SECRET op een lange willekeurige waarde "
                     f"({NEW_SECRET}).")
    for name in ("rasa_token", "action_secret"):
        value = getattr(settings, name).get_secret_value()
        if value and len(value) < MIN_SECRET_CHARS:
            found.append(f"{name.upper()} is te kort ({len(value)} tekens). Gebruik minstens {MIN_SECRET_CHARS} "
                         f"willekeurige tekens ({NEW_SECRET}).")
    return found


def problems(settings: Settings, engine: Engine | None = None) -> list[str]:
    """Everything that must be fixed before this configuration may serve real users."""
    found: list[str] = []
    secret = settings.gateway_secret.get_secret_value()
    if not secret:
        found.append(f"GATEWAY_SECRET is leeg. Zet een vaste, willekeurige sleutel van minstens {MIN_SECRET_CHARS} "
                     f"tekens ({NEW_SECRET}); bewaar hem goed, want een nieuwe sleutel begint alle gesprekken opnieuw.")
    elif len(secret) < MIN_SECRET_CHARS:
        found.append(f"GATEWAY_SECRET is te kort ({len(secret)} tekens). Gebruik minstens {MIN_SECRET_CHARS} "
                     f"willekeurige tekens ({NEW_SECRET}).")
    if settings.staff_cookie_secure is not True:
        found.append("STAFF_COOKIE_SECURE staat niet op true. Zet STAFF_COOKIE_SECURE=true en bied de "
                     "medewerkersomgeving alleen via https aan.")
    found += _doors(settings)
    if settings.demo_data:
        found.append("DEMO_DATA=true laadt verzonnen mensen in de database. Haal DEMO_DATA weg of zet het op false.")
    for name, what in (("organisation_name", "de naam van uw organisatie in (de verwerkingsverantwoordelijke)"),
                       ("privacy_contact", "een e-mailadres of telefoonnummer in voor vragen over gegevens"),
                       ("privacy_url", "het webadres van de volledige privacyverklaring in")):
        if not getattr(settings, name).strip():
            found.append(f"{name.upper()} is leeg. Vul {what}. De privacymelding van de bot noemt het.")
    if engine is not None:
        counts = demo_rows(engine)
        if counts:
            listed = ", ".join(f"{n} {label}" for label, n in counts.items())
            found.append(f"De database bevat demodata ({listed}). Begin met een lege database (zonder DEMO_DATA) "
                         "en importeer echte medewerkers: python -m werkpunt.imports staff <bestand.csv>.")
    return found
