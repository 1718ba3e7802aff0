from django.conf import settings
from django.db import models

# The client learnloop itself records its learning events as (lrs/events.py); it has no usable secret.
INTERNAL_CLIENT_KEY = "learnloop-internal"


class Client(models.Model):
    """A system (course player, authoring tool, script) that talks to the LRS with HTTP Basic credentials."""

    name = models.CharField(max_length=100, unique=True)
    key = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=True)
    # Read only the statements this client wrote itself (a course package, not an analytics tool).
    own_statements_only = models.BooleanField(default=False)
    # The xAPI version its content speaks; answers requests that name none (their 400 must say one).
    xapi_version = models.CharField(max_length=5, choices=[("1.0.3", "1.0.3"), ("2.0.0", "2.0.0")], default="2.0.0")
    # Activity IRI prefixes this client is trusted for: only its statements about activities under one
    # of them move enrolments and skill evidence (any client may write statements; they are all stored).
    trusted_activity_prefixes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> list[str]:
        return [name for name, on in (("read", self.can_read), ("write", self.can_write)) if on]

    @property
    def reads_all(self) -> bool:
        """Whether its reach is every statement; else only its own, for reading, voiding and attachment
        content. A write-only client voids only what it wrote, as it may read nothing."""
        return self.can_read and not self.own_statements_only

    def trusts(self, activity_id: str) -> bool:
        """Whether its statements about this activity may move learning (enrolments, skill evidence).
        learnloop's own client is trusted for everything it records."""
        if self.key == INTERNAL_CLIENT_KEY:
            return True
        return any(activity_id.startswith(prefix) for prefix in self.trusted_activity_prefixes)


class Statement(models.Model):
    """One xAPI statement as stored: the full JSON plus the columns every query filters on.

    `seq` orders statements by arrival; paging walks it, so a page boundary never moves when new
    statements come in. Statements are immutable: only `voided` changes, when a voiding statement
    arrives.

    Agents are stored under one key each (`learnloop.lrs.agents.agent_key`: an `mbox` is folded into
    its `mbox_sha1sum` form), so an agent filter is one equality per column whichever form named it.
    The actor, an agent object and the authority (the client that sent the statement) are columns;
    only the other agents and activities a statement mentions go to the two side tables.
    """

    seq = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(unique=True)
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    actor_key = models.CharField(max_length=400)
    verb_id = models.CharField(max_length=400)
    object_type = models.CharField(max_length=20)
    # Activity IRI, agent key, or the referenced statement's id, by object_type.
    object_ref = models.CharField(max_length=400)
    registration = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)
    # The statement a StatementRef object points at (for voiding, and for filters that follow references).
    object_statement = models.UUIDField(null=True, blank=True)
    # The client whose account is the statement's authority (the LRS sets the authority itself).
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements", db_index=False
    )
    # The learnloop person the actor is, when the actor is one of ours (by email or account).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    version = models.CharField(max_length=10)
    data = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["actor_key", "-seq"], name="stmt_actor_idx"),
            models.Index(fields=["verb_id", "-seq"], name="stmt_verb_idx"),
            models.Index(fields=["object_ref", "-seq"], name="stmt_object_idx"),
            models.Index(
                fields=["registration", "-seq"],
                condition=models.Q(registration__isnull=False),
                name="stmt_registration_idx",
            ),
            # since/until pages (selectors._windowed): live statements by `stored`, with `seq` to order a
            # window's page without reading its rows; voided statements are never listed.
            models.Index(fields=["stored", "seq"], condition=models.Q(voided=False), name="stmt_stored_live_idx"),
            # Statements by outside agents (most of them) have no person and need no entry here.
            models.Index(fields=["person", "-seq"], condition=models.Q(person__isnull=False), name="stmt_person_idx"),
            # A client's statements (own-only readers, related_agents on the authority), newest first.
            models.Index(fields=["client", "-seq"], name="stmt_client_idx"),
            # Only statements that reference another (few): filters follow references from these.
            models.Index(fields=["-seq"], condition=models.Q(object_statement__isnull=False), name="stmt_refs_idx"),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


# Side rows are written only by statements_store, in the transaction that writes their statement, and
# statements are never deleted (the ORM still cascades if one is). A database constraint would add a
# check per side row at commit, thousands per batch and about a fifth of a batch's database time, and
# its index would serve no query: reads go through the (value, statement) index.


class StatementActivity(models.Model):
    """The activities a statement mentions besides its object (context activities, sub-statement), for
    `related_activities`. The object itself is `Statement.object_ref`."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="activities", db_index=False, db_constraint=False
    )
    activity_id = models.CharField(max_length=400)

    class Meta:
        indexes = [models.Index(fields=["activity_id", "statement"], name="stmt_activity_idx")]

    def __str__(self) -> str:
        return self.activity_id


class StatementAgent(models.Model):
    """The agents a statement mentions besides its actor and agent object (group members, instructor,
    team, context agents, sub-statement), by agent key, for `related_agents`. The authority is the
    statement's client; only a statement stored without a client keeps its authority here."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="agents", db_index=False, db_constraint=False
    )
    agent_key = models.CharField(max_length=400)

    class Meta:
        indexes = [models.Index(fields=["agent_key", "statement"], name="stmt_agent_idx")]

    def __str__(self) -> str:
        return self.agent_key


class Attachment(models.Model):
    """Attachment content, stored once per SHA-2 however many statements carry it."""

    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.sha2


class AttachmentSender(models.Model):
    """A client that sent an attachment's content itself. A client that reads only its own statements
    gets back only content it sent: declaring another client's SHA-2 in a statement of its own (with a
    fileUrl, so no content is needed) must not hand it that client's bytes."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="senders")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "attachment"], name="lrs_attachment_sender_unique")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.attachment_id}"


class Activity(models.Model):
    """The canonical definition of an activity, kept current from the statements that describe it."""

    activity_id = models.CharField(max_length=400, unique=True)
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.activity_id


class Document(models.Model):
    """A state, activity profile or agent profile document (opaque content with an ETag).

    A client that reads only its own statements keeps its documents in a space of its own (`owner`):
    it reaches no other client's documents, and no other client reaches its. Every other client shares
    the common space (`owner` empty).
    """

    class Kind(models.TextChoices):
        STATE = "state", "State"
        ACTIVITY_PROFILE = "activity_profile", "Activity profile"
        AGENT_PROFILE = "agent_profile", "Agent profile"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    document_id = models.CharField(max_length=400)
    activity_id = models.CharField(max_length=400, blank=True)
    agent_ifi = models.CharField(max_length=400, blank=True)
    registration = models.CharField(max_length=36, blank=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()
    # Indexed by lrs_document_owned_unique, which leads with it.
    owner = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_ifi", "registration", "document_id"],
                condition=models.Q(owner__isnull=True),
                name="lrs_document_unique",
            ),
            models.UniqueConstraint(
                fields=["owner", "kind", "activity_id", "agent_ifi", "registration", "document_id"],
                condition=models.Q(owner__isnull=False),
                name="lrs_document_owned_unique",
            ),
        ]
        indexes = [models.Index(fields=["kind", "activity_id", "agent_ifi", "updated"], name="lrs_document_list_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id}"
