"""Private words stay with their audience: audit events (read by people admins) record that a private
field changed, never what it says (core/audit.py PRIVATE_FIELDS)."""

from django.test import Client

from learnloop.core.audit import PRIVATE_FIELDS, PRIVATE_MASK, audit_record, mask_private
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.plans import services
from learnloop.plans.models import TransferCheck
from learnloop.plans.tests.test_transfer import NOW, _completed
from learnloop.plans.transfer import transfer_checks_create

SECRET_WORDS = "my manager never lets me try the new approach"


def test_a_transfer_check_answer_is_masked_in_the_audit_trail_and_its_page(personas: Personas) -> None:
    _completed(personas.alice)
    transfer_checks_create(now=NOW)
    check = TransferCheck.objects.get(respondent=personas.alice)
    services.transfer_check_answer(actor=personas.alice, check=check, applied="not_yet", how=SECRET_WORDS)
    event = AuditEvent.objects.get(action="transfer_check.answer")
    assert event.changes["how"] == ["", PRIVATE_MASK]
    assert event.changes["applied"] == ["", "not_yet"]  # not private: the summary counts it
    client = Client()
    client.force_login(personas.pat)
    page = client.get("/admin-area/audit/")
    assert page.status_code == 200
    assert SECRET_WORDS not in page.content.decode()
    assert not AuditEvent.objects.filter(changes__icontains="never lets me").exists()


def test_every_registered_private_field_is_masked_and_empty_stays_empty(personas: Personas) -> None:
    for label, fields in PRIVATE_FIELDS.items():
        changes = {name: ["old words", "new words"] for name in fields} | {"status": ["a", "b"]}
        masked = mask_private(label, changes)
        assert all(masked[name] == [PRIVATE_MASK, PRIVATE_MASK] for name in fields), label
        assert masked["status"] == ["a", "b"]
        assert mask_private(label, {name: [None, ""] for name in fields}) == {name: [None, ""] for name in fields}


def test_the_registry_names_real_fields() -> None:
    from django.apps import apps

    for label, fields in PRIVATE_FIELDS.items():
        model = apps.get_model(label)
        for name in fields:
            model._meta.get_field(name)


def test_audit_record_masks_whatever_a_service_passes(personas: Personas) -> None:
    from learnloop.plans.models import TransferCheck as Check

    check = Check(pk=1)
    event = audit_record(actor=None, action="x", target=check, changes={"how": ["a", "b"]})
    assert event.changes == {"how": [PRIVATE_MASK, PRIVATE_MASK]}
