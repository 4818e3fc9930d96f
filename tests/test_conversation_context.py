"""Role and region onto the conversation (placement.services.context), on SQLite and PostgreSQL.

The dialogue side (the action server's per-turn hook, through the real Rasa) is in
tests/test_understanding_stack.py; this checks the rule itself on a real database.
"""

from __future__ import annotations

from placement.db import session_scope
from placement.models import Conversation
from placement.queries import find_gemeente
from placement.services.context import deciding_place, note_context


def region(name: str) -> str:
    return find_gemeente(name).region_code


def test_job_seekers_home_and_employers_work_place_decide():
    assert deciding_place("werkzoekende", "Kampen", "Zwolle") == "Kampen"
    assert deciding_place("werkgever", "Kampen", "Tilburg") == "Tilburg"
    assert deciding_place("werkzoekende", None, "zwolle") == "Zwolle"  # provisional until home is known
    assert deciding_place(None, None, "Atlantis") is None


def test_note_context_writes_role_and_region_and_keeps_what_it_does_not_know(engine):
    with session_scope(engine) as s:
        s.add(Conversation(id="ctx-1", channel="web"))
    with session_scope(engine) as s:
        assert note_context(s, "ctx-1", None, None, "Amersfoort").region_code == region("Amersfoort")
    with session_scope(engine) as s:
        done = note_context(s, "ctx-1", "werkzoekende", "Leeuwarden", "Amersfoort")
        assert (done.role, done.region_code) == ("werkzoekende", region("Leeuwarden"))
    with session_scope(engine) as s:
        note_context(s, "ctx-1", None, None, "Atlantis")  # unknown place, unknown role: nothing changes
    with session_scope(engine) as s:
        row = s.get(Conversation, "ctx-1")
        assert (row.role, row.region_code) == ("werkzoekende", region("Leeuwarden"))
        assert not note_context(s, "no-such-conversation", "werkgever", None, "Gouda").found


# --- issue 12 (r12b): places in what the user typed, role statements, role-aware buttons ------------------

import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402

from actions.context import role_statement  # noqa: E402
from actions.place_text import bare_place, corrected_place, looks_like_correction  # noqa: E402
from actions.role_buttons import ROLE_INTENTS, for_role, other_role, payload_intent  # noqa: E402
from settings import ROOT  # noqa: E402
from tests import action_server  # noqa: E402


@pytest.mark.parametrize("text, place", [
    ("nee, ik bedoel in Deventer", "Deventer"), ("ik bedoel Deventer", "Deventer"),
    ("liever in de buurt van Ede", "Ede"), ("niet Zwolle maar Kampen", "Kampen"),
    ("niet in Groningen maar in Het Hogeland", "Het Hogeland"), ("nee ik bedoel den bosch", "'s-Hertogenbosch"),
])
def test_a_correction_names_the_new_place_not_the_old_one(text, place):
    assert corrected_place(text) == place
    assert looks_like_correction(text)


def test_a_correction_falls_back_on_the_nlu_entity_and_needs_a_place():
    assert corrected_place("liever in de buurt van ede", ["ede"]) == "Ede"  # "ede" alone is a common word
    assert corrected_place("nee, dat bedoel ik niet") is None and not looks_like_correction("nee dank u")
    assert not looks_like_correction("ik zoek werk in Kampen")  # a request, not a correction


@pytest.mark.parametrize("text, place", [("Kampen", "Kampen"), ("kampen", "Kampen"), ("in Kampen", "Kampen"),
                                         ("Het Hogeland", "Het Hogeland"), ("in de gemeente Ede", "Ede"),
                                         ("Amersfoort graag.", "Amersfoort")])
def test_a_bare_place_is_recognised(text, place):
    assert bare_place(text) == place


@pytest.mark.parametrize("text", ["ik zoek werk in Kampen", "ja", "/inform_place", "Atlantis", ""])
def test_more_than_a_place_is_not_bare(text):
    assert bare_place(text) is None


@pytest.mark.parametrize("text, role", [("werkgever", "werkgever"), ("ik ben werkgever", "werkgever"),
                                        ("Wij zoeken personeel.", "werkgever"), ("ik heb een bedrijf", "werkgever"),
                                        ("ik zoek werk", "werkzoekende"), ("ik ben op zoek naar werk", "werkzoekende"),
                                        ("werkzoekende", "werkzoekende"), ("ik zoek een kok", None),
                                        ("ik zoek werk voor mijn zoon bij een bedrijf", None)])
def test_short_role_statements(text, role):
    assert role_statement(text) == role


def test_button_filter_keeps_neutral_buttons_and_drops_the_other_roles():
    buttons = [{"title": "a", "payload": "/search_jobs{\"location\":\"Kampen\"}"},
               {"title": "b", "payload": "/post_vacancy"}, {"title": "c", "payload": "/request_callback"},
               {"title": "d", "payload": "16 uur"}]
    assert [b["title"] for b in for_role(buttons, "werkgever")] == ["b", "c", "d"]
    assert [b["title"] for b in for_role(buttons, "werkzoekende")] == ["a", "c", "d"]
    assert for_role(buttons, None) == buttons
    assert payload_intent("/apply_for_vacancy{\"vacancy_id\":\"3\"}") == "apply_for_vacancy"


# Words that suggest the other role's flows in a response text (the buttons are checked by payload).
OTHER_ROLE_WORDS = {"werkgever": ("u inschrijven", "inschrijven als werkzoekende", "schrijf u in", "vacatures zoeken"),
                    "werkzoekende": ("vacature melden", "kandidaten zoeken")}


def _domain_responses() -> dict[str, list[dict]]:
    responses: dict[str, list[dict]] = {}
    for path in sorted(Path(ROOT, "domain").glob("*.yml")):
        for name, variations in (yaml.safe_load(path.read_text()) or {}).get("responses", {}).items():
            responses[name] = variations
    return responses


def _shown_to(variations: list[dict], role: str) -> list[dict]:
    """Rasa's choice: the variations whose user_role condition holds, else the ones without a condition."""
    def holds(v: dict) -> bool:
        return all(c.get("name") == "user_role" and c.get("value") == role for c in v.get("condition") or [])

    conditional = [v for v in variations if v.get("condition") and holds(v)]
    return conditional or [v for v in variations if not v.get("condition")]


@pytest.mark.parametrize("role", ["werkgever", "werkzoekende"])
def test_every_domain_response_shown_to_a_role_has_no_button_or_suggestion_of_the_other(role):
    responses = _domain_responses()
    assert any(v.get("buttons") for vs in responses.values() for v in vs)  # the walk sees buttons at all
    wrong = []
    for name, variations in responses.items():
        for variation in _shown_to(variations, role):
            payloads = [payload_intent(b.get("payload")) for b in variation.get("buttons") or []]
            wrong += [f"{name}: button {p}" for p in payloads if p in ROLE_INTENTS[other_role(role)]]
            text = str(variation.get("text") or "").lower()
            wrong += [f"{name}: text '{w}'" for w in OTHER_ROLE_WORDS[role] if w in text]
    assert not wrong, wrong


@pytest.fixture(scope="module")
def actions_base(demo_engine, db_url):
    proc, base = action_server.start(db_url)
    yield base
    action_server.stop(proc)


def _all_action_names() -> list[str]:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    return sorted(executor.actions)


WALK_SLOTS = {"job_title": "magazijnmedewerker", "location": "Gouda", "hours": "32", "vacancy_id": "1",
              "search_page": 0.0, "home_place": None, "place_depends": "search:jobs", "callback_topic": None,
              "requested_slot": None, "form_errors": 0, "place_question": None}


@pytest.mark.parametrize("role", ["werkgever", "werkzoekende"])
def test_every_action_sends_only_buttons_that_fit_the_role(actions_base, role):
    """Each action through the real action server, with the role known and a latest message whose ranking
    holds both roles' intents (the fallback offers the top ones): no button of the other role anywhere."""
    ranking = [{"name": n, "confidence": c} for n, c in (("search_jobs", 0.3), ("find_candidates", 0.25),
                                                          ("register_jobseeker", 0.2), ("post_vacancy", 0.15),
                                                          ("ask_wage_subsidy", 0.1))]
    seen, wrong, ran = 0, [], 0
    for action in _all_action_names():
        if action.startswith("validate_") or action == "action_validate_slot_mappings":
            continue  # forms and the hook send no follow-up buttons of their own
        latest = {"text": "iets", "intent": ranking[0], "intent_ranking": ranking, "entities": [],
                  "metadata": {"channel": "web"}}
        reply = action_server.webhook(actions_base, action, f"walk-{uuid.uuid4().hex[:10]}",
                                      {**WALK_SLOTS, "user_role": role}, latest)
        ran += 1
        for message in reply["responses"]:
            for button in message.get("buttons") or []:
                seen += 1
                if payload_intent(button.get("payload")) in ROLE_INTENTS[other_role(role)]:
                    wrong.append(f"{action}: {button}")
    assert ran >= 15 and seen >= 5  # the walk reached the actions and their buttons
    assert not wrong, wrong


def _turn(base: str, action: str, before: dict, text: str, intent: str, filled: dict, confidence: float = 0.9,
          entities: list | None = None, **extra: object) -> dict:
    """One user turn as Rasa hands it to `action`: slots `before` the message, the message, then the slots
    Rasa's own extraction `filled` from it (as action_extract_slots does, before the hook runs)."""
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
               "metadata": {"channel": "web"}}
    events = [{"event": "slot", "name": k, "value": v} for k, v in before.items()]
    events += [{"event": "user", "text": text, "parse_data": message}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in filled.items()]
    slots = {**WALK_SLOTS, **before, **filled, **extra}
    return action_server.webhook(base, action, f"ctx-{uuid.uuid4().hex[:10]}", slots, message, events)


def _sets(reply: dict) -> dict:
    return {e["name"]: e["value"] for e in reply["events"] if e.get("event") == "slot"}


def _said(reply: dict) -> str:
    return "\n".join(r.get("text") or "" for r in reply["responses"])


def test_hook_a_bare_place_after_the_home_question_is_the_home_gemeente(actions_base):
    reply = _turn(actions_base, "action_validate_slot_mappings", {"place_question": "home", "location": "Zwolle"},
                  "kampen", "inform_place", {"location": "kampen"})
    assert _sets(reply) == {"place_question": None, "home_place": "Kampen", "location": "Zwolle"}


def test_hook_a_bare_place_after_the_search_question_is_the_search_place(actions_base):
    reply = _turn(actions_base, "action_validate_slot_mappings", {"place_question": "search"},
                  "Het Hogeland", "inform_home_place", {"home_place": "Het Hogeland"})
    sets = _sets(reply)
    assert sets["location"] == "Het Hogeland" and sets["home_place"] is None and sets["place_question"] is None


def test_hook_a_correction_after_a_search_corrects_the_search_place(actions_base):
    reply = _turn(actions_base, "action_validate_slot_mappings", {"location": "Zwolle", "place_depends": "search:jobs"},
                  "niet Zwolle maar Kampen", "correct_place", {"location": "Zwolle"})
    assert _sets(reply)["location"] == "Kampen"


def test_hook_a_correction_after_the_route_corrects_the_home_gemeente(actions_base):
    reply = _turn(actions_base, "action_validate_slot_mappings",
                  {"location": "Zwolle", "home_place": "Zwolle", "place_depends": "sheltered_work"},
                  "ik bedoel Deventer", "correct_place", {"location": "Deventer"})
    sets = _sets(reply)
    assert sets["home_place"] == "Deventer" and sets["location"] == "Zwolle"


def test_hook_a_short_role_statement_sets_the_role_whatever_the_intent(actions_base):
    reply = _turn(actions_base, "action_validate_slot_mappings", {"user_role": None}, "werkgever",
                  "find_candidates", {"user_role": "werkgever"})
    assert _sets(reply)["user_role"] == "werkgever"
    reply = _turn(actions_base, "action_validate_slot_mappings", {"user_role": None}, "ik zoek werk", "greet", {})
    assert _sets(reply)["user_role"] == "werkzoekende"


@pytest.mark.parametrize("intent", ["correct_place", "deny"])
def test_form_a_correction_of_the_answered_location_keeps_the_open_question(actions_base, intent):
    reply = _turn(actions_base, "validate_registration_form",
                  {"job_title": "kok", "location": "Zwolle", "requested_slot": "hours"},
                  "nee, ik bedoel Deventer", intent, {"location": "Deventer", "hours": "nee, ik bedoel Deventer"},
                  confidence=0.6)
    assert "Ik heb de plaats aangepast: Deventer." in _said(reply)
    sets = _sets(reply)
    assert sets["location"] == "Deventer" and sets["hours"] is None and "requested_slot" not in sets


def test_form_an_unknown_corrected_place_keeps_the_old_one(actions_base):
    reply = _turn(actions_base, "validate_vacancy_form",
                  {"company_name": "Bakkerij", "job_title": "bakker", "location": "Zwolle", "requested_slot": "hours"},
                  "nee ik bedoel Atlantis", "correct_place", {"location": "Atlantis"})
    assert "ken ik niet" in _said(reply) and _sets(reply)["location"] == "Zwolle"


def test_correct_place_redoes_the_job_search_with_the_same_title(actions_base):
    reply = _turn(actions_base, "action_correct_place", {"job_title": "magazijnmedewerker", "location": "Zwolle",
                                                          "place_depends": "search:jobs", "user_role": "werkzoekende"},
                  "nee, ik bedoel in Gouda", "correct_place", {"location": "Gouda"})
    said = _said(reply)
    assert said.startswith("Ik zoek nu in Gouda.") and "magazijnmedewerker rond Gouda" in said, said


def test_correct_place_redoes_the_candidate_search_for_an_employer(actions_base):
    reply = _turn(actions_base, "action_correct_place", {"job_title": "magazijnmedewerker", "location": "Zwolle",
                                                          "place_depends": "search:candidates", "user_role": "werkgever"},
                  "liever in de buurt van Gouda", "correct_place", {"location": "Gouda"})
    said = _said(reply)
    assert said.startswith("Ik zoek nu in Gouda.") and "kandidat" in said.lower() and "vacature" not in said.lower()


def test_place_answer_without_a_question_asks_what_the_place_is_for(actions_base):
    reply = _turn(actions_base, "action_place_answer", {"place_depends": None, "user_role": "werkgever",
                                                         "job_title": None}, "Kampen", "inform_place",
                  {"location": "Kampen"})
    payloads = [b["payload"] for r in reply["responses"] for b in r.get("buttons") or []]
    assert "Kampen" in _said(reply) and payloads == ['/inform_home_place{"location":"Kampen"}',
                                                      '/find_candidates{"location":"Kampen"}']
