"""Realistic demo conversations: Rasa tracker events (as Rasa 3.6 writes them) plus the gateway's rows.

Used by `python -m staff.cli demo-conversations`, the tests and the inbox benchmark. The events
follow the real format (action before its bot utterance, user events with parse_data, slot and
active_loop events, button payloads `/intent` with confidence 1.0).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Engine, insert

from bot.models import ChatMessage
from placement import clock
from placement.models import Conversation
from staff import tracker
from staff.models import Handoff

REGIONS = ("AM20", "AM06", "AM02", "AM17", "AM24", "AM28")
MODEL = {"model_id": "demo", "assistant_id": "werkpunt"}


@dataclass
class Script:
    """Builds the events and chat rows of one conversation, second by second."""

    sender: str
    at: dt.datetime
    channel: str = "web"
    rng: random.Random = field(default_factory=random.Random)
    pause_range: tuple[float, float] = (4, 40)  # seconds a user takes to answer
    events: list[dict] = field(default_factory=list)
    chat: list[dict] = field(default_factory=list)

    def _tick(self, seconds: float = 1.5) -> float:
        self.at += dt.timedelta(seconds=seconds)
        return tracker.to_timestamp(self.at)

    def _event(self, type_name: str, data: dict, intent: str | None = None, action: str | None = None,
               seconds: float = 0.05) -> None:
        ts = self._tick(seconds)
        data = {"event": type_name, "timestamp": ts, **data}
        data.setdefault("metadata", dict(MODEL))
        self.events.append(dict(sender_id=self.sender, type_name=type_name, timestamp=ts, intent_name=intent,
                                action_name=action, data=json.dumps(data, ensure_ascii=False)))

    def session(self) -> Script:
        self._event("action", {"name": "action_session_start", "policy": None, "confidence": 1.0},
                    action="action_session_start")
        self._event("session_started", {})
        self.action("action_listen", policy=None)
        return self

    def user(self, text: str, intent: str, confidence: float = 0.95, entities: list[tuple] = (),
             second: tuple[str, float] | None = None, status: str = "ok") -> Script:
        ents = []
        for name, value in entities:
            start = text.find(value)
            ents.append({"entity": name, "start": start, "end": start + len(value), "value": value,
                         "confidence_entity": 0.99, "extractor": "DIETClassifier"})
        ranking = [{"name": intent, "confidence": confidence}]
        if second:
            ranking.append({"name": second[0], "confidence": second[1]})
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": ents, "text": text,
                 "intent_ranking": ranking, "metadata": {"channel": self.channel}}
        self._event("user", {"text": text, "parse_data": parse, "input_channel": "rest",
                             "metadata": {"channel": self.channel, **MODEL}},
                    intent=intent, seconds=self.rng.uniform(*self.pause_range))
        self.chat.append(dict(author="user", text=text, status=status, created_at=self.at))
        self._event("user_featurization", {"use_text_for_featurization": False})
        for name, value in entities:
            self.slot(name, value)
        return self

    def action(self, name: str, policy: str | None = "RulePolicy") -> Script:
        self._event("action", {"name": name, "policy": policy, "confidence": 1.0, "action_text": None,
                               "hide_rule_turn": False}, action=name)
        return self

    def bot(self, action: str, text: str, buttons: list[tuple[str, str]] = ()) -> Script:
        self.action(action, "TEDPolicy" if not action.startswith("utter_") else "RulePolicy")
        data = {"elements": None, "quick_replies": None, "image": None, "custom": None, "attachment": None,
                "buttons": [{"title": t, "payload": p} for t, p in buttons] or None}
        meta = {"utter_action": action, **MODEL} if action.startswith("utter_") else dict(MODEL)
        self._event("bot", {"text": text, "data": data, "metadata": meta}, seconds=0.4)
        stored = json.dumps([{"title": t, "payload": p} for t, p in buttons]) if buttons else None
        self.chat.append(dict(author="bot", text=text, status="ok", created_at=self.at, buttons=stored))
        return self

    def slot(self, name: str, value) -> Script:
        self._event("slot", {"name": name, "value": value}, action=name)
        return self

    def form(self, name: str | None) -> Script:
        self._event("active_loop", {"name": name})
        return self

    def pause(self) -> Script:
        """A person takes over (Rasa's ConversationPaused, as the staff workspace appends it)."""
        self._event("pause", {})
        return self

    def resume(self) -> Script:
        self._event("resume", {})
        return self

    def listen(self) -> Script:
        return self.action("action_listen")


def _greeting(s: Script) -> Script:
    return (s.session().user("Hallo", "greet", 0.99)
            .bot("utter_greet", "Hallo! Ik ben de digitale assistent van het Werkgeversservicepunt.")
            .bot("utter_ask_role", "Waarmee kan ik u helpen?",
                 [("Ik ben werkgever", "/identify_as_employer"), ("Ik zoek werk", "/identify_as_jobseeker")]).listen())


def jobseeker(s: Script, rng: random.Random) -> str:
    job, place = rng.choice([("schilder", "Amersfoort"), ("lasser", "Zwolle"), ("magazijnmedewerker", "Gouda"),
                             ("kok", "Apeldoorn"), ("schoonmaker", "Leeuwarden")])
    _greeting(s).user("/identify_as_jobseeker", "identify_as_jobseeker", 1.0).slot("user_role", "werkzoekende")
    s.bot("utter_ask_job", "Wat voor werk zoekt u, en waar?").listen()
    s.user(f"Ik zoek werk als {job} in {place}", "search_jobs", rng.uniform(0.82, 0.99),
           [("job_title", job), ("location", place)], second=("register_jobseeker", 0.03))
    s.bot("action_search_jobs", f"Dit zijn vacatures voor {job} in de regio {place}:\n- {job.capitalize()}, 24-32 uur")
    s.listen()
    if rng.random() < 0.4:
        s.user("Kan ik met behoud van uitkering werken?", "ask_benefits_impact", rng.uniform(0.35, 0.7),
               second=("ask_sheltered_work", 0.2))
        s.bot("utter_benefits_impact", "Als u gaat werken, telt uw loon mee voor uw uitkering. Vraag uw "
              "klantmanager van de gemeente wat dat voor u betekent.").listen()
    return "werkzoekende"


def employer(s: Script, rng: random.Random) -> str:
    _greeting(s).user("/identify_as_employer", "identify_as_employer", 1.0).slot("user_role", "werkgever")
    s.bot("utter_employer_menu", "Fijn! Wilt u een vacature melden, kandidaten zoeken of iets vragen?").listen()
    if rng.random() < 0.5:
        s.user("Wij zoeken een magazijnmedewerker voor 32 uur", "post_vacancy", rng.uniform(0.7, 0.98),
               [("job_title", "magazijnmedewerker"), ("hours", "32")])
        s.action("vacancy_form").form("vacancy_form").slot("requested_slot", "company_name")
        s.bot("utter_ask_company_name", "Wat is de naam van uw bedrijf?").listen()
        s.user("Bakkerij De Vries", "inform", 0.9).slot("company_name", "Bakkerij De Vries")
        s.action("vacancy_form").form(None).slot("requested_slot", None)
        s.bot("action_submit_vacancy", "Dank u. Uw vacature is ontvangen onder nummer 1234. "
              "Een accountmanager neemt binnen twee werkdagen contact op.").listen()
    else:
        s.user("Wat is loonkostensubsidie?", "ask_wage_subsidy", rng.uniform(0.45, 0.97),
               second=("ask_wage_cost_benefit", 0.15))
        s.bot("utter_wage_subsidy", "Loonkostensubsidie is voor iemand die niet het minimumloon kan verdienen. "
              "Kijk voor de bedragen bij uw gemeente.").listen()
    return "werkgever"


def fallback(s: Script, rng: random.Random) -> str | None:
    _greeting(s)
    s.user(rng.choice(["asdf qwerty", "hoe laat gaat de bus", "ik weet het niet"]), "nlu_fallback", 0.45,
           second=("out_of_scope", rng.uniform(0.2, 0.44)))
    s.bot("action_default_fallback", "Sorry, dat begreep ik niet.",
          [("Met een medewerker praten", "/request_human"), ("Bel mij terug", "/request_callback")]).listen()
    return None


def handoff(s: Script, rng: random.Random) -> str:
    role = jobseeker(s, rng) if rng.random() < 0.5 else employer(s, rng)
    s.user("Ik wil graag met een medewerker praten", "request_human", rng.uniform(0.9, 0.99))
    s.bot("action_request_human", "Ik zoek een collega voor u. Blijf dit venster open houden.").listen()
    return role


SCENARIOS = ((jobseeker, 40), (employer, 35), (fallback, 15), (handoff, 10))


def generate(engine: Engine, tracker_engine: Engine, count: int, seed: int = 7, days: int = 30,
             now: dt.datetime | None = None, regions: tuple[str, ...] = REGIONS, batch: int = 2000) -> list[str]:
    """Insert `count` conversations; returns their ids. Deterministic for a seed (except the ids)."""
    rng = random.Random(seed)
    now = now or clock.now()
    tracker.create_events_table(tracker_engine)
    funcs, weights = zip(*SCENARIOS)
    convs, chats, events, ids, handoffs = [], [], [], [], []
    for n in range(count):
        channel = "web" if rng.random() < 0.6 else "telegram"
        sender = ("tg-" + secrets.token_hex(16)) if channel == "telegram" else secrets.token_urlsafe(24)
        scenario = rng.choices(funcs, weights)[0]
        waiting = scenario is handoff and rng.random() < 0.3  # still waiting for a colleague: recent
        start = now - (dt.timedelta(minutes=rng.uniform(5, 40)) if waiting else
                       dt.timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 8)))
        script = Script(sender, start, channel, rng)
        role = scenario(script, rng)
        region = rng.choice(regions) if rng.random() < (0.85 if role else 0.4) else None
        state = "requested" if waiting else "none"
        if scenario is handoff and state == "none":  # handled by a colleague after a few minutes
            asked = script.at
            taken = asked + dt.timedelta(minutes=rng.uniform(0.5, 15))
            handoffs.append(dict(conversation_id=sender, requested_at=asked, taken_at=taken,
                                 released_at=taken + dt.timedelta(minutes=rng.uniform(2, 20))))
        convs.append(dict(id=sender, channel=channel, channel_address=None, role=role, region_code=region,
                          handoff_state=state, handoff_staff_id=None, created_at=start, last_message_at=script.at))
        chats += [{"conversation_id": sender, "staff_id": None, "external_id": None, "buttons": None, **c}
                  for c in script.chat]
        events += script.events
        ids.append(sender)
        if len(convs) >= batch or n == count - 1:
            with engine.begin() as conn:
                conn.execute(insert(Conversation), convs)
                conn.execute(insert(ChatMessage), chats)
                if handoffs:
                    conn.execute(insert(Handoff), handoffs)
            with tracker_engine.begin() as conn:
                conn.execute(insert(tracker.events), events)
            convs, chats, events, handoffs = [], [], [], []
    return ids
