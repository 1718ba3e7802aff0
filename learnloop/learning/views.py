from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.bounds import parse_id, parse_int
from learnloop.core.forms import add_service_errors
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.learning import selectors, services
from learnloop.learning.enrollment import (
    LIVE_COMPLETION,
    completed_by_attendance,
    enrollment_complete,
    enrollment_drop,
    enrollment_enrol,
    enrollment_progress,
    enrollment_retake,
)
from learnloop.learning.forms import (
    MAX_SKILL_ROWS,
    CatalogItemForm,
    CatalogSearchForm,
    ReflectionForm,
    SessionCancelForm,
    SessionForm,
    StretchReflectionForm,
)
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.learning.rendering import lesson_html
from learnloop.learning.sessions import (
    SCHEDULED_KINDS,
    booking_cancel,
    booking_mark_attendance,
    session_book,
    session_cancel,
    session_create,
    session_follow_up,
    session_update,
)
from learnloop.skills.selectors import skill_list

SKILL_SUGGESTIONS = 20


@login_required
@require_safe
def catalog(request: AuthedRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        skill = form.cleaned_data["skill"]
        filters = {
            "text": form.cleaned_data["q"],
            "kind": form.cleaned_data["kind"],
            "skill_id": skill.pk if skill else None,
        }
    items = selectors.catalog_list(actor=request.user, **filters)
    page = Paginator(items, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": policy.can(request.user, "create", CatalogItem),
    }
    return render_page_or_partial(
        request, page="learning/catalog.html", partial="learning/htmx/results.html", context=context
    )


@login_required
@require_safe
def item_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    context = {
        "item": item,
        "lesson": lesson_html(item.lesson) if item.lesson else "",
        "can_edit": policy.can(request.user, "change", item),
        "by_attendance": completed_by_attendance(item),
        "can_schedule": item.kind in SCHEDULED_KINDS and policy.can(request.user, "schedule", item),
        "enrollment": Enrollment.objects.filter(person=request.user, item=item).first(),
        "sessions": selectors.upcoming_sessions(actor=request.user, item=item),
        "past_sessions": selectors.past_sessions_to_take(actor=request.user, item=item),
        "stretch_reflections": list(selectors.stretch_reflections(actor=request.user, item=item)[:50]),
        "followed_up": [
            {"session": s, "write_up": lesson_html(s.write_up) if s.write_up else ""}
            for s in selectors.followed_up_sessions(item=item)
        ],
    }
    return render(request, "learning/item.html", context)


@require_safe
@login_required
def item_file(request: AuthedRequest, item_id: int) -> FileResponse:
    """An uploaded item's file, to whoever may see the item (never a public media URL: drafts stay private)."""
    item = selectors.item_get(actor=request.user, item_id=item_id)
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # An attachment, never rendered inline: an uploaded HTML or SVG file cannot run in learnloop's origin.
    return FileResponse(handle, as_attachment=True, filename=PurePosixPath(item.file.name or "").name)


def _save(request: AuthedRequest, form: CatalogItemForm, item: CatalogItem | None) -> CatalogItem | None:
    fields = dict(form.cleaned_data)
    if fields.get("file") is None:
        fields.pop("file", None)  # nothing uploaded: keep what there is
    elif fields["file"] is False:
        fields["file"] = ""  # "Clear" ticked
    try:
        if item is None:
            return services.item_create(actor=request.user, owner=request.user, skills=form.skills(), **fields)
        return services.item_update(actor=request.user, item=item, skills=form.skills(), **fields)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "skills" in exc.error_dict:
            form.skill_rows.non_form_errors().extend(exc.message_dict["skills"])
            exc = ValidationError({k: v for k, v in exc.message_dict.items() if k != "skills"})
        if not hasattr(exc, "error_dict") or exc.error_dict:
            add_service_errors(form, exc)
    return None


def _redrawn(request: AuthedRequest) -> dict[str, Any] | None:
    """Without JavaScript, "Show this format's fields" posts the form to draw it again for the format chosen:
    what was typed comes back as it was, nothing is saved or checked."""
    if request.method != "POST" or "show_format" not in request.POST:
        return None
    rows = []
    for number in range(MAX_SKILL_ROWS):
        skill = request.POST.get(f"skills-{number}-skill", "")
        level = request.POST.get(f"skills-{number}-level", "")
        if skill.strip() or level:
            rows.append({"skill": skill, "level": level})
    initial = {k: v for k, v in request.POST.items() if not k.startswith(("skills-", "csrf"))}
    return {"initial": initial, "skill_rows": rows}


def _item_form(
    request: AuthedRequest, *, item: CatalogItem | None, people: Any, initial: dict[str, Any] | None = None
) -> CatalogItemForm:
    redrawn = _redrawn(request)
    if redrawn is not None:
        return CatalogItemForm(instance=item, people=people, **redrawn)
    if request.method == "POST":
        return CatalogItemForm(request.POST, request.FILES or None, instance=item, people=people)
    return CatalogItemForm(instance=item, people=people, initial=initial)


def _item_page(request: AuthedRequest, form: CatalogItemForm, item: CatalogItem | None) -> HttpResponse:
    failed = request.method == "POST" and bool(form.is_bound and (form.errors or not form.skill_rows.is_valid()))
    return render(request, "learning/item_form.html", {"form": form, "item": item}, status=400 if failed else 200)


@login_required
def item_create(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "create", CatalogItem):
        raise Http404
    kind = request.GET.get("kind", "")
    form = _item_form(
        request,
        item=None,
        people=selectors.pickable_people(actor=request.user),
        initial={"kind": kind} if kind in CatalogItem.Kind.values else None,
    )
    if form.is_bound and form.is_valid():
        item = _save(request, form, None)
        if item is not None:
            messages.success(request, f"“{item}” is in the catalog.")
            return redirect("learning:item", item_id=item.pk)
    return _item_page(request, form, None)


@login_required
def item_edit(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = policy.get_or_404(request.user, "change", CatalogItem.objects.all(), pk=item_id)
    form = _item_form(request, item=item, people=selectors.pickable_people(actor=request.user))
    if form.is_bound and form.is_valid():
        saved = _save(request, form, CatalogItem.objects.get(pk=item.pk))
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect("learning:item", item_id=item.pk)
    return _item_page(request, form, item)


@login_required
@require_safe
def skill_search(request: AuthedRequest) -> HttpResponse:
    """Suggestions for a skill row of the item form (htmx fills a <datalist>): at most 20 skills in use whose
    name or other names hold every word typed. The rows' fields are named skills-<n>-skill."""
    name = next((k for k in request.GET if k == "q" or k.endswith("-skill")), "")
    text = request.GET.get(name, "").strip()[:200]
    skills = skill_list(actor=request.user, search=text)[:SKILL_SUGGESTIONS] if text else []
    return render(request, "learning/htmx/skill_options.html", {"skills": skills})


@login_required
@require_safe
def my_learning(request: AuthedRequest) -> HttpResponse:
    enrollments = (
        Enrollment.objects.filter(person=request.user).select_related("item").order_by("status", "-enrolled_at")
    )
    return render(
        request,
        "learning/mine.html",
        {"enrollments": enrollments, "bookings": selectors.my_upcoming_bookings(person=request.user, limit=20)},
    )


def _my_enrollment(request: AuthedRequest, item_id: int) -> tuple[CatalogItem, Enrollment | None]:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    return item, Enrollment.objects.filter(person=request.user, item=item).first()


@login_required
@require_POST
def enrol(request: AuthedRequest, item_id: int) -> HttpResponse:
    item, _ = _my_enrollment(request, item_id)
    try:
        enrollment_enrol(actor=request.user, person=request.user, item=item)
        messages.success(request, f"You are enrolled in “{item}”.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:item", item_id=item.pk)


@login_required
@require_POST
def progress(request: AuthedRequest, item_id: int) -> HttpResponse:
    item, enrollment = _my_enrollment(request, item_id)
    if enrollment is None:
        raise Http404
    raw = request.POST.get("progress", "")
    try:
        enrollment_progress(actor=request.user, enrollment=enrollment, percent=_percent(raw))
        messages.success(request, "Progress saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:item", item_id=item.pk)


@login_required
def complete(request: AuthedRequest, item_id: int) -> HttpResponse:
    item, enrollment = _my_enrollment(request, item_id)
    if enrollment is None:
        raise Http404
    if completed_by_attendance(item):
        messages.error(request, LIVE_COMPLETION.format(item=f"“{item}”"))
        return redirect("learning:item", item_id=item.pk)
    form: ReflectionForm | StretchReflectionForm = (
        StretchReflectionForm(request.POST or None, item=item)
        if item.kind == CatalogItem.Kind.STRETCH
        else ReflectionForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_complete(actor=request.user, enrollment=enrollment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Well done: “{item}” is complete, and it counts as evidence for its skills.")
            return redirect("learning:item", item_id=item.pk)
    return render(
        request, "learning/complete.html", {"item": item, "form": form}, status=400 if request.method == "POST" else 200
    )


def _change_enrollment(request: AuthedRequest, item_id: int, service: Any, done: str) -> HttpResponse:
    """Run an enrolment service on the signed-in person's enrolment in the item, then back to the item;
    `done` is the success message, with `{item}` for the item's title."""
    item, enrollment = _my_enrollment(request, item_id)
    if enrollment is None:
        raise Http404
    try:
        service(actor=request.user, enrollment=enrollment)
        messages.success(request, done.format(item=item))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:item", item_id=item.pk)


@login_required
@require_POST
def drop(request: AuthedRequest, item_id: int) -> HttpResponse:
    return _change_enrollment(
        request, item_id, enrollment_drop, "You dropped “{item}”. You can enrol again at any time."
    )


@login_required
@require_POST
def retake(request: AuthedRequest, item_id: int) -> HttpResponse:
    return _change_enrollment(
        request, item_id, enrollment_retake, "You are taking “{item}” again; your earlier completion still counts."
    )


@login_required
@require_POST
def session_book_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("item"), pk=session_id)
    item = selectors.item_get(actor=request.user, item_id=session.item_id)
    try:
        booking = session_book(actor=request.user, session=session)
        messages.success(
            request,
            "You have a seat."
            if booking.status == "booked"
            else "The session is full: you are on the waitlist and get the next free seat.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:item", item_id=item.pk)


@login_required
@require_POST
def booking_cancel_view(request: AuthedRequest, booking_id: int) -> HttpResponse:
    booking = policy.get_or_404(request.user, "cancel", Booking.objects.select_related("session__item"), pk=booking_id)
    try:
        booking_cancel(actor=request.user, booking=booking)
        messages.success(request, "Booking cancelled.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:item", item_id=booking.session.item_id)


@login_required
@require_safe
def session_roster(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Who booked, and (once it started) who came: for the presenter, the item's owner and the L&D team."""
    session = selectors.session_get(actor=request.user, session_id=session_id, action="take_attendance")
    return render(request, "learning/roster.html", _roster_context(session))


def _roster_context(session: Any, follow_up: Any = None) -> dict[str, Any]:
    return {
        "session": session,
        "bookings": selectors.roster(session),
        "started": session.starts_at <= timezone.now(),
        "follow_up": follow_up,
    }


@login_required
@require_POST
def session_follow_up_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    """The recording and write-up of a session that took place (from its roster page)."""
    session = selectors.session_get(actor=request.user, session_id=session_id, action="take_attendance")
    try:
        session_follow_up(
            actor=request.user,
            session=session,
            recording_url=request.POST.get("recording_url", ""),
            write_up=request.POST.get("write_up", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "learning/roster.html", _roster_context(session, request.POST), status=400)
    messages.success(request, "Saved: the recording and write-up are on the item's page.")
    return redirect("learning:session_roster", session_id=session.pk)


@login_required
@require_POST
def session_attendance(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, session_id=session_id, action="take_attendance")
    booking_id = parse_id(request.POST.get("booking"))
    if booking_id is None:
        raise Http404
    booking = get_object_or_404(Booking.objects.select_related("person"), session=session, pk=booking_id)
    try:
        booking_mark_attendance(actor=request.user, booking=booking, attended=request.POST.get("attended") == "yes")
        messages.success(request, f"{booking.person.display_name}: saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learning:session_roster", session_id=session.pk)


# --- Scheduling sessions (the item's owner and the L&D team) --------------------------------------


def _schedulable(request: AuthedRequest, item_id: int) -> CatalogItem:
    item = policy.get_or_404(request.user, "schedule", CatalogItem.objects.all(), pk=item_id)
    if item.kind not in SCHEDULED_KINDS:
        raise Http404
    return item


def _ran(form: Any, service: Any) -> bool:
    """Run a service for a valid form; its ValidationError goes onto the form's fields."""
    try:
        service()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


def _session_fields(form: SessionForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in SESSION_FORM_FIELDS}


SESSION_FORM_FIELDS = ("starts_at", "ends_at", "time_zone", "capacity", "location", "online_url", "presenter")


@login_required
def item_sessions(request: AuthedRequest, item_id: int) -> HttpResponse:
    """The item's sessions to come, each to change or cancel, and a form to schedule another."""
    item = _schedulable(request, item_id)
    people = selectors.pickable_people(actor=request.user)
    form = SessionForm(request.POST or None, people=people, initial={"time_zone": request.user.time_zone})
    create = lambda: session_create(actor=request.user, item=item, **_session_fields(form))  # noqa: E731
    if request.method == "POST" and form.is_valid() and _ran(form, create):
        messages.success(request, "Session scheduled: people can book it on the item's page.")
        return redirect("learning:item_sessions", item_id=item.pk)
    context = {"item": item, "form": form, "sessions": selectors.sessions_to_manage(item=item)}
    return render(request, "learning/sessions.html", context, status=400 if request.method == "POST" else 200)


@login_required
def session_edit(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, session_id=session_id, action="change")
    if session.cancelled_at is not None:
        raise Http404
    people = selectors.pickable_people(actor=request.user)
    form = SessionForm(request.POST or None, people=people, session=session)
    update = lambda: session_update(actor=request.user, session=session, **_session_fields(form))  # noqa: E731
    if request.method == "POST" and form.is_valid() and _ran(form, update):
        messages.success(request, "Saved. Everyone booked was told, and their calendars update.")
        return redirect("learning:item_sessions", item_id=session.item_id)
    context = {"session": session, "form": form, "cancel_form": SessionCancelForm()}
    return render(request, "learning/session_edit.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def session_cancel_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, session_id=session_id, action="cancel")
    form = SessionCancelForm(request.POST)
    cancel = lambda: session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])  # noqa: E731
    if form.is_valid() and _ran(form, cancel):
        messages.success(request, "Session cancelled. Everyone booked or waiting was told.")
        return redirect("learning:item_sessions", item_id=session.item_id)
    people = selectors.pickable_people(actor=request.user)
    context = {"session": session, "form": SessionForm(people=people, session=session), "cancel_form": form}
    return render(request, "learning/session_edit.html", context, status=400)


def _percent(raw: str) -> int:
    """The typed percentage, or -1 (which the service refuses with its own message) when it is not one."""
    number = parse_int(raw, high=100)
    return -1 if number is None else number
