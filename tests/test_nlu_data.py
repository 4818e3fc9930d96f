"""Cheap structural checks of the training data, domain and test stories (no Rasa needed)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml

from placement.reference import gemeenten, occupations, place_aliases
from placement.text import fold
from settings import ROOT
from staff.review import load_domain
from tools.gen_lookups import expected_files

# Issue 3: the intent names are a contract (analytics, staff filters and evaluation use them).
ISSUE_INTENTS = {
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "help", "out_of_scope", "request_human",
    "request_callback", "ask_contact_details", "ask_privacy", "request_data_deletion", "identify_as_employer",
    "post_vacancy", "find_candidates", "ask_wage_subsidy", "ask_no_risk_policy", "ask_wage_cost_benefit",
    "ask_jobs_agreement", "ask_secondment", "ask_job_carving", "ask_trial_placement", "ask_job_coach",
    "identify_as_jobseeker", "search_jobs", "apply_for_vacancy", "register_jobseeker", "ask_sheltered_work",
    "ask_training", "ask_benefits_impact", "check_application_status", "show_more", "stop",
}
# Issue 12 added these (never renamed one): warm referrals and the home gemeente.
ISSUE_INTENTS |= {"ask_benefit_entitlement", "ask_debt_help", "inform_home_place"}
# Issue 16 added these: match alerts (opt in, stop, and the buttons under an alert).
ISSUE_INTENTS |= {"alert_opt_in", "alert_stop", "alert_react", "alert_not_for_me"}
# r12b (issue 12): corrections of a place and bare place names (nlu/context.yml, tests/nlu_holdout/set5.yml).
ISSUE_INTENTS |= {"correct_place", "inform_place"}
MIN_EXAMPLES = 25
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|(\{[^}]+\}))")
DOMAIN = load_domain()
CONTRACT = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")


def _examples(block: dict) -> list[str]:
    return [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def _plain(example: str) -> str:
    """Text as the user typed it: annotations removed, case and spaces normalised."""
    return " ".join(ANNOTATION.sub(lambda m: m.group(1), example).lower().split())


def nlu_blocks(*folders: Path) -> list[dict]:
    blocks = []
    for folder in folders:
        for path in sorted(folder.rglob("*.yml")):
            blocks += yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
    return blocks


def intent_examples(blocks: list[dict]) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for block in blocks:
        if "intent" in block:
            by_intent[block["intent"]] += _examples(block)
    return by_intent


TRAINING = intent_examples(nlu_blocks(ROOT / "nlu"))
HOLDOUT = intent_examples(nlu_blocks(ROOT / "tests" / "nlu_holdout"))


def test_domain_declares_exactly_the_issue_intents():
    assert set(DOMAIN["intents"]) == ISSUE_INTENTS
    assert set(TRAINING) == ISSUE_INTENTS


def test_every_intent_has_enough_distinct_examples():
    short = {intent: len({_plain(e) for e in examples}) for intent, examples in TRAINING.items()
             if len({_plain(e) for e in examples}) < MIN_EXAMPLES}
    assert not short, short


def test_no_text_is_labelled_with_two_intents():
    owner: dict[str, set[str]] = defaultdict(set)
    for intent, examples in TRAINING.items():
        for example in examples:
            owner[_plain(example)].add(intent)
    assert not {text: intents for text, intents in owner.items() if len(intents) > 1}


def test_annotations_use_declared_entities_and_canonical_values():
    labels = {o.label for o in occupations()}
    places = {g.name for g in gemeenten()}
    for examples in list(TRAINING.values()) + list(HOLDOUT.values()):
        for example in examples:
            for match in ANNOTATION.finditer(example):
                spec = match.group(2) or yaml.safe_load(match.group(3))
                entity = spec if isinstance(spec, str) else spec["entity"]
                assert entity in DOMAIN["entities"], example
                if isinstance(spec, dict) and entity == "job_title":
                    assert spec["value"] in labels, example
                if isinstance(spec, dict) and entity == "location":
                    assert spec["value"] in places, example
                if spec == "location":
                    # Rasa's synonym mapper would make the typed form ("utrecht") the canonical value.
                    assert match.group(1) in places or fold(match.group(1)) in place_aliases(), example


def test_synonyms_map_to_occupation_labels_and_gemeente_names():
    blocks = nlu_blocks(ROOT / "nlu" / "lookups")
    labels = {o.label for o in occupations()}
    places = {g.name for g in gemeenten()}
    for block in blocks:
        if "synonym" in block:
            assert block["synonym"] in labels | places, block["synonym"]


def test_lookup_files_match_the_reference_data():
    for path, content in expected_files().items():
        assert path.read_text(encoding="utf-8") == content, f"run: python -m tools.gen_lookups ({path.name})"
    lookup = next(b for b in nlu_blocks(ROOT / "nlu" / "lookups") if b.get("lookup") == "location")
    names = set(_examples(lookup))
    assert len(gemeenten()) == 342 and all(g.name in names for g in gemeenten())
    assert {"den bosch", "den haag"} <= names


def test_holdout_covers_every_intent_and_is_not_training_data():
    assert set(HOLDOUT) == ISSUE_INTENTS
    seen = {_plain(e) for examples in TRAINING.values() for e in examples}
    leaked = [e for examples in HOLDOUT.values() for e in examples if _plain(e) in seen]
    assert not leaked, leaked


def _story_steps() -> list[list[dict]]:
    stories = []
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        stories += [story["steps"] for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]]
    return stories


def test_story_tests_cover_every_intent_form_path_and_the_fallback():
    stories = _story_steps()
    tested = {step["intent"] for steps in stories for step in steps if "user" in step and "intent" in step}
    assert ISSUE_INTENTS <= tested, ISSUE_INTENTS - tested
    for form, submit in (("vacancy_form", "action_submit_vacancy"), ("registration_form", "action_submit_registration"),
                         ("callback_form", "action_submit_callback")):
        actions = [[s.get("action") for s in steps] for steps in stories if {"action": form} in steps]
        assert any(submit in a for a in actions), f"{form}: no happy path"
        assert any("action_deactivate_loop" in a for a in actions), f"{form}: no unhappy path"
    assert any({"action": "action_two_stage_fallback"} in steps for steps in stories)


def test_domain_declares_the_contract_names():
    slots = re.search(r"Slots: (.+?)\.\n", CONTRACT, re.S).group(1)
    assert set(re.findall(r"`(\w+)`", slots)) <= set(DOMAIN["slots"])
    for form, required in re.findall(r"- `(\w+_form)`: ([\w, ]+)", CONTRACT):
        assert DOMAIN["forms"][form]["required_slots"] == [s.strip() for s in required.split(",")]
    contract_actions = set(re.findall(r"\| `(action_\w+)` \|", CONTRACT))
    assert contract_actions and contract_actions <= set(DOMAIN["actions"])
    assert {"validate_vacancy_form", "validate_registration_form", "validate_callback_form",
            "action_default_ask_affirmation"} <= set(DOMAIN["actions"])


def test_no_response_asks_for_a_bsn_or_health_details():
    question = re.compile(r"[^.?!]*\b(bsn|burgerservicenummer|diagnose|ziekte|beperking heeft)\b[^.?!]*\?", re.I)
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            text = unicodedata.normalize("NFC", variant.get("text", ""))
            assert not question.search(text), name
