"""Review tools: corrections of intents/entities, export as Rasa NLU YAML and as end-to-end test stories.

Both exports are ordinary Rasa 3.x training files (`version: "3.1"`): corrections go to `nlu/`,
a saved conversation goes to `tests/` of the assistant (`rasa test` reads it). They can contain
what users typed; the header asks the reviewer to remove personal data before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from staff import tracker

ROOT = Path(__file__).resolve().parent.parent
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
HEADER = ("# Gegenereerd door de medewerkersomgeving van Werkpunt op {when} door {who}.\n"
          "# Controleer op persoonsgegevens (namen, telefoonnummers, e-mail) voordat je dit toevoegt aan {where}.\n")


class CorrectionError(ValueError):
    """A correction that cannot become training data; the message is for the reviewer (Dutch)."""


DOMAIN = ROOT / "domain"


def merge_domain(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Rasa's domain from its topic files: lists (intents, entities, actions) are joined, mappings
    (slots, forms, responses) united; a name defined twice is an error, as it is for Rasa."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                twice = set(merged.get(key, {})) & set(value)
                if twice:
                    raise ValueError(f"{key}: {', '.join(sorted(twice))} staat twee keer in domain/")
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return merged


@lru_cache(maxsize=4)
def _domain(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    parts = []
    for name, _mtime in stamp:
        with open(Path(folder) / name, encoding="utf-8") as handle:
            parts.append(yaml.safe_load(handle) or {})
    return merge_domain(parts)


def load_domain(folder: Path = DOMAIN) -> dict[str, Any]:
    """The assistant's domain (domain/*.yml merged), read again when a file changed."""
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    return _domain(str(folder), tuple((f.name, f.stat().st_mtime) for f in files))


def domain() -> dict[str, Any]:
    return load_domain()


def _names(items) -> list[str]:
    out = []
    for item in items or []:
        out.append(next(iter(item)) if isinstance(item, dict) else str(item))
    return out


def known_intents() -> list[str]:
    return sorted(set(_names(domain().get("intents"))))


def known_entities() -> list[str]:
    return sorted(_names(domain().get("entities")))


def story_slots() -> set[str]:
    """Slots that steer the dialogue; only these go into test stories (the rest may be personal data)."""
    slots = domain().get("slots") or {}
    return {name for name, spec in slots.items() if isinstance(spec, dict) and spec.get("influence_conversation")}


def parse_entities(text: str, raw: str) -> list[dict[str, Any]]:
    """Reviewer input, one `entity: value` per line (value as it appears in the message)."""
    entities, used = [], []
    allowed = set(known_entities())
    for line in raw.replace("\r", "").split("\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise CorrectionError(f"Regel '{line.strip()[:40]}' moet de vorm 'entiteit: waarde' hebben.")
        if name not in allowed:
            raise CorrectionError(f"Onbekende entiteit '{name[:40]}'. Kies uit: {', '.join(sorted(allowed))}.")
        start = _free_span(text, value, used)
        if start is None:
            raise CorrectionError(f"'{value[:40]}' komt niet (nog eens) letterlijk voor in het bericht.")
        used.append((start, start + len(value)))
        entities.append({"entity": name, "value": value, "start": start, "end": start + len(value)})
    return sorted(entities, key=lambda e: e["start"])


def _free_span(text: str, value: str, used: list[tuple[int, int]]) -> int | None:
    start = text.find(value)
    while start != -1:
        if all(start >= end or start + len(value) <= begin for begin, end in used):
            return start
        start = text.find(value, start + 1)
    return None


def validate_intent(intent: str) -> str:
    intent = intent.strip()
    if not NAME_RE.match(intent):
        raise CorrectionError("Een intentie bestaat uit kleine letters, cijfers en _.")
    if intent not in known_intents():
        raise CorrectionError(f"'{intent}' staat niet in het domein (domain/). Voeg nieuwe intenties eerst daar toe.")
    return intent


def _plain(text: str) -> str:
    # Square brackets would read as entity markup in Rasa's format.
    return text.replace("[", "(").replace("]", ")")


def annotate(text: str, entities: list[dict[str, Any]]) -> str:
    """One line in Rasa's inline entity syntax: `[Amersfoort](location)`; a normalised value uses
    the dict form `[A'foort]{"entity": "location", "value": "Amersfoort"}`."""
    out, pos = [], 0
    for ent in sorted(entities, key=lambda e: e["start"]):
        start, end = int(ent["start"]), int(ent["end"])
        if start < pos or end > len(text) or start >= end:
            continue
        span = text[start:end]
        label = f"({ent['entity']})" if str(ent.get("value", span)) == span else \
            json.dumps({"entity": ent["entity"], "value": str(ent["value"])}, ensure_ascii=False)
        out += [_plain(text[pos:start]), f"[{_plain(span)}]{label}"]
        pos = end
    out.append(_plain(text[pos:]))
    return " ".join("".join(out).split())


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: dict, who: str, where: str) -> str:
    when = dt.datetime.now().strftime("%d-%m-%Y %H:%M")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return HEADER.format(when=when, who=who, where=where) + body


def nlu_yaml(corrections, who: str) -> str:
    """Corrections grouped by intent, in Rasa's NLU training data format."""
    examples: dict[str, list[str]] = defaultdict(list)
    for corr in corrections:
        example = annotate(corr.text, json.loads(corr.entities or "[]"))
        if example and example not in examples[corr.intent]:
            examples[corr.intent].append(example)
    nlu = [{"intent": intent, "examples": "".join(f"- {ex}\n" for ex in items)}
           for intent, items in sorted(examples.items())]
    return _dump({"version": "3.1", "nlu": nlu}, who, "nlu/")


def story_yaml(ref: str, rows: list[dict[str, Any]], corrections: dict[int, Any], who: str) -> str:
    """The conversation as end-to-end test stories (one per Rasa session), corrections applied.

    Steps while a person had the conversation (between `pause` and `resume`) are left out: the
    assistant did not take part in them.
    """
    keep_slots = story_slots()
    stories: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    paused = False
    for row in rows:
        kind, data = row["type_name"], row["data"]
        if kind == "session_started" and steps:
            stories.append({"steps": steps})
            steps = []
        elif kind == "pause":
            paused = True
        elif kind == "resume":
            paused = False
        elif paused:
            continue
        elif kind == "user":
            steps.append(_user_step(tracker.user_turn(data, row["intent_name"]), corrections.get(row["id"])))
        elif kind == "action" and row["action_name"] not in tracker.QUIET_ACTIONS:
            steps.append({"action": row["action_name"]})
        elif kind == "active_loop":
            steps.append({"active_loop": data.get("name")})
        elif kind == "slot" and data.get("name") in keep_slots:
            steps.append({"slot_was_set": [{data["name"]: data.get("value")}]})
    if steps:
        stories.append({"steps": steps})
    named = [{"story": f"gesprek {ref}" + (f" deel {n}" if len(stories) > 1 else ""), **story}
             for n, story in enumerate(stories, start=1)]
    return _dump({"version": "3.1", "stories": named}, who, "tests/ van de assistent")


def _user_step(turn: tracker.UserTurn, correction) -> dict[str, Any]:
    intent = correction.intent if correction else turn.intent
    entities = json.loads(correction.entities) if correction else turn.entities
    if turn.is_payload:  # a button press: no text for NLU to test, only the intent it carries
        step: dict[str, Any] = {"intent": intent}
        values = [{e["entity"]: e.get("value")} for e in entities if e.get("entity")]
        if values:
            step["entities"] = values
        return step
    return {"user": annotate(turn.text, [e for e in entities if e.get("start") is not None]), "intent": intent}
