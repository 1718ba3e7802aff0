from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from learnloop.core.bounds import parse_id
from learnloop.core.http import AuthedRequest
from learnloop.notifications import services
from learnloop.notifications.kinds import KINDS
from learnloop.notifications.models import Notification


@login_required
@require_safe
def inbox(request: AuthedRequest) -> HttpResponse:
    only_unread = request.GET.get("show") == "unread"
    rows = Notification.objects.filter(recipient=request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    for row in page:
        row.kind_label = KINDS[row.kind].label if row.kind in KINDS else row.kind  # type: ignore[attr-defined]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "only_unread": only_unread, "query": "show=unread" if only_unread else ""},
    )


@login_required
@require_POST
def mark_read(request: AuthedRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    notification_id = parse_id(raw)
    if raw and notification_id is None:
        return HttpResponseBadRequest("The notification id is not valid.")
    ids = None if notification_id is None else [notification_id]  # no id: mark them all read
    changed = services.notification_mark_read(actor=request.user, ids=ids)
    if ids is None:
        messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} as read.")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:list")


@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        choices = {
            key: services.Choice(
                in_app=request.POST.get(f"{key}-in_app") == "on", email=request.POST.get(f"{key}-email") == "on"
            )
            for key in KINDS
        }
        services.preferences_set(actor=request.user, choices=choices)
        messages.success(request, "Saved your notification choices.")
        return redirect("notifications:settings")
    current = services.preferences_all(request.user)
    rows = [(kind, current[key]) for key, kind in KINDS.items()]
    return render(request, "notifications/settings.html", {"rows": rows})
