"""Format overrides for the English variants the app speaks (settings.FORMAT_MODULE_PATH).

Pages show dates in the reader's locale (Django's formats for en, en-GB, ...). Only one thing changes
here: the first input format of every locale is ISO 8601. A `type=date` input sends and must be given
YYYY-MM-DD whatever the browser's language (it shows the locale's format itself), and Django renders a
date input with the locale's first input format: "26/11/2026" would leave a British reader's date
fields empty.
"""

import importlib

ISO_DATE = "%Y-%m-%d"
ISO_DATETIMES = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


def iso_first(locale: str) -> tuple[list[str], list[str]]:
    """The locale's date and datetime input formats with the ISO forms first."""
    django_formats = importlib.import_module(f"django.conf.locale.{locale}.formats")
    dates = [ISO_DATE, *(f for f in django_formats.DATE_INPUT_FORMATS if f != ISO_DATE)]
    datetimes = [*ISO_DATETIMES, *(f for f in django_formats.DATETIME_INPUT_FORMATS if f not in ISO_DATETIMES)]
    return dates, datetimes
