"""Form validators and dialogue actions, called through the action server's real HTTP webhook.

The action server runs as a subprocess (`python -m actions.server`), exactly as in
production, and gets the same kind of request Rasa 3.6 sends while a form is active: the tracker
with the user message, the slot candidates appended after the form's ActionExecuted, and the
domain. The validators do not use the database, but importing the actions package needs one.
"""

from __future__ import annotations

import httpx
import pytest

from staff.review import load_domain
from tests import action_server

DOMAIN = load_domain()

# The validators never touch the database; one backend is enough to start the server.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def action_url(engine, db_url, tmp_path_factory) -> str:
    proc, base = action_server.start(db_url, tmp_path_factory.mktemp("actions") / "actions.log")
    yield f"{base}/webhook"
    action_server.stop(proc)


def _user(text: str, intent: str, confidence: float, entities: list | None = None) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
            "intent_ranking": [{"name": intent, "confidence": confidence}]}


def call(url: str, action: str, *, form: str | None = None, text: str = "", intent: str = "nlu_fallback",
         confidence: float = 0.9, requested: str | None = None, candidates: dict | None = None,
         slots: dict | None = None, history: list | None = None, message: dict | None = None) -> dict:
    """POST what Rasa posts for `action`; returns {"events": [...], "responses": [...]}."""
    latest = message or _user(text, intent, confidence)
    candidates = candidates or {}
    current = {name: None for name in DOMAIN["slots"]} | {"requested_slot": requested} | (slots or {}) | candidates
    events = [{"event": "action", "name": "action_listen"}, *(history or []),
              {"event": "user", "text": latest["text"], "parse_data": latest}]
    if form:
        # Rasa's FormAction: requested slot, the form's ActionExecuted, then the slot candidates.
        events += [{"event": "slot", "name": "requested_slot", "value": requested},
                   {"event": "action", "name": form}]
        events += [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
    tracker = {"sender_id": "test-user", "slots": current, "latest_message": latest, "events": events,
               "paused": False, "followup_action": None, "active_loop": {"name": form} if form else {},
               "latest_action_name": form or "action_listen"}
    response = httpx.post(url, json={"next_action": action, "sender_id": "test-user", "tracker": tracker,
                                     "domain": DOMAIN, "version": "3.6.21"}, timeout=30, headers=action_server.HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def slot_sets(result: dict) -> dict:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def said(result: dict) -> str:
    return " ".join(r.get("text") or r.get("response") or "" for r in result["responses"])


def rejected(result: dict) -> bool:
    return any(e["event"] == "action_execution_rejected" for e in result["events"])


# --- vacancy form: valid answers are normalised ---------------------------------------------------
@pytest.mark.parametrize("slot, answer, stored", [
    ("hours", "20 uur", "20"),
    ("hours", "twintig", "20"),
    ("hours", "fulltime", "36"),
    ("hours", "vierentwintig uur per week", "24"),
    ("location", "Zwolle", "Zwolle"),
    ("location", "den bosch", "'s-Hertogenbosch"),
    ("location", "ik zit in Alphen aan den Rijn", "Alphen aan den Rijn"),
    ("email", "Jan@Bakkerij.NL", "jan@bakkerij.nl"),
    ("phone", "06-12345678", "+31612345678"),
    ("phone", "bel me op 010 123 4567", "+31101234567"),
    ("job_title", "vrachtwagenchauffeur", "chauffeur"),
    ("company_name", "wij zijn Bakkerij Jansen", "Bakkerij Jansen"),
    ("contact_name", "mijn naam is Fatima El Amrani", "Fatima El Amrani"),
])
def test_vacancy_form_stores_normalised_values(action_url, slot, answer, stored):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text=answer, requested=slot,
                  candidates={slot: answer}, slots={"form_errors": 1})
    sets = slot_sets(result)
    assert sets[slot] == stored
    assert sets["form_errors"] == 0  # a good answer resets the count of wrong answers
    assert not rejected(result)


@pytest.mark.parametrize("slot, answer, hint", [
    ("hours", "50 uur", "tussen 1 en 40"),
    ("hours", "0", "tussen 1 en 40"),
    ("hours", "parttime", "Noem een getal"),
    ("location", "Zwole", "Bedoelt u Zwolle"),
    ("location", "Bergen", "Bergen (NH.) of Bergen (L.)"),
    ("email", "jan@", "geen geldig e-mailadres"),
    ("phone", "98765", "geen geldig telefoonnummer"),
    ("contact_name", "ja", "Typ een naam"),
])
def test_invalid_answers_get_a_hint_and_are_counted(action_url, slot, answer, hint):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text=answer, requested=slot,
                  candidates={slot: answer})
    sets = slot_sets(result)
    assert sets[slot] is None and sets["form_errors"] == 1
    assert hint in said(result)
    assert answer not in said(result) or answer in hint  # the user's text is not echoed back


def test_phone_is_read_from_the_message_text_when_no_candidate_was_extracted(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="0612345678",
                  intent="out_of_scope", confidence=0.96, requested="phone")
    assert slot_sets(result)["phone"] == "+31612345678"


def test_third_invalid_answer_explains_and_asks_to_continue(action_url):
    result = call(action_url, "validate_callback_form", form="callback_form", text="0000", requested="phone",
                  candidates={"phone": "0000"}, slots={"form_errors": 2})
    sets = slot_sets(result)
    assert sets["requested_slot"] == "form_continue" and sets["phone"] is None and sets["form_errors"] == 0
    assert "Dit lukt nog niet" in said(result)


# --- escape hatch -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, intent", [("stoppen", "stop"), ("laat maar", "stop"), ("nee", "deny")])
def test_stop_or_no_asks_whether_to_continue(action_url, text, intent):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text=text, intent=intent,
                  confidence=0.97, requested="company_name")
    assert slot_sets(result)["requested_slot"] == "form_continue"
    assert not rejected(result)


def test_no_to_continue_rejects_the_form_and_forgets_the_answers(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="nee", intent="deny",
                  confidence=0.99, requested="form_continue",
                  slots={"company_name": "Bakkerij Jansen", "job_title": "bakker"})
    assert rejected(result)
    sets = slot_sets(result)
    assert sets["company_name"] is None and sets["job_title"] is None


def test_yes_to_continue_goes_back_to_the_open_question(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="/affirm", intent="affirm",
                  confidence=1.0, requested="form_continue", slots={"company_name": "Bakkerij Jansen"})
    sets = slot_sets(result)
    assert not rejected(result) and "requested_slot" not in sets and sets["form_errors"] == 0


def test_an_answer_instead_of_yes_is_taken_for_the_open_question(action_url):
    result = call(action_url, "validate_callback_form", form="callback_form", text="06 12345678",
                  intent="out_of_scope", confidence=0.9, requested="form_continue", slots={"contact_name": "Piet"})
    assert slot_sets(result)["phone"] == "+31612345678"


@pytest.mark.parametrize("intent", ["request_human", "request_data_deletion"])
def test_handover_intents_reject_the_form(action_url, intent):
    result = call(action_url, "validate_callback_form", form="callback_form", text="...", intent=intent,
                  confidence=0.95, requested="phone")
    assert rejected(result)


def test_low_confidence_no_is_tried_as_an_answer(action_url):
    result = call(action_url, "validate_callback_form", form="callback_form", text="Nina", intent="deny",
                  confidence=0.4, requested="contact_name")
    assert slot_sets(result)["contact_name"] == "Nina"


def test_question_in_between_is_answered_and_the_form_asks_again(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="wat is loonkostensubsidie?",
                  intent="ask_wage_subsidy", confidence=0.97, requested="company_name",
                  candidates={"company_name": "wat is loonkostensubsidie?"})
    assert [r.get("response") for r in result["responses"]] == ["utter_wage_subsidy"]
    sets = slot_sets(result)
    assert sets["company_name"] is None and sets["form_errors"] == 0


def test_a_bsn_is_not_stored_or_repeated(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="123456782", requested="phone",
                  candidates={"phone": "123456782"})
    assert slot_sets(result)["phone"] is None
    assert "BSN" in said(result) and "123456782" not in said(result)


def test_the_gateways_bsn_placeholder_gets_the_same_answer(action_url):
    result = call(action_url, "validate_registration_form", form="registration_form", text="mijn bsn is [BSN]",
                  requested="job_title", candidates={"job_title": "mijn bsn is [BSN]"})
    assert slot_sets(result)["job_title"] is None and "BSN" in said(result)


@pytest.mark.parametrize("form, requested, answer", [
    ("registration_form", "hours", "20 uur, want ik heb een burn-out gehad"),
    ("registration_form", "job_title", "kok maar ik heb autisme"),
    ("callback_form", "preferred_moment", "dinsdag, niet als ik bij de dokter ben voor mijn medicijnen"),
    ("vacancy_form", "contact_name", "Jan, ik ben ziek"),
])
def test_a_health_detail_is_refused_and_nothing_of_the_turn_is_kept(action_url, form, requested, answer):
    result = call(action_url, f"validate_{form}", form=form, text=answer, requested=requested,
                  candidates={requested: answer} | ({"location": "Gouda"} if form != "callback_form" else {}))
    sets = slot_sets(result)
    assert sets[requested] is None and sets.get("location") is None
    assert "gezondheid" in said(result) and answer not in said(result)


def test_a_question_about_illness_in_a_form_is_answered_not_refused(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", text="wat als mijn werknemer ziek wordt?",
                  intent="ask_no_risk_policy", confidence=0.95, requested="hours")
    assert [r.get("response") for r in result["responses"]] == ["utter_no_risk_policy"]


def test_a_health_detail_in_the_opening_message_is_not_stored(action_url):
    result = call(action_url, "validate_registration_form", form="registration_form", intent="register_jobseeker",
                  text="inschrijven, ik zoek 20 uur werk vanwege mijn depressie", requested=None,
                  candidates={"hours": "20 uur werk vanwege mijn depressie"})
    assert slot_sets(result)["hours"] is None


# --- activation and the other forms -------------------------------------------------------------------
def test_answers_in_the_opening_message_are_validated(action_url):
    result = call(action_url, "validate_vacancy_form", form="vacancy_form", intent="post_vacancy",
                  text="vacature voor een vrachtwagenchauffeur in Zwole", requested=None,
                  candidates={"job_title": "vrachtwagenchauffeur", "location": "Zwole"})
    sets = slot_sets(result)
    assert sets["job_title"] == "chauffeur" and sets["location"] is None
    assert "Bedoelt u Zwolle" in said(result)


def test_registration_consent_yes_and_no(action_url):
    yes = call(action_url, "validate_registration_form", form="registration_form", text="/affirm",
               intent="affirm", confidence=1.0, requested="registration_consent",
               candidates={"registration_consent": True})
    assert slot_sets(yes)["registration_consent"] is True
    no = call(action_url, "validate_registration_form", form="registration_form", text="nee", intent="deny",
              confidence=0.99, requested="registration_consent")
    assert "Zonder uw toestemming" in said(no)
    assert slot_sets(no)["requested_slot"] == "form_continue"


def test_callback_topic_comes_from_the_question_before(action_url):
    earlier = {"event": "user", "text": "hoe zit het met de no-riskpolis",
               "parse_data": _user("hoe zit het met de no-riskpolis", "ask_no_risk_policy", 0.98)}
    result = call(action_url, "validate_callback_form", form="callback_form", text="ja", intent="affirm",
                  confidence=0.99, requested=None, history=[earlier, {"event": "action", "name": "utter_offer_next_step"}])
    assert slot_sets(result)["callback_topic"] == "no-riskpolis"


def test_preferred_moment_accepts_free_text_but_not_yes(action_url):
    ok = call(action_url, "validate_callback_form", form="callback_form", text="dinsdagochtend",
              requested="preferred_moment", candidates={"preferred_moment": "dinsdagochtend"})
    assert slot_sets(ok)["preferred_moment"] == "dinsdagochtend"
    bad = call(action_url, "validate_callback_form", form="callback_form", text="ja", intent="affirm",
               requested="preferred_moment", candidates={"preferred_moment": "ja"})
    assert slot_sets(bad)["preferred_moment"] is None


# --- fallback and session start --------------------------------------------------------------------
def test_ask_affirmation_offers_the_two_most_likely_intents(action_url):
    message = {"text": "werk in Zwolle en geld", "intent": {"name": "nlu_fallback", "confidence": 0.45},
               "entities": [{"entity": "location", "value": "Zwolle", "start": 8, "end": 14}],
               "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.45},
                                  {"name": "search_jobs", "confidence": 0.41},
                                  {"name": "out_of_scope", "confidence": 0.2},
                                  {"name": "ask_benefits_impact", "confidence": 0.19},
                                  {"name": "ask_wage_subsidy", "confidence": 0.05}]}
    result = call(action_url, "action_default_ask_affirmation", message=message)
    buttons = result["responses"][0]["buttons"]
    assert [b["title"] for b in buttons] == ["Vacatures zoeken", "Werk en uw uitkering", "Iets anders"]
    assert buttons[0]["payload"] == '/search_jobs{"location":"Zwolle"}'
    assert buttons[2]["payload"] == "/out_of_scope"


def test_session_start_sends_the_privacy_notice_and_keeps_the_role(action_url):
    result = call(action_url, "action_session_start", text="hallo", intent="greet",
                  slots={"user_role": "werkgever", "requested_slot": "phone"})
    assert result["events"][0]["event"] == "session_started"
    assert result["events"][-1] == {**result["events"][-1], "event": "action", "name": "action_listen"}
    sets = slot_sets(result)
    assert sets["user_role"] == "werkgever" and "requested_slot" not in sets
    notice = result["responses"][0]
    assert notice["response"] == "utter_privacy_notice" and notice["retention_days"] == sets["retention_days"]
