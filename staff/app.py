"""The staff workspace as an ASGI app: `create_app()`; `werkpunt/app.py` mounts it under `/staff`.

Tests and other embedders can pass the engines, the delivery function and the Rasa URL; by
default everything comes from the settings and the gateway's `bot.outbox.deliver`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from staff.config import StaffConfig
from staff.deps import COOKIE, POLL_HEADER, LoginRequired, Refused
from staff.routes import (accounts, alerts, audit, auth, conversations, dashboard, handoff, leads, problems,
                          review, vacancies)
from staff.templating import HERE, render, root, url

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(config: StaffConfig | None = None, **overrides) -> FastAPI:
    """Build the app. `overrides` (engine, tracker_engine, deliver, rasa_url, ...) go to StaffConfig."""
    app = FastAPI(title="Werkpunt medewerkers", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.staff = config or StaffConfig.from_settings(**overrides)
    for module in (auth, dashboard, conversations, review, handoff, leads, vacancies, audit, accounts, problems,
                   alerts):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        static = request.url.path.startswith(root(request) + "/static/")  # before routing changes root_path
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not static:
            # Transcripts and leads hold personal data: never keep them in a browser or proxy cache.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get(POLL_HEADER) == "1":
            response: Response = HTMLResponse("", status_code=401)
        else:
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = url(request, "login_form", {"melding": exc.reason, "next": nxt if request.method == "GET"
                                                 else None})
            response = RedirectResponse(target, status_code=303)
        if exc.reason:
            response.delete_cookie(COOKIE, path=root(request) or "/")
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return render(request, "error.html", status_code=403, title="Geen toegang", message=exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {404: "Deze pagina of dit gesprek bestaat niet (meer).", 405: "Deze actie kan zo niet."}
        message = messages.get(exc.status_code, str(exc.detail))
        return render(request, "error.html", status_code=exc.status_code, title="Niet gevonden"
                      if exc.status_code == 404 else "Fout", message=message)

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        return render(request, "error.html", status_code=400, title="Ongeldige invoer",
                      message="De invoer is niet geldig. Ga terug en controleer het formulier.")

    return app
