"""xAPI statement validation (xAPI 1.0.3 and 2.0, IEEE 9274.1.1-2023).

Every problem is reported with the path of the offending property (`object.definition.name`), so a
client learns exactly what to fix. The validator never trusts types: a statement is arbitrary JSON
until this module has walked all of it.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from django.utils.dateparse import parse_datetime

from learnloop.core.bounds import MAX_YEAR, MIN_YEAR, year_in_range

SUPPORTED_VERSIONS = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")
_VERSION = re.compile(r"^(1\.0|2\.0)(\.\d+)?$")
# RFC 5646 language tag (simplified but strict enough to reject garbage such as "a12345678").
_LANGUAGE_TAG = re.compile(
    r"^(?:[a-zA-Z]{2,3}(?:-[a-zA-Z]{3}){0,3}|[a-zA-Z]{4,8})"
    r"(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|\d{3}))?(?:-(?:[a-zA-Z\d]{5,8}|\d[a-zA-Z\d]{3}))*"
    r"(?:-[0-9a-wy-zA-WY-Z](?:-[a-zA-Z\d]{2,8})+)*(?:-x(?:-[a-zA-Z\d]{1,8})+)?$|^x(?:-[a-zA-Z\d]{1,8})+$"
)
_IRI_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:\S*$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
_MIME = re.compile(r"^[\w.+\-]+/[\w.+\-]+(?:\s*;.*)?$")
# ISO 8601:2004 4.4.3.2: weeks ("P4W") are a format of their own and never combine with other units.
_DURATION = re.compile(
    r"^P\d+(?:\.\d+)?W$|"
    r"^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_DURATION_SECONDS = re.compile(r"(\d+)\.(\d+)S$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$")
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
INTERACTION_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")


class StatementInvalid(ValueError):
    """A statement (or a document request) breaks the specification; `path` names the property."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


def _fail(path: str, message: str) -> NoReturn:
    raise StatementInvalid(path, message)


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    return value


def _only(value: dict[str, Any], path: str, allowed: tuple[str, ...] | set[str]) -> None:
    for key in value:
        if key not in allowed:
            _fail(f"{path}.{key}" if path else key, "is not a property allowed here")


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(path, "must be true or false")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits: JSON allows it, a float cannot hold it
        _fail(path, "is too large a number")
    if not math.isfinite(number):
        _fail(path, "must be a finite number")
    return number


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(_IRI_SCHEME.match(value))


def _iri(value: Any, path: str) -> str:
    if not is_iri(value):
        _fail(path, f"must be an absolute IRI (got {value!r})")
    return str(value)


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _uuid(value: Any, path: str) -> str:
    if not is_uuid(value):
        _fail(path, f"must be a UUID (got {value!r})")
    return str(value)


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and bool(_LANGUAGE_TAG.match(value))


def _language_map(value: Any, path: str) -> None:
    for tag, text in _object(value, path).items():
        if not is_language_tag(tag):
            _fail(f"{path}.{tag}", "is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")


def _extensions(value: Any, path: str) -> None:
    for key in _object(value, path):
        if not is_iri(key):
            _fail(f"{path}.{key}", "extension keys must be IRIs")


def is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or not _ISO_TIMESTAMP.match(value):
        return False
    # "-00:00" means "offset unknown" in RFC 3339 and is not allowed by xAPI.
    if value.endswith("-00:00") or value.endswith("-0000") or value.endswith("-00"):
        return False
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return False
    # Outside these years the conversion to UTC can overflow (year 1 at +05:00 is before year 1 in UTC).
    return parsed is not None and year_in_range(parsed)


def _timestamp(value: Any, path: str) -> None:
    if not is_timestamp(value):
        _fail(path, f"must be an ISO 8601 timestamp with a time zone, years {MIN_YEAR}-{MAX_YEAR} (got {value!r})")


# --- Actors ---------------------------------------------------------------------------------------

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def _ifis(actor: dict[str, Any], path: str) -> list[str]:
    found = [key for key in IFI_KEYS if key in actor]
    for key in found:
        value = actor[key]
        if key == "mbox":
            if not isinstance(value, str) or not value.startswith("mailto:") or "@" not in value:
                _fail(f"{path}.mbox", "must be a mailto: IRI such as mailto:someone@example.com")
        elif key == "mbox_sha1sum":
            if not isinstance(value, str) or not _SHA1.match(value):
                _fail(f"{path}.mbox_sha1sum", "must be the hex SHA-1 of a mailto: IRI")
        elif key == "openid":
            _iri(value, f"{path}.openid")
        else:
            account = _object(value, f"{path}.account")
            _only(account, f"{path}.account", ("homePage", "name"))
            if "homePage" not in account:
                _fail(f"{path}.account.homePage", "is required")
            if "name" not in account:
                _fail(f"{path}.account.name", "is required")
            _iri(account["homePage"], f"{path}.account.homePage")
            _string(account["name"], f"{path}.account.name")
    return found


def validate_agent(value: Any, path: str, *, object_type_required: bool = False) -> None:
    agent = _object(value, path)
    _only(agent, path, ("objectType", "name", *IFI_KEYS))
    if object_type_required and agent.get("objectType") != "Agent":
        _fail(f"{path}.objectType", 'must be "Agent"')
    if "objectType" in agent and agent["objectType"] != "Agent":
        _fail(f"{path}.objectType", 'must be "Agent"')
    if "name" in agent:
        _string(agent["name"], f"{path}.name")
    if len(_ifis(agent, path)) != 1:
        _fail(path, "an Agent needs exactly one of mbox, mbox_sha1sum, openid or account")


def validate_group(value: Any, path: str) -> None:
    group = _object(value, path)
    _only(group, path, ("objectType", "name", "member", *IFI_KEYS))
    if group.get("objectType") != "Group":
        _fail(f"{path}.objectType", 'must be "Group"')
    if "name" in group:
        _string(group["name"], f"{path}.name")
    ifis = _ifis(group, path)
    if len(ifis) > 1:
        _fail(path, "a Group has at most one of mbox, mbox_sha1sum, openid or account")
    if "member" in group:
        members = group["member"]
        if not isinstance(members, list):
            _fail(f"{path}.member", "must be an array of Agents")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            if isinstance(member, dict) and member.get("objectType") == "Group":
                _fail(member_path, "a Group cannot contain a Group")
            validate_agent(member, member_path)
    if not ifis and not group.get("member"):
        _fail(f"{path}.member", "an anonymous Group (no identifier) must list its members")


def validate_actor(value: Any, path: str) -> None:
    actor = _object(value, path)
    if actor.get("objectType") == "Group":
        validate_group(actor, path)
    else:
        validate_agent(actor, path)


# --- Verb and object ------------------------------------------------------------------------------


def validate_verb(value: Any, path: str = "verb") -> None:
    verb = _object(value, path)
    _only(verb, path, ("id", "display"))
    if "id" not in verb:
        _fail(f"{path}.id", "is required")
    _iri(verb["id"], f"{path}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{path}.display")


def _interaction_components(value: Any, path: str) -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array of interaction components")
    seen: set[str] = set()
    for index, component in enumerate(value):
        item_path = f"{path}[{index}]"
        item = _object(component, item_path)
        _only(item, item_path, ("id", "description"))
        if "id" not in item:
            _fail(f"{item_path}.id", "is required")
        ident = _string(item["id"], f"{item_path}.id")
        if ident in seen:
            _fail(f"{item_path}.id", f"{ident!r} appears twice")
        seen.add(ident)
        if "description" in item:
            _language_map(item["description"], f"{item_path}.description")


def validate_activity_definition(value: Any, path: str) -> None:
    definition = _object(value, path)
    _only(
        definition,
        path,
        (
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *INTERACTION_COMPONENT_LISTS,
        ),
    )
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{path}.{key}")
    if "type" in definition:
        _iri(definition["type"], f"{path}.type")
    if "moreInfo" in definition:
        _iri(definition["moreInfo"], f"{path}.moreInfo")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.extensions")
    interaction = definition.get("interactionType")
    if interaction is not None and (not isinstance(interaction, str) or interaction not in INTERACTION_TYPES):
        _fail(f"{path}.interactionType", f"must be one of {', '.join(INTERACTION_TYPES)}")
    if "correctResponsesPattern" in definition:
        if interaction is None:
            _fail(f"{path}.correctResponsesPattern", "needs an interactionType")
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list):
            _fail(f"{path}.correctResponsesPattern", "must be an array of strings")
        for index, response in enumerate(pattern):
            _string(response, f"{path}.correctResponsesPattern[{index}]")
    for key in INTERACTION_COMPONENT_LISTS:
        if key in definition:
            if interaction is None:
                _fail(f"{path}.{key}", "needs an interactionType")
            if key not in INTERACTION_TYPES[interaction]:
                _fail(f"{path}.{key}", f"is not used by interactionType {interaction!r}")
            _interaction_components(definition[key], f"{path}.{key}")


def validate_activity(value: Any, path: str) -> None:
    activity = _object(value, path)
    _only(activity, path, ("objectType", "id", "definition"))
    if "objectType" in activity and activity["objectType"] != "Activity":
        _fail(f"{path}.objectType", 'must be "Activity"')
    if "id" not in activity:
        _fail(f"{path}.id", "is required")
    _iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        validate_activity_definition(activity["definition"], f"{path}.definition")


def validate_statement_ref(value: Any, path: str) -> None:
    ref = _object(value, path)
    _only(ref, path, ("objectType", "id"))
    if ref.get("objectType") != "StatementRef":
        _fail(f"{path}.objectType", 'must be "StatementRef"')
    if "id" not in ref:
        _fail(f"{path}.id", "is required")
    _uuid(ref["id"], f"{path}.id")


def validate_object(value: Any, path: str, *, in_substatement: bool = False, version: str = "1.0.3") -> None:
    obj = _object(value, path)
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        validate_activity(obj, path)
    elif kind == "Agent":
        validate_agent(obj, path)
    elif kind == "Group":
        validate_group(obj, path)
    elif kind == "StatementRef":
        validate_statement_ref(obj, path)
    elif kind == "SubStatement":
        if in_substatement:
            _fail(f"{path}.objectType", "a SubStatement cannot contain another SubStatement")
        _validate_statement_body(obj, path, substatement=True, version=version)
    else:
        _fail(f"{path}.objectType", "must be Activity, Agent, Group, StatementRef or SubStatement")


# --- Result and context ---------------------------------------------------------------------------


def validate_result(value: Any, path: str = "result") -> None:
    result = _object(value, path)
    _only(result, path, ("score", "success", "completion", "response", "duration", "extensions"))
    if "score" in result:
        score = _object(result["score"], f"{path}.score")
        _only(score, f"{path}.score", ("scaled", "raw", "min", "max"))
        numbers = {key: _number(score[key], f"{path}.score.{key}") for key in score}
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            _fail(f"{path}.score.scaled", "must be between -1 and 1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and low >= high:
            _fail(f"{path}.score.min", "must be less than max")
        if raw is not None and low is not None and raw < low:
            _fail(f"{path}.score.raw", "must not be less than min")
        if raw is not None and high is not None and raw > high:
            _fail(f"{path}.score.raw", "must not be more than max")
    for key in ("success", "completion"):
        if key in result:
            _bool(result[key], f"{path}.{key}")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result and not (isinstance(result["duration"], str) and _DURATION.match(result["duration"])):
        _fail(f"{path}.duration", "must be an ISO 8601 duration such as PT1H30M")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions")


def _context_activities(value: Any, path: str) -> None:
    activities = _object(value, path)
    _only(activities, path, CONTEXT_ACTIVITY_KEYS)
    for key, entry in activities.items():
        items = entry if isinstance(entry, list) else [entry]
        for index, item in enumerate(items):
            validate_activity(item, f"{path}.{key}[{index}]" if isinstance(entry, list) else f"{path}.{key}")


def _context_agents(value: Any, path: str, *, group: bool) -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array")
    kind = "contextGroup" if group else "contextAgent"
    member = "group" if group else "agent"
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        entry = _object(item, item_path)
        _only(entry, item_path, ("objectType", member, "relevantTypes"))
        if entry.get("objectType") != kind:
            _fail(f"{item_path}.objectType", f'must be "{kind}"')
        if member not in entry:
            _fail(f"{item_path}.{member}", "is required")
        if group:
            validate_group(entry[member], f"{item_path}.{member}")
        else:
            validate_agent(entry[member], f"{item_path}.{member}")
        if "relevantTypes" in entry:
            types = entry["relevantTypes"]
            if not isinstance(types, list) or not types:
                _fail(f"{item_path}.relevantTypes", "must be a non-empty array of IRIs")
            for type_index, iri in enumerate(types):
                _iri(iri, f"{item_path}.relevantTypes[{type_index}]")


def validate_context(value: Any, path: str, *, object_is_activity: bool, version: str) -> None:
    context = _object(value, path)
    allowed = [
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    ]
    if version.startswith("2."):
        allowed += ["contextAgents", "contextGroups"]
    _only(context, path, tuple(allowed))
    if "registration" in context:
        _uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        validate_actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        validate_group(context["team"], f"{path}.team")
    if "contextActivities" in context:
        _context_activities(context["contextActivities"], f"{path}.contextActivities")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{path}.{key}")
            if not object_is_activity:
                _fail(f"{path}.{key}", "is only allowed when the statement's object is an Activity")
    if "language" in context and not is_language_tag(context["language"]):
        _fail(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in context:
        validate_statement_ref(context["statement"], f"{path}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{path}.extensions")
    if "contextAgents" in context:
        _context_agents(context["contextAgents"], f"{path}.contextAgents", group=False)
    if "contextGroups" in context:
        _context_agents(context["contextGroups"], f"{path}.contextGroups", group=True)


def validate_attachments(value: Any, path: str = "attachments") -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array")
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        attachment = _object(item, item_path)
        _only(
            attachment, item_path, ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
        )
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                _fail(f"{item_path}.{key}", "is required")
        _iri(attachment["usageType"], f"{item_path}.usageType")
        _language_map(attachment["display"], f"{item_path}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{item_path}.description")
        if not isinstance(attachment["contentType"], str) or not _MIME.match(attachment["contentType"]):
            _fail(f"{item_path}.contentType", "must be an Internet media type such as text/plain")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            _fail(f"{item_path}.length", "must be a whole number of bytes")
        if not isinstance(attachment["sha2"], str) or not _SHA2.match(attachment["sha2"]):
            _fail(f"{item_path}.sha2", "must be the hex SHA-2 hash of the attachment")
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], f"{item_path}.fileUrl")


# --- Statements -----------------------------------------------------------------------------------

STATEMENT_KEYS = (
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
    "objectType",
)
SUBSTATEMENT_KEYS = ("objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments")


def _validate_statement_body(
    statement: dict[str, Any], path: str, *, substatement: bool, version: str = "1.0.3"
) -> None:
    prefix = f"{path}." if path else ""
    _only(statement, path, SUBSTATEMENT_KEYS if substatement else STATEMENT_KEYS)
    if not substatement and "objectType" in statement:
        _fail(f"{prefix}objectType", "is only allowed on a SubStatement")
    for key in ("actor", "verb", "object"):
        if key not in statement:
            _fail(f"{prefix}{key}", "is required")
    validate_actor(statement["actor"], f"{prefix}actor")
    validate_verb(statement["verb"], f"{prefix}verb")
    validate_object(statement["object"], f"{prefix}object", in_substatement=substatement, version=version)
    if "result" in statement:
        validate_result(statement["result"], f"{prefix}result")
    if "context" in statement:
        object_kind = _object(statement["object"], f"{prefix}object").get("objectType", "Activity")
        validate_context(
            statement["context"], f"{prefix}context", object_is_activity=object_kind == "Activity", version=version
        )
    if "timestamp" in statement:
        _timestamp(statement["timestamp"], f"{prefix}timestamp")
    if "attachments" in statement:
        validate_attachments(statement["attachments"], f"{prefix}attachments")


def validate_statement(value: Any, *, version: str = "1.0.3") -> dict[str, Any]:
    """Check one statement as a client sent it; return it unchanged or raise StatementInvalid."""
    statement = _object(value, "statement")
    _validate_statement_body(statement, "", substatement=False, version=version)
    if "id" in statement:
        _uuid(statement["id"], "id")
    if "stored" in statement:
        _timestamp(statement["stored"], "stored")
    version_value = statement.get("version")
    if "version" in statement and (not isinstance(version_value, str) or not _VERSION.match(version_value)):
        _fail("version", "must be a supported xAPI version such as 1.0.3 or 2.0.0")
    if "authority" in statement:
        authority = _object(statement["authority"], "authority")
        validate_actor(authority, "authority")
        # Data 2.4.9: a Group is only an authority for 3-legged OAuth, as an anonymous Group of exactly two
        # Agents (the application and the user).
        if authority.get("objectType") == "Group":
            if _ifis(authority, "authority"):
                _fail("authority", "a Group authority must be anonymous (the OAuth application and user as members)")
            members = authority.get("member") or []
            if len(members) != 2:
                _fail("authority.member", "a Group authority must have exactly two members (OAuth consumer and user)")
    verb_id = statement["verb"]["id"]
    if verb_id == VOIDED_VERB:
        target = statement["object"]
        if not isinstance(target, dict) or target.get("objectType") != "StatementRef":
            _fail("object", "a voiding statement's object must be a StatementRef")
    return statement


VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"


def validator_for(version: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: validate_statement(value, version=version)


# --- Normal forms ---------------------------------------------------------------------------------


def normalize_context_activities(statement: dict[str, Any]) -> None:
    """Store every contextActivities entry as an array, in the statement and any sub-statement.

    Data 2.4.6.2: "An LRS returns a ContextActivity in an array, even if only a single ContextActivity is
    returned". Doing it once on the way in keeps every reader (formats, filters, comparison) simple.
    """
    for holder in (statement, statement.get("object")):
        if not isinstance(holder, dict):
            continue
        activities = (holder.get("context") or {}).get("contextActivities")
        if isinstance(activities, dict):
            for key, entry in activities.items():
                if not isinstance(entry, list):
                    activities[key] = [entry]


def truncate_duration(duration: str) -> str:
    """The duration with seconds cut to hundredths.

    xAPI 2.0 (4.2.7): "When comparing Durations (or Statements containing them), any precision beyond
    0.01 second precision shall not be included in the comparison."
    """
    match = _DURATION_SECONDS.search(duration)
    if match is None:
        return duration
    whole, fraction = match.groups()
    fraction = fraction[:2].rstrip("0")
    return duration[: match.start()] + (f"{whole}.{fraction}S" if fraction else f"{whole}S")


def comparable_statement(statement: dict[str, Any], ignored: tuple[str, ...]) -> dict[str, Any]:
    """The statement as two statements are compared (same id, or a signature's payload): `ignored` left
    out, contextActivities as arrays, durations cut to hundredths of a second."""
    body = copy.deepcopy({key: value for key, value in statement.items() if key not in ignored})
    normalize_context_activities(body)
    for holder in (body, body.get("object")):
        if isinstance(holder, dict):
            result = holder.get("result")
            if isinstance(result, dict) and isinstance(result.get("duration"), str):
                result["duration"] = truncate_duration(result["duration"])
    return body
