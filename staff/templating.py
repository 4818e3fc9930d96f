"""Jinja2 rendering with autoescape always on, URL helpers that respect the `/staff` mount point."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).resolve().parent
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Fixed notices for `?melding=` after a redirect: the URL carries a key, never user text.
NOTICES = {
    "uitgelogd": "U bent uitgelogd.",
    "verlopen": "Uw sessie is verlopen. Log opnieuw in.",
    "beoordeeld": "Gesprek gemarkeerd als beoordeeld.",
    "niet-beoordeeld": "Markering 'beoordeeld' verwijderd.",
    "label": "Labels bijgewerkt.",
    "correctie": "Correctie opgeslagen.",
    "correctie-weg": "Correctie verwijderd.",
    "overgenomen": "U heeft het gesprek overgenomen. De assistent zwijgt zolang u het gesprek heeft.",
    "al-genomen": "Dit gesprek is al door een collega overgenomen of is niet meer in de wachtrij.",
    "verstuurd": "Bericht verstuurd.",
    "niet-verstuurd": "Het bericht kon niet worden bezorgd. Probeer het opnieuw.",
    "wordt-herhaald": ("Het bericht is opgeslagen, maar Telegram nam het nog niet aan. Werkpunt verstuurt het "
                       "vanzelf opnieuw; stuur het niet nog een keer."),
    "niet-bezorgd-telegram": ("Het bericht is opgeslagen, maar Telegram weigert het: de gebruiker heeft de bot "
                              "waarschijnlijk geblokkeerd. Opnieuw sturen helpt niet."),
    "teruggegeven": "Gesprek teruggegeven aan de assistent.",
    "rasa-onbereikbaar": "Let op: de assistent (Rasa) was niet bereikbaar. De gateway houdt het gesprek wel stil.",
    "lead": "Lead bijgewerkt.",
    "gepubliceerd": "Vacature gepubliceerd: werkzoekenden kunnen haar nu vinden.",
    "account-gemaakt": "Account aangemaakt. Maak nu een wachtwoordlink en geef die aan de medewerker.",
    "account-gewijzigd": "Rol en regio's opgeslagen. De medewerker moet opnieuw inloggen.",
    "account-uit": "Account staat uit. Deze medewerker kan niet meer inloggen.",
    "account-aan": "Account staat weer aan. Maak zo nodig een nieuwe wachtwoordlink.",
    "wachtwoord-gezet": "Uw wachtwoord is opgeslagen. Log nu in met uw nieuwe wachtwoord.",
}


def local_time(value: dt.datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """Naive UTC from the database → Amsterdam time for people."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone(AMSTERDAM).strftime(fmt)


def duration(value: dt.timedelta | None) -> str:
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} u {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes // 60 % 24} u"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
def from_json(value: str | None) -> list:
    try:
        return json.loads(value or "[]")
    except ValueError:
        return []


def combine(base: dict, **changes) -> dict:
    return {**base, **changes}


env.filters.update(local_time=local_time, duration=duration, percent=percent, from_json=from_json, combine=combine)


def root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def url(request: Request, name: str, query: dict | None = None, **params) -> str:
    """Path of a named route, under the mount point; `query` is added url-encoded, empty values dropped."""
    path = root(request) + request.app.url_path_for(name, **{k: str(v) for k, v in params.items()})
    clean = {k: v for k, v in (query or {}).items() if v not in (None, "", False)}
    return f"{path}?{urlencode(clean)}" if clean else path


def static(request: Request, name: str) -> str:
    return f"{root(request)}/static/{name}"


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    staff = getattr(request.state, "staff", None)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    context.setdefault("low_confidence", request.app.state.staff.low_confidence)
    html = env.get_template(template).render(
        request=request, staff=staff, notice=notice, csrf_token=staff.csrf_token if staff else "",
        url=lambda name, query=None, **p: url(request, name, query, **p),
        static=lambda name: static(request, name), **context)
    return HTMLResponse(html, status_code=status_code)
