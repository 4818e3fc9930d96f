"""The dialogue states of a tracker computed once per turn, not once per policy and prediction.

Every policy featurises the tracker for every action it predicts: `Domain.states_for_tracker_history`
replays all applied events of the session into a fresh tracker and builds one state per action. In one
turn Rasa predicts 2.5 actions on average, and RulePolicy (twice after a user message: by text, then by
intent) and MemoizationPolicy each ask, so the same history is replayed about 6 times per turn, each
time from the session start. `tools/profile_turn.py --cprofile` showed this replay as most of the
policies' CPU.

`install()` keeps the replay of a tracker (per set of arguments) beside the tracker object (dropped
with it) and extends it by the events added since the last call. The fold is Rasa's own loop body, so
the states are the same: a state depends only on the applied events before it, and the prefix is
reused only when it consists of the very same event objects (anything else, e.g. a reverted or cut history, replays from the start).
Callers get fresh copies of the state dictionaries (Rasa's featurisers edit the last ones in place).
"""

from __future__ import annotations

import json
import weakref
from typing import Any, Optional

_FOLDS: dict[int, dict] = {}  # id(tracker) -> {arguments: Fold}; an entry goes when its tracker does


class Fold:
    """Rasa's `states_for_tracker_history` loop, stoppable and resumable."""

    def __init__(self, domain: Any, tracker: Any, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: Optional[dict]) -> None:
        self.domain, self.omit, self.ignore, self.rule_only = (domain, omit_unset_slots, ignore_rule_only_turns,
                                                                rule_only_data)
        self.replay = tracker.init_copy()
        self.events: list = []
        self.states: list = []
        self.last_ml: Any = None
        self.hidden = False

    def _step(self, tracker: Any, hide_rule_turn: bool, states: list, last_ml: Any, hidden: bool):
        """One turn of Rasa's loop: (state to append or None, last_ml, hidden)."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        domain = self.domain
        if self.ignore:
            if not hidden:
                last_ml = domain._get_prev_action_sub_state(tracker)
            if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
                hidden = hide_rule_turn
            if hidden:
                return None, last_ml, hidden
        state = domain.get_active_state(tracker, omit_unset_slots=self.omit)
        if self.ignore:
            domain._remove_rule_only_features(state, self.rule_only)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml:
                state[PREVIOUS_ACTION] = last_ml
        return domain._clean_state(state), last_ml, hidden

    def extends(self, events: list) -> bool:
        return len(events) >= len(self.events) and all(a is b for a, b in zip(self.events, events))

    def advance(self, events: list) -> None:
        from rasa.shared.core.events import ActionExecuted

        for event in events[len(self.events):]:
            if isinstance(event, ActionExecuted):
                state, self.last_ml, self.hidden = self._step(self.replay, event.hide_rule_turn, self.states,
                                                              self.last_ml, self.hidden)
                if state is not None:
                    self.states.append(state)
            self.replay.update(event)
            self.events.append(event)

    def result(self) -> list:
        """The states so far plus the one of the tracker as it is now (Rasa's last `yield tracker, False`)."""
        last, _, _ = self._step(self.replay, False, self.states, self.last_ml, self.hidden)
        states = self.states + ([last] if last is not None else [])
        return [{kind: (dict(sub) if isinstance(sub, dict) else sub) for kind, sub in state.items()}
                for state in states]


def states_for_tracker_history(self, tracker, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                               rule_only_data: Optional[dict] = None) -> list:
    """Domain.states_for_tracker_history, resumed from this tracker's last call (see the module docstring)."""
    key = (id(self), omit_unset_slots, ignore_rule_only_turns,
           json.dumps(rule_only_data, sort_keys=True, default=str) if rule_only_data else None)
    folds = _FOLDS.get(id(tracker))
    if folds is None:
        folds = _FOLDS[id(tracker)] = {}
        weakref.finalize(tracker, _FOLDS.pop, id(tracker), None)
    events = tracker.applied_events()
    fold = folds.get(key)
    if fold is None or fold.domain is not self or not fold.extends(events):
        fold = folds[key] = Fold(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    fold.advance(events)
    return fold.result()


def install() -> None:
    from rasa.shared.core.domain import Domain

    Domain.states_for_tracker_history = states_for_tracker_history
