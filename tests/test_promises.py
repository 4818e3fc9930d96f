"""No answer promises anything the code does not do (issue 13).

Every sentence in which the assistant says what will happen (a mail, a call, a time, storage or
deletion) is one of a known kind, allowed only in the files whose code and tests back it. A new
promise elsewhere fails here until its code and test exist. The callback times are checked through
the action server's real webhook: named only when a person is routed and office hours exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from placement.db import session_scope
from placement.models import StaffMember, StaffRegion
from tests import action_server

ROOT = Path(__file__).resolve().parent.parent
# kind: (pattern, files allowed to say it, what backs it)
PROMISES = {
    "e-mail": (r"bevestiging|u krijgt (een )?(e-?)?mail|(sturen|mailen) (wij|we|ik)\b|wij mailen|per (e-?)?mail",
               set(), "nothing: Werkpunt sends no e-mail"),
    "a time": (r"\bwerkdagen\b|\bbinnen \d+ (uur|dagen)\b",
               {"actions/promises.py"}, "actions/promises.py, test_callback_time_* below"),
    "a call": (r"\b(belt|bellen) (u|wij u)\b|\bterugbel(t|len)\b",
               {"domain/forms.yml", "domain/general.yml", "actions/leads.py", "actions/employer.py",
                "actions/jobseeker.py", "domain/privacy.yml"},  # privacy.yml: how long a callback request is kept
               "the callback lead in the staff inbox: tests/test_actions_services.py::test_callback_routes_by_role"),
    "storage or deletion": (r"\bbewaar|\bgewist\b|\bwis\b|\bwissen\b|verwijderd",
                            {"domain/privacy.yml", "domain/forms.yml", "actions/privacy.py", "actions/forms.py",
                             "actions/jobseeker.py", "actions/service_support.py", "actions/fallback.py",
                             "bot/text.py", "bot/templates/chat.html", "bot/static/chat.js"},
                            "retention and erasure: tests/test_staff_retention.py, tests/test_careful_storage.py"),
    # Issue 16: telling someone they will get a match alert, when, and where they will see it.
    "an alert": (r"\bu krijgt (hier in telegram )?(een|één) bericht|\bkrijgt u een bericht|\bstuur ik niets\b|"
                 r"\bals u terugkomt\b",
                 {"actions/alerts.py"},
                 "the matcher, quiet hours and web chat on return: tests/test_alerts_engine.py, "
                 "tests/test_alerts_dialogue.py, tests/test_alerts_web_stack.py"),
}


def said_texts() -> list[tuple[str, str]]:
    """(file, text) for every response in domain/ and every string literal in actions/ and bot/."""
    found = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for variants in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}).values():
            found += [(f"domain/{path.name}", v.get("text", "")) for v in variants]
    for folder in ("actions", "bot"):
        for path in sorted((ROOT / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                          and node.body and isinstance(node.body[0], ast.Expr)}
            found += [(f"{folder}/{path.name}", node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]
    for path in [*(ROOT / "bot" / "templates").glob("*.html"), *(ROOT / "bot" / "static").glob("*.js")]:
        found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("kind", sorted(PROMISES))
def test_every_promise_is_said_only_where_code_backs_it(kind):
    pattern, allowed, backing = PROMISES[kind]
    wrong = sorted({(where, m.group(0)) for where, text in said_texts()
                    for m in re.finditer(pattern, text, re.IGNORECASE) if where not in allowed})
    assert not wrong, f"promise of {kind} without backing ({backing}): {wrong}"


def test_the_scan_finds_a_promise():
    pattern = PROMISES["e-mail"][0]
    assert re.search(pattern, "Daar sturen wij de bevestiging naartoe.", re.IGNORECASE)
    assert any(re.search(PROMISES["a call"][0], text) for where, text in said_texts() if where == "actions/leads.py")
    assert any(re.search(PROMISES["an alert"][0], text, re.IGNORECASE) for where, text in said_texts()
               if where == "actions/alerts.py")


def test_nothing_in_the_product_sends_mail():
    for folder in ("actions", "bot", "staff", "placement", "werkpunt"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not re.search(r"\bimport smtplib|\bfrom smtplib|aiosmtplib", path.read_text(encoding="utf-8")), path


# --- callback times through the action server ------------------------------------------------------------
@pytest.fixture(scope="module")
def gouda_staff(engine):
    with session_scope(engine) as s:
        member = StaffMember(name="Pim Promise", email="pim.promise@werkpunt.example", role="accountmanager")
        member.regions.append(StaffRegion(region_code="AM20"))
        s.add(member)
    return engine


def callback_text(base: str, sender: str, place: str) -> str:
    from tests.test_actions_services import call, texts

    return texts(call(base, "action_submit_callback", sender, user_role="werkgever", contact_name="Jan",
                      phone="+31612340000", location=place))


def test_callback_time_is_named_only_when_a_person_is_routed(gouda_staff, db_url):
    proc, base = action_server.start(db_url)
    try:
        routed = callback_text(base, "promise-1", "Gouda")
        assert "Pim Promise" in routed and "binnen 2 werkdagen" in routed
        nobody = callback_text(base, "promise-2", "Groningen")  # no staff member in AM01 in this database
        assert "werkdagen" not in nobody and "zo snel mogelijk" in nobody
    finally:
        action_server.stop(proc)


def test_callback_time_follows_the_settings_and_goes_without_office_hours(gouda_staff, db_url):
    proc, base = action_server.start(db_url, CALLBACK_WORKING_DAYS="3")
    try:
        assert "binnen 3 werkdagen" in callback_text(base, "promise-3", "Gouda")
    finally:
        action_server.stop(proc)
    proc, base = action_server.start(db_url, OFFICE_HOURS="")
    try:
        text = callback_text(base, "promise-4", "Gouda")
        assert "werkdagen" not in text and "zo snel mogelijk" in text
    finally:
        action_server.stop(proc)
