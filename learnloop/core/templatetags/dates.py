"""Days and moments as the reader writes them: one home for every date a page shows.

The reader's locale comes from their browser (Accept-Language, among the English variants in
settings.LANGUAGES, else LANGUAGE_CODE) and picks Django's formats for it: "26 Nov 2026" for en-GB,
"Nov. 26, 2026" for en-US. Moments are shown in the viewer's time zone (core.middleware). A built-in
library (settings.TEMPLATES), so templates use `|day`, `|moment`, `|month` and `|ago` without loading
anything; nothing formats a date by hand, and no sentence shows an ISO date.
"""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

register = template.Library()

# The forms of `day` and `moment`: the plain date, or with the weekday for things on a schedule.
WEEKDAY = "weekday"


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _with_weekday(text: str, value: dt.date, form: str) -> str:
    return f"{formats.date_format(value, 'D')} {text}" if form == WEEKDAY else text


@register.filter(expects_localtime=True)
def day(value: dt.date | dt.datetime | None, form: str = "") -> str:
    """The day, in the reader's format: "26 Nov 2026"; `|day:"weekday"`: "Thu 26 Nov 2026"."""
    if not value:
        return ""
    local = _local(value)
    return _with_weekday(formats.date_format(local, "DATE_FORMAT"), local, form)


@register.filter(expects_localtime=True)
def moment(value: dt.datetime | None, form: str = "") -> str:
    """A moment in the viewer's zone: "26 Nov 2026, 2:30 p.m."; `|moment:"seconds"` adds the seconds
    (the audit log), `|moment:"weekday"` the weekday (things on a schedule)."""
    if not value:
        return ""
    local = _local(value)
    date_text = formats.date_format(local, "DATE_FORMAT")
    time_format = formats.get_format("TIME_FORMAT")
    if form == "seconds":
        # The locale's clock (12 or 24 hours) with seconds; "P" has no seconds form.
        time_format = "g:i:s a" if time_format in ("P", "g:i a", "g:i A") else "H:i:s"
    text = f"{date_text}, {formats.date_format(local, time_format)}"
    return _with_weekday(text, local, form)


@register.filter(expects_localtime=True)
def month(value: dt.date | dt.datetime | None) -> str:
    """The month and year: "November 2026"."""
    if not value:
        return ""
    return formats.date_format(_local(value), "YEAR_MONTH_FORMAT")


@register.filter
def ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, as people say it: "just now" within the minute, then "5 minutes ago",
    "3 days ago"; a moment ahead reads "in 2 hours"."""
    if not value:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if abs(seconds) < 60:
        return _("just now")
    if seconds < 0:
        return _("in %(time)s") % {"time": timeuntil(value, now, depth=1)}
    return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}
