"""Run with .venv/rasa/bin/python (Rasa 3.6): `rasa_addons.policy_states` against Rasa's own
`Domain.states_for_tracker_history` over the project's stories and rules.

Every training tracker Rasa generates from nlu/ (stories and rules, no augmentation) is rebuilt event
by event in one tracker object, as a turn grows it; after every event the patched function (which
resumes its replay on the same object) and Rasa's own one (a full replay) must give equal states, with
and without rule-only turns ignored and with the project's rule-only slots and loops. The patched
result is then edited in place, as Rasa's featurisers do, which must not change a later answer.
With a model path as argument, also `rasa_addons.rule_lookup`: the model's loaded RulePolicy answers
every rule search (both rule tables, text and intent states, after every event) as Rasa's scan does,
when it first meets the states and when it remembers them.
Prints one JSON object with counts.
"""

from __future__ import annotations

import json
import sys

from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter


def main() -> None:
    stock = Domain.states_for_tracker_history
    importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["nlu"])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0,
                                     remove_duplicates=False).generate()
    rule_only = {RULE_ONLY_SLOTS: [slot.name for slot in domain.slots[:4]], RULE_ONLY_LOOPS: domain.form_names[:1]}
    from rasa_addons.policy_states import install

    install()
    patched = Domain.states_for_tracker_history
    arguments = [dict(), dict(omit_unset_slots=True), dict(ignore_rule_only_turns=True, rule_only_data=rule_only),
                 dict(ignore_rule_only_turns=True)]
    compared = differences = states = 0
    first_difference = None
    for source in trackers:
        grown = DialogueStateTracker(source.sender_id, domain.slots, is_rule_tracker=source.is_rule_tracker)
        for event in source.events:
            grown.update(event)
            for kwargs in arguments:
                ours = patched(domain, grown, **kwargs)
                theirs = stock(domain, grown, **kwargs)
                compared += 1
                states += len(theirs)
                if ours != theirs:
                    differences += 1
                    first_difference = first_difference or {"tracker": source.sender_id, "kwargs": str(kwargs)}
                if ours and ours[-1].get("user"):  # what _choose_last_user_input does to its copy
                    ours[-1]["user"].pop("text", None)
                    ours[-1]["user"].pop("intent", None)
    rules = rule_searches(sys.argv[1], trackers) if len(sys.argv) > 1 else None
    print(json.dumps({"rule_searches": rules, "trackers": len(trackers), "rule_trackers": sum(t.is_rule_tracker for t in trackers),
                      "compared": compared, "states": states, "differences": differences,
                      "first_difference": first_difference}))


def rule_searches(model: str, trackers: list) -> dict:
    from rasa.core.agent import Agent
    from rasa.core.policies.rule_policy import RulePolicy

    from rasa_addons.rule_lookup import MEMORY, install

    install()
    agent = Agent.load(model)
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(node._component for node in nodes if isinstance(node._component, RulePolicy))
    domain = agent.domain
    scan = RulePolicy._get_possible_keys.__wrapped__
    searches = differences = matched = 0
    for source in trackers:
        grown = DialogueStateTracker(source.sender_id, domain.slots)
        for event in source.events:
            grown.update(event)
            for use_text in (True, False):
                states = policy._prediction_states(grown, domain, use_text, rule_only_data=policy._get_rule_only_data())
                for table in policy.lookup.values():
                    if not isinstance(table, dict):
                        continue
                    expected = scan(policy, table, states)
                    for _ in range(2):  # first met, then remembered
                        searches += 1
                        differences += policy._get_possible_keys(table, states) != expected
                    matched += bool(expected)
    return {"searches": searches, "differences": differences, "with_a_matching_rule": matched,
            "remembered": len(policy.__dict__.get(MEMORY) or {})}


if __name__ == "__main__":
    main()
