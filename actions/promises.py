"""The only place where the assistant names a time by which a person will act.

A time ("binnen 2 werkdagen") is said only when it can be kept: routing picked a real staff member
for the request (so a named person sees it in the staff inbox) and OFFICE_HOURS has working days.
Otherwise the answer says "zo snel mogelijk". The numbers come from settings (CALLBACK_WORKING_DAYS,
APPLICATION_REPLY_WORKING_DAYS); tests/test_answers.py checks that no other action module names a
time, and tests/test_promises.py that the time goes away when nobody is routed.
"""

from __future__ import annotations

from placement.office_hours import parse_office_hours
from settings import get_settings

AS_SOON = "zo snel mogelijk"


def can_name_a_time(staff_name: str | None) -> bool:
    """A named person was routed and there are office hours in which that person works."""
    try:
        schedule = parse_office_hours(get_settings().office_hours)
    except ValueError:
        return False
    return bool(staff_name) and bool(schedule)


def callback_when(staff_name: str | None, moment: str | None = None) -> str:
    """When we call back: the user's chosen moment or the working-day promise, or 'zo snel mogelijk'."""
    if not can_name_a_time(staff_name):
        return AS_SOON
    if moment:
        return f"op het moment dat u koos: {moment}"
    return f"binnen {get_settings().callback_working_days} werkdagen"


def application_reply_when(staff_name: str | None) -> str:
    """When a consulent usually reacts to an application."""
    if not can_name_a_time(staff_name):
        return AS_SOON
    return f"meestal binnen {get_settings().application_reply_working_days} werkdagen"
