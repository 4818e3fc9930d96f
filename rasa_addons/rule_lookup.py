"""RulePolicy's rule search remembered per dialogue state, once the policy is trained and loaded.

For every prediction RulePolicy checks every rule it learned against the last dialogue states
(`_get_possible_keys`: each rule key is parsed and compared state by state), up to three times per
prediction (rules, rules for the unhappy path of a form, and the text and intent passes after a user
message). `tools/profile_turn.py --cprofile` showed this scan as the largest part of a prediction.
The answer depends only on the learned rules and the states, and a bot has few distinct states, so
`install()` lets a *loaded* RulePolicy (a running model, never one being trained, whose rules still
change) remember the matching rule keys per (rule table, states), in a bounded LRU.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict

MEMORY = "_werkpunt_rule_keys"
SIZE = 5000  # remembered (rule table, states) pairs per policy (a few MB)


def install() -> None:
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.rule_policy import RulePolicy

    search = RulePolicy._get_possible_keys
    load = MemoizationPolicy.__dict__["load"].__func__

    @functools.wraps(search)
    def _get_possible_keys(self, lookup, states):
        memory = self.__dict__.get(MEMORY)
        if memory is None:
            return search(self, lookup, states)
        key = (id(lookup), json.dumps(states, sort_keys=True, default=repr))
        found = memory.get(key)
        if found is None:
            found = memory[key] = frozenset(search(self, lookup, states))
            if len(memory) > SIZE:
                memory.popitem(last=False)
        else:
            memory.move_to_end(key)
        return set(found)

    def loaded(cls, *args, **kwargs):
        policy = load(cls, *args, **kwargs)
        if isinstance(policy, RulePolicy):
            policy.__dict__[MEMORY] = OrderedDict()
        return policy

    RulePolicy._get_possible_keys = _get_possible_keys
    RulePolicy.load = classmethod(loaded)
