"""Event classes looked up once per type name instead of on every event read.

Rasa 3.6 turns every stored event back into an object through `Event.resolve_by_type(type_name)`,
which walks all Event subclasses (`all_subclasses`, with `inspect.isabstract` on each) for every single
event: on every tracker load, every replay and every action server response. `tools/profile_turn.py
--cprofile` showed that walk as most of the tracker deserialisation. `install()` remembers the class
found for a type name; an unknown name (or "topic") still goes through Rasa's own lookup and its
error or default. Event classes are all defined at import time, so the remembered answer is the one
Rasa's walk would give.
"""

from __future__ import annotations


def install() -> None:
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name, default=None):
        cls = found.get(type_name)
        if cls is None:
            cls = resolve(type_name, default)
            if cls is not None and cls is not default and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    resolve_by_type.__doc__ = resolve.__doc__
    Event.resolve_by_type = staticmethod(resolve_by_type)
