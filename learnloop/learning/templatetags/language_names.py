from django import template

from learnloop.learning.languages import language_name as name_of

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """ "de" reads "German"; a value typed before there was a list of languages shows as it was stored."""
    return name_of(code)
