"""Validation of the three forms: vacancy intake, job seeker registration and callback request.

Rasa calls `validate_<form>` after every user message while the form is active, also when no slot
could be filled. The validator therefore decides the whole turn:

- a valid answer is stored in its normalised form (docs/contracts.md) and the form goes on;
- an invalid answer gets a short hint and the question again; after three invalid answers in a row
  the user hears what a good answer looks like and is asked "Wilt u verder gaan?";
- "stoppen" / "nee" asks the same question (the escape hatch); "nee" or "stoppen" to that question
  rejects the form, and the rules in nlu/form_rules.yml end it (nothing is submitted);
- a question in between (e.g. "wat is loonkostensubsidie?") is answered, then the form asks again;
- asking for a person or for deletion rejects the form, so the rules hand over.
The extra question is a dynamic requested slot, `form_continue`, asked with `utter_ask_form_continue`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import form_values as fv
from actions.place_text import corrected_place, looks_like_correction
from actions.service_support import bounded_int

CONTINUE = "form_continue"
MAX_ERRORS = 3
CONFIDENT = 0.7  # below this an intent is not trusted enough to leave or interrupt a form

ESCAPE_INTENTS = {"stop", "deny"}
HANDOVER_INTENTS = {"request_human", "request_data_deletion"}
# Questions the form answers in between with the same text as outside the form.
ANSWERS = {
    "ask_wage_subsidy": "utter_wage_subsidy", "ask_no_risk_policy": "utter_no_risk_policy",
    "ask_wage_cost_benefit": "utter_wage_cost_benefit", "ask_jobs_agreement": "utter_jobs_agreement",
    "ask_secondment": "utter_secondment", "ask_job_carving": "utter_job_carving",
    "ask_trial_placement": "utter_trial_placement", "ask_job_coach": "utter_job_coach",
    "ask_sheltered_work": "utter_sheltered_work", "ask_training": "utter_training",
    "ask_benefits_impact": "utter_benefits_impact", "ask_privacy": "utter_privacy",
    "bot_challenge": "utter_bot_challenge", "ask_contact_details": "utter_contact_details",
    # Warm referrals (issue 12, domain/referrals.yml): answered in between, then the form goes on.
    "ask_benefit_entitlement": "utter_benefit_entitlement", "ask_debt_help": "utter_debt_help",
}
SMALL_TALK = {"greet", "thank", "goodbye", "help"}
QUESTION_WORDS = ("wat ", "hoe ", "wie ", "waar ", "wanneer ", "waarom ", "welke ", "kan ", "kun ", "mag ",
                  "moet ", "krijg ", "is ", "zijn ", "heb ", "hebben ")
# Slots whose check accepts almost any text: a question typed there is a question, not an answer.
FREE_TEXT = {"company_name", "contact_name", "preferred_moment", "job_title"}

CHECKS: dict[str, Callable[[Any], fv.Checked]] = {
    "company_name": fv.check_company_name, "job_title": fv.check_job_title, "location": fv.check_location,
    "hours": fv.check_hours, "contact_name": fv.check_person_name, "phone": fv.check_phone,
    "email": fv.check_email, "preferred_moment": fv.check_moment,
}
STUCK = "Dit lukt nog niet. U kunt ook stoppen, of later een medewerker vragen om u te helpen."
BSN_WARNING = ("Het lijkt erop dat u een BSN stuurt. Dat is niet nodig en ik bewaar het niet. "
               "Deel uw BSN niet in deze chat.")
HEALTH_WARNING = ("Het lijkt erop dat u iets over uw gezondheid vertelt. Dat is niet nodig en ik bewaar het niet. "
                  "Beantwoord de vraag zonder iets over uw gezondheid.")
CONSENT_NEEDED = "Zonder uw toestemming kan ik u niet inschrijven. Er is niets bewaard."
IN_FORM_HELP = "We zijn bezig met een paar vragen. Beantwoord de vraag hieronder, of typ 'stoppen'."

# Last user intent before a callback request → topic for the accountmanager or consulent.
CALLBACK_TOPICS = {
    "ask_wage_subsidy": "loonkostensubsidie", "ask_no_risk_policy": "no-riskpolis",
    "ask_wage_cost_benefit": "loonkostenvoordeel", "ask_jobs_agreement": "banenafspraak",
    "ask_secondment": "detachering", "ask_job_carving": "jobcarving", "ask_trial_placement": "proefplaatsing",
    "ask_job_coach": "jobcoach", "ask_sheltered_work": "beschut werk", "ask_training": "scholing",
    "ask_benefits_impact": "werk en uitkering", "post_vacancy": "vacature", "find_candidates": "kandidaten",
    "search_jobs": "vacatures zoeken", "register_jobseeker": "inschrijving",
    "check_application_status": "sollicitatie",
}


class Turn:
    """What the user just sent, as far as the validator needs it."""

    def __init__(self, tracker: Tracker) -> None:
        message = tracker.latest_message or {}
        self.text = str(message.get("text") or "")
        intent = message.get("intent") or {}
        self.intent = intent.get("name")
        self.confidence = float(intent.get("confidence") or 0.0)
        self.is_payload = self.text.startswith("/")  # a button: no typed answer

    def is_(self, intents: set[str] | dict, threshold: float = CONFIDENT) -> bool:
        return self.intent in intents and (self.is_payload or self.confidence >= threshold)

    @property
    def looks_like_question(self) -> bool:
        lowered = self.text.strip().lower() + " "
        return lowered.rstrip().endswith("?") or lowered.startswith(QUESTION_WORDS)


def _before_turn(tracker: Tracker, slot: str) -> Any:
    """The value `slot` had before the latest user message (slot filling of this turn undone)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


class EscapableFormValidation(FormValidationAction, ABC):
    """Shared turn logic; subclasses name the form, its slots and special slot checks."""

    form_slots: tuple[str, ...] = ()

    @abstractmethod
    def name(self) -> str:  # abstract: rasa-sdk registers only concrete actions
        ...

    def check(self, slot: str, value: Any, tracker: Tracker) -> fv.Checked:
        refused = self.refuse_sensitive(value)
        return refused or CHECKS[slot](value)

    @staticmethod
    def refuse_sensitive(value: Any) -> fv.Checked | None:
        """A BSN or a health detail is never a slot value, wherever in the form it turns up."""
        if isinstance(value, str) and fv.looks_like_bsn(value):
            return fv.Checked(hint=BSN_WARNING)
        if isinstance(value, str) and fv.mentions_health(value):
            return fv.Checked(hint=HEALTH_WARNING)
        return None

    def on_activation(self, tracker: Tracker) -> list[EventType]:
        return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        candidates = {k: v for k, v in tracker.slots_to_validate().items() if k in self.form_slots}
        turn = Turn(tracker)
        if requested is None:  # the opening message may already hold answers ("vacature voor een kok")
            return self.on_activation(tracker) + self._check_quietly(candidates, tracker, dispatcher, tell=True)
        if self._returning_after_interruption(tracker):
            return []
        if turn.is_(HANDOVER_INTENTS):
            return [ActionExecutionRejected(self.form_name())]
        if requested == CONTINUE:
            return self._answer_to_continue(turn, tracker, dispatcher)
        if "location" in self.form_slots and requested != "location" and self._is_correction(turn, requested):
            return self._correct_location(turn, tracker, requested, dispatcher)
        if turn.is_(ESCAPE_INTENTS):
            if requested == "registration_consent" and turn.intent == "deny":
                dispatcher.utter_message(text=CONSENT_NEEDED)
            return self._ask_to_continue()
        # Nothing of a turn with a BSN or a health detail is kept, not even other slots it filled.
        refusal = BSN_WARNING if fv.looks_like_bsn(turn.text) else \
            HEALTH_WARNING if fv.mentions_health(turn.text) and not turn.is_(ANSWERS, 0.8) else None
        if refusal:  # (a question about illness, "wat als mijn werknemer ziek wordt?", is answered instead)
            dispatcher.utter_message(text=refusal)
            return [SlotSet(s, None) for s in candidates if s != requested] + [
                SlotSet(requested, None), SlotSet("form_errors", self._errors(tracker))]
        events = self._check_quietly({k: v for k, v in candidates.items() if k != requested}, tracker, dispatcher)
        return events + self._answer_to(requested, candidates, turn, tracker, dispatcher)

    # --- one turn -----------------------------------------------------------------------------
    def _answer_to(self, slot: str, candidates: dict, turn: Turn, tracker: Tracker,
                   dispatcher: CollectingDispatcher) -> list[EventType]:
        value = candidates.get(slot)
        if value is None and not turn.is_payload:
            value = turn.text  # e.g. a low-confidence "nee" at a name question: still try it as the answer
        checked = self.check(slot, value, tracker) if value not in (None, "") else fv.Checked(hint=None)
        interrupted = turn.is_(ANSWERS, 0.8) and (slot in FREE_TEXT and turn.looks_like_question or not checked.ok)
        if interrupted or (turn.is_(SMALL_TALK, 0.8) and not checked.ok):
            if turn.intent in ANSWERS:
                dispatcher.utter_message(response=ANSWERS[turn.intent])
            else:
                dispatcher.utter_message(text=IN_FORM_HELP)
            return [SlotSet(slot, None), SlotSet("form_errors", self._errors(tracker))]
        if checked.ok:
            return [SlotSet(slot, checked.value), SlotSet("form_errors", 0)]
        errors = self._errors(tracker) + 1
        hint = checked.hint or "Dat antwoord begrijp ik niet."
        if errors >= MAX_ERRORS:
            dispatcher.utter_message(text=f"{hint} {STUCK}")
            return [SlotSet(slot, None)] + self._ask_to_continue()
        dispatcher.utter_message(text=hint)
        return [SlotSet(slot, None), SlotSet("form_errors", errors)]

    def _answer_to_continue(self, turn: Turn, tracker: Tracker,
                            dispatcher: CollectingDispatcher) -> list[EventType]:
        if turn.is_(ESCAPE_INTENTS, 0.5):
            # Rejecting hands the turn to the rules: action_deactivate_loop and utter_form_stopped.
            return [SlotSet(s, None) for s in self.form_slots] + [SlotSet("form_errors", 0),
                                                                  ActionExecutionRejected(self.form_name())]
        if turn.is_(ANSWERS, 0.8):
            dispatcher.utter_message(response=ANSWERS[turn.intent])
            return self._ask_to_continue()
        events: list[EventType] = [SlotSet("form_errors", 0)]
        pending = next((s for s in self.form_slots if tracker.get_slot(s) is None), None)
        if pending and pending in CHECKS and not turn.is_payload and not turn.is_({"affirm"}, 0.5):
            checked = self.check(pending, turn.text, tracker)  # "ja" is implied: the answer itself
            if checked.ok:
                events.append(SlotSet(pending, checked.value))
        return events  # the form asks the next open question

    @staticmethod
    def _is_correction(turn: Turn, requested: str) -> bool:
        """"nee, ik bedoel Deventer" after the location was answered (issue 12 item 5): also when NLU read
        "nee" as deny; not at a free-text question, where "maar" and a place can be part of the answer."""
        if turn.is_payload:
            return False
        return turn.is_({"correct_place"}, 0.5) or (requested not in FREE_TEXT and looks_like_correction(turn.text))

    def _correct_location(self, turn: Turn, tracker: Tracker, requested: str,
                          dispatcher: CollectingDispatcher) -> list[EventType]:
        """Store the corrected place; the open question is asked again, so the form goes on where it was."""
        entities = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
                    if e.get("entity") == "location"]
        checked = self.check("location", corrected_place(turn.text, entities) or turn.text, tracker)
        events: list[EventType] = [SlotSet(requested, None)]
        if not checked.ok:
            dispatcher.utter_message(text=checked.hint or "Die plaats ken ik niet.")
            return events + [SlotSet("location", _before_turn(tracker, "location")),
                             SlotSet("form_errors", self._errors(tracker))]
        dispatcher.utter_message(text=f"Ik heb de plaats aangepast: {checked.value}.")
        return events + [SlotSet("location", checked.value), SlotSet("form_errors", 0)]

    def _ask_to_continue(self) -> list[EventType]:
        # A SlotSet besides requested_slot keeps Rasa from rejecting the form for "nothing filled".
        return [SlotSet("form_errors", 0), SlotSet("requested_slot", CONTINUE)]

    def _check_quietly(self, candidates: dict, tracker: Tracker, dispatcher: CollectingDispatcher,
                       tell: bool = False) -> list[EventType]:
        """Slots the user gave without being asked: keep the valid ones, drop the others."""
        events: list[EventType] = []
        for slot, value in candidates.items():
            if slot not in CHECKS:
                continue
            checked = self.check(slot, value, tracker)
            events.append(SlotSet(slot, checked.value))
            if tell and not checked.ok and checked.hint and slot == "location":
                dispatcher.utter_message(text=checked.hint)
        return events

    @staticmethod
    def _errors(tracker: Tracker) -> int:
        return bounded_int(tracker.get_slot("form_errors"), 0, 100)

    def _returning_after_interruption(self, tracker: Tracker) -> bool:
        """Rasa also calls the validator when a rule brings the user back to the form after another
        action; then the last message was no answer to the form's question."""
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                return False
            if event.get("event") == "action" and event.get("name") not in (
                    self.form_name(), "action_listen", "action_extract_slots", None):
                return True
        return False


class ValidateVacancyForm(EscapableFormValidation):
    form_slots = ("company_name", "job_title", "location", "hours", "contact_name", "phone", "email")

    def name(self) -> str:
        return "validate_vacancy_form"


class ValidateRegistrationForm(EscapableFormValidation):
    form_slots = ("job_title", "location", "hours", "registration_consent")

    def name(self) -> str:
        return "validate_registration_form"

    def check(self, slot: str, value: Any, tracker: Tracker) -> fv.Checked:
        if slot == "registration_consent":
            # Only an explicit yes (button or "ja") counts as consent; "nee" goes via the escape hatch.
            return fv.Checked(True) if value is True else fv.Checked(hint="Kies 'Ja, dat mag' of 'Nee'.")
        return super().check(slot, value, tracker)


class ValidateCallbackForm(EscapableFormValidation):
    form_slots = ("contact_name", "phone", "preferred_moment")

    def name(self) -> str:
        return "validate_callback_form"

    def on_activation(self, tracker: Tracker) -> list[EventType]:
        """The topic of the callback: what the user asked about just before asking to be called."""
        if tracker.get_slot("callback_topic"):
            return []
        seen = 0
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            seen += 1
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            if intent in CALLBACK_TOPICS:
                return [SlotSet("callback_topic", CALLBACK_TOPICS[intent])]
            if seen >= 4:
                break
        return []
