"""Job search for job seekers: answers from the placement database."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from placement.db import session_scope
from placement.occupations import normalise
from placement.queries import find_gemeente, open_vacancies, suggest_gemeenten

log = logging.getLogger(__name__)


class ActionSearchJobs(Action):
    """Shows open vacancies for the job title and place the user gave."""

    def name(self) -> str:
        return "action_search_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        title = tracker.get_slot("job_title")
        place = tracker.get_slot("location")
        occupation = normalise(title)
        gemeente = find_gemeente(place)
        if place and gemeente is None:
            suggestions = suggest_gemeenten(place)
            hint = f" Bedoelt u {' of '.join(suggestions)}?" if suggestions else ""
            dispatcher.utter_message(text=f"Ik ken de plaats '{place}' niet.{hint}")
            return [SlotSet("location", None)]
        try:
            with session_scope() as session:
                vacancies = open_vacancies(session, occupation.code if occupation else None,
                                           gemeente.region_code if gemeente else None)
                lines = [f"- {v.title} in {v.gemeente.name}, {v.hours_min}-{v.hours_max} uur (nr. {v.id})"
                         for v in vacancies]
        except SQLAlchemyError:
            log.exception("job search failed")
            dispatcher.utter_message(text="Het zoeken lukt nu even niet. Probeer het over een paar minuten nog eens.")
            return []
        what = occupation.label if occupation else (title or "werk")
        where = f" in de regio {gemeente.region_name}" if gemeente else ""
        if not lines:
            dispatcher.utter_message(text=f"Ik vond nu geen open vacatures voor {what}{where}.")
            return []
        dispatcher.utter_message(text=f"Dit zijn vacatures voor {what}{where}:\n" + "\n".join(lines))
        return []
