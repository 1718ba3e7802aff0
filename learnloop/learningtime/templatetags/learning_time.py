"""Kept so templates that still `{% load learning_time %}` work: the filter is core's built-in `duration`."""

from learnloop.core.templatetags.durations import register

__all__ = ["register"]
