"""Background work of accounts: the password-reset email."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learnloop.core.tasks import durable_task
from learnloop.people.models import Person


@durable_task(queue_name="email")
def password_reset_email_send(*, person_id: int, domain: str, protocol: str) -> None:
    """Build the reset link here, in the worker, and send it: the task row (its arguments stay in the
    task table, which org admins read) holds only the person's id, never a link that signs them in."""
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email:
        return
    context = {
        "email": person.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "user": person,
        "token": default_token_generator.make_token(person),
        "protocol": protocol,
    }
    subject = "".join(loader.render_to_string("accounts/password_reset_subject.txt", context).splitlines())
    body = loader.render_to_string("accounts/password_reset_email.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[person.email]).send(fail_silently=False)
