"""Rasa's log without user text: at the default level no record carries a traceback or a long payload.

When a custom action fails, Rasa logs the exception with its whole chain, and that text can hold the
tracker (user messages, slot values). A user can cause such a failure at will, so at every level
above DEBUG each record Rasa's process makes is cut down to its first line (at most MAX_CHARS
characters, and cut before any "{", "[" or "tracker=", where dumps begin) and the exception's type name; the details stay out of rasa.log. With LOG_LEVEL=DEBUG
nothing is changed, and Rasa's debug lines do contain message text and slots (the README says so).
"""

from __future__ import annotations

import logging

MAX_CHARS = 300


def _summary(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its format: keep only the format
        message = str(record.msg)
    first = message.strip().splitlines()[0] if message.strip() else ""
    for opening in ("{", "[", "tracker="):  # a dict, list or tracker in the line: keep only what comes before
        if opening in first:
            first = first.split(opening, 1)[0] + "[...]"
    if len(first) > MAX_CHARS:
        first = first[:MAX_CHARS] + " [ingekort]"
    if record.exc_info and record.exc_info[1] is not None:
        names, exc = [], record.exc_info[1]
        while exc is not None and len(names) < 5:
            names.append(type(exc).__name__)
            exc = exc.__cause__ or exc.__context__
        first += f" (exception: {' <- '.join(names)}; details omitted, they may hold user text)"
    return first


def install() -> None:
    """Wrap the record factory so every record of this process is summarised (not at DEBUG)."""
    import os

    if os.environ.get("LOG_LEVEL", "INFO").upper() == "DEBUG":
        return
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        summary = _summary(record)
        record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = summary, (), None, None, None
        return record

    logging.setLogRecordFactory(factory)
