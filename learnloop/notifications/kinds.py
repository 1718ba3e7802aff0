"""The kinds of notification learnloop sends. A domain that notifies people declares its kinds here, so
everyone can see (and choose) what they may receive in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    description: str
    # Whether the email copy is on until the person says otherwise (the in-app copy always is).
    email_by_default: bool = True


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in [
        Kind("assignment", "Assigned learning", "Someone assigned you a pathway or an item."),
        Kind("due_soon", "Due soon", "Assigned learning or a plan goal is due within a week."),
        Kind("overdue", "Overdue", "Assigned learning or a plan goal is past its due date."),
        Kind("session_reminder", "Session reminders", "A live session you booked starts within a day."),
        Kind(
            "session_change",
            "Session changes",
            "A session you booked or are waiting for was moved, changed or cancelled.",
        ),
        Kind("waitlist", "Waitlist", "A seat opened up and you moved from the waitlist onto a session."),
        Kind(
            "recertification",
            "Re-certification",
            "A certification you hold expires soon, or has expired.",
        ),
        Kind(
            "transfer_check",
            "Applying what you learned",
            "30, 60 and 90 days after you finish learning tied to a goal: did you use it at work?",
        ),
        Kind("plan_nudge", "Plan reminders", "Your manager asks you to start your development plan."),
        Kind(
            "account",
            "Your account",
            "Your manager changed, or someone you managed now reports to someone else.",
        ),
        Kind(
            "plan_comment", "Plan comments", "Your manager commented on your development plan.", email_by_default=False
        ),
    ]
}


def kind_get(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}; declare it in learnloop/notifications/kinds.py") from None
