"""`{% confirm %}`: a destructive button that asks first (see core/confirm.py).

    {% url 'plans:goal_delete' goal.pk as remove_url %}
    {% confirm action=remove_url label="Remove" hidden_label=goal title="Remove this goal?" yes="Remove it" %}
      The goal “{{ goal }}” leaves your plan ...
    {% endconfirm %}

The text between the tags is the consequence, shown as plain text. Optional: `hidden_label` (words only
screen readers hear after the label), `no` (the label that backs out, "Cancel" by default) and `style`
(the trigger's class, "button button-quiet" by default). Any other argument is a hidden field the form
posts, as the original form did (`next=...` for un-assign, `role=...` for taking a role away).
"""

from __future__ import annotations

import html
import re
from typing import Any

from django import template
from django.template.base import Node, NodeList, Parser, Token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from learnloop.core.confirm import Confirmation, confirmation_sign

register = template.Library()
REQUIRED = ("action", "label", "title", "yes")
OPTIONAL = ("hidden_label", "no", "style")


class ConfirmNode(Node):
    def __init__(self, kwargs: dict[str, Any], nodelist: NodeList) -> None:
        self.kwargs, self.nodelist = kwargs, nodelist

    def render(self, context: template.Context) -> SafeString:
        values = {name: str(value.resolve(context)) for name, value in self.kwargs.items()}
        text = html.unescape(strip_tags(self.nodelist.render(context)))
        request = context.get("request")
        confirmation = Confirmation(
            action=values["action"],
            title=values["title"],
            consequence=re.sub(r"\s+", " ", text).strip(),
            yes=values["yes"],
            back=request.get_full_path() if request is not None else "/",
            no=values.get("no", "Cancel"),
            fields=tuple((name, value) for name, value in values.items() if name not in (*REQUIRED, *OPTIONAL)),
        )
        url = f"{reverse('core:confirm')}?c={confirmation_sign(confirmation)}"
        return render_to_string(
            "includes/confirm_trigger.html",
            {
                "url": url,
                "label": values["label"],
                "hidden_label": values.get("hidden_label", ""),
                "style": values.get("style", "button button-quiet"),
            },
        )


@register.tag("confirm")
def confirm(parser: Parser, token: Token) -> ConfirmNode:
    bits = token.split_contents()[1:]
    kwargs = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"{{% confirm %}} takes name=value arguments only, not {bits[0]!r}.")
    missing = [name for name in REQUIRED if name not in kwargs]
    if missing:
        raise template.TemplateSyntaxError(f"{{% confirm %}} needs {', '.join(missing)}.")
    nodelist = parser.parse(("endconfirm",))
    parser.delete_first_token()
    return ConfirmNode(kwargs, nodelist)
