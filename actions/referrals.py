"""Warm referrals for questions next to Werkpunt's work: benefits (bijstand, WW, Wajong) and debts.

Werkpunt does not decide on benefits or debts, so the answer says who does, how to reach them, and
offers a callback or a person (the callback_form and action_request_human do what the buttons say).
With the user's home gemeente known (`home_place`) the answer names it; without it, it asks, and
"ik woon in ..." redoes the answer (actions/context.py, action_home_place_changed).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.service_support import slot

BUTTONS = [{"title": "Bel mij terug", "payload": "/request_callback"},
           {"title": "Medewerker spreken", "payload": "/request_human"}]
TOPICS = {"ask_benefit_entitlement": "uitkering aanvragen", "ask_debt_help": "schulden"}
WHERE_DO_YOU_LIVE = "In welke gemeente woont u? Typ bijvoorbeeld: ik woon in Kampen."


def referral_text(intent: str, gemeente: str | None) -> str:
    if intent == "ask_debt_help":
        who = (f"De gemeente {gemeente} helpt gratis met schulden (schuldhulpverlening). Bel of mail de gemeente "
               "en vraag daarnaar." if gemeente else
               "Uw gemeente helpt gratis met schulden (schuldhulpverlening). Bel of mail uw gemeente en vraag daarnaar.")
        return ("Heeft u schulden of geldzorgen? U staat er niet alleen voor.\n" + who + "\n"
                "Gratis advies over rekeningen en rechten krijgt u bij het Juridisch Loket (juridischloket.nl).\n"
                "Heeft u een beperking? MEE helpt ook (mee.nl).\n"
                "Wilt u hulp van een mens? Kies dan een knop.")
    where = f"bij de gemeente {gemeente}" if gemeente else "bij uw gemeente"
    return ("Werkpunt beslist niet over uw uitkering.\n"
            f"Bijstand vraagt u aan {where} (Werk en Inkomen of de sociale dienst).\n"
            "WW, Wajong en WIA vraagt u aan bij UWV, via uwv.nl.\n"
            "Heeft u een beperking? MEE helpt gratis (mee.nl).\n"
            "Wilt u hulp van een mens? Kies dan een knop.")


def refer(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str) -> list:
    gemeente = slot(tracker, "home_place", 80)
    dispatcher.utter_message(text=referral_text(intent, gemeente), buttons=BUTTONS)
    asked = []
    if not gemeente:
        dispatcher.utter_message(text="Wilt u weten waar dat in uw gemeente is? " + WHERE_DO_YOU_LIVE)
        asked = [SlotSet("place_question", "home")]  # a bare "Kampen" answers it
    return [SlotSet("place_depends", f"referral:{intent}"), SlotSet("callback_topic", TOPICS[intent])] + asked


class ActionWarmReferral(Action):
    def name(self) -> str:
        return "action_warm_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        return refer(dispatcher, tracker, intent if intent in TOPICS else "ask_benefit_entitlement")
