"""The full privacy notice as a web page (GET /privacy): the same text the bot gives on 'privacy'.

The text is the `utter_privacy` response of domain/privacy.yml, filled with the same values as in the
chat (placement/privacy_notice.py), so the page and the bot cannot drift apart. The short notice in the
web chat's footer names the conversation period from the same settings.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.webchat import SECURITY_HEADERS, templates
from placement.privacy_notice import PAGE_PATH, fill, is_embedded_sqlite, load_response, notice_values
from settings import ROOT, VAR, Settings

router = APIRouter()
DOMAIN_FILE = ROOT / "domain" / "privacy.yml"


def values_for(settings: Settings) -> dict[str, str]:
    return notice_values(settings, embedded=is_embedded_sqlite(settings.database_url, VAR / "werkpunt.db"))


@lru_cache(maxsize=4)
def _template() -> str:
    return load_response(DOMAIN_FILE, "utter_privacy")


def sections(settings: Settings) -> list[dict]:
    """The notice as blocks: a paragraph's lines, and the '- ' lines of a list."""
    blocks = []
    for block in fill(_template(), values_for(settings)).split("\n\n"):
        lines = block.splitlines()
        items = [line[2:] for line in lines if line.startswith("- ")]
        blocks.append({"lines": [line for line in lines if not line.startswith("- ")], "entries": items})
    return blocks


@router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
async def privacy_page(request: Request) -> Response:
    settings = request.app.state.gateway.settings
    return templates.TemplateResponse(request, "privacy.html",
                                      {"version": request.app.state.static_version, "sections": sections(settings)},
                                      headers=SECURITY_HEADERS)
