"""Statement storage, step 2 of 3: rewrite stored statements under agent keys and rebuild the side tables.

Walks the statements in `seq` order, in chunks. The rules are copied here (not imported) so that this
migration keeps meaning what it meant when it was written:

- `actor_key`, and `object_ref` for agent objects, become agent keys (an `mbox` folded into its SHA-1);
- `statement_agent` keeps only the agents besides the actor and an agent object (members, instructor,
  team, context agents, sub-statement), and the authority only of statements stored without a client;
- `statement_activity` keeps only the activities besides the object (context, sub-statement).
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import migrations

CHUNK = 2000


def _agent_ifi(agent: dict[str, Any]) -> str:
    if "mbox" in agent:
        return f"mbox:{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"mbox_sha1sum:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return ""


def _agent_key(agent: dict[str, Any]) -> str:
    if "mbox" in agent:
        return "mbox_sha1sum:" + hashlib.sha1(str(agent["mbox"]).encode()).hexdigest()  # noqa: S324
    return _agent_ifi(agent)


def _members(agent: dict[str, Any]) -> Iterable[str]:
    for member in agent.get("member", []) or []:
        yield _agent_key(member)


def _with_members(agent: dict[str, Any]) -> Iterable[str]:
    yield _agent_key(agent)
    yield from _members(agent)


def _context_agents(context: dict[str, Any]) -> Iterable[str]:
    for key in ("instructor", "team"):
        if key in context:
            yield from _with_members(context[key])
    for entry in context.get("contextAgents", []) or []:
        yield from _with_members(entry["agent"])
    for entry in context.get("contextGroups", []) or []:
        yield from _with_members(entry["group"])


def _side_agents(statement: dict[str, Any], *, authority: bool) -> set[str]:
    keys = list(_members(statement["actor"]))
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        keys.extend(_members(obj))
    elif kind == "SubStatement":
        keys.extend(_with_members(obj["actor"]))
        if obj["object"].get("objectType", "Activity") in ("Agent", "Group"):
            keys.extend(_with_members(obj["object"]))
        keys.extend(_context_agents(obj.get("context") or {}))
    keys.extend(_context_agents(statement.get("context") or {}))
    if authority and "authority" in statement:
        keys.extend(_with_members(statement["authority"]))
    return {key for key in keys if key}


def _context_activities(context: dict[str, Any]) -> Iterable[str]:
    for entry in (context.get("contextActivities") or {}).values():
        for activity in entry if isinstance(entry, list) else [entry]:
            yield activity["id"]


def _side_activities(statement: dict[str, Any]) -> set[str]:
    ids = list(_context_activities(statement.get("context") or {}))
    obj = statement["object"]
    if obj.get("objectType", "Activity") == "SubStatement":
        if obj["object"].get("objectType", "Activity") == "Activity":
            ids.append(obj["object"]["id"])
        ids.extend(_context_activities(obj.get("context") or {}))
    return set(ids)


def forwards(apps: Any, schema_editor: Any) -> None:
    Statement = apps.get_model("lrs", "Statement")
    StatementAgent = apps.get_model("lrs", "StatementAgent")
    StatementActivity = apps.get_model("lrs", "StatementActivity")
    last = 0
    while True:
        chunk = list(
            Statement.objects.filter(seq__gt=last)
            .order_by("seq")
            .only("seq", "data", "object_type", "object_ref", "actor_key", "client_id")[:CHUNK]
        )
        if not chunk:
            return
        first, last = chunk[0].seq, chunk[-1].seq
        changed, agents, activities = [], [], []
        for row in chunk:
            data = row.data
            actor_key = _agent_key(data["actor"])
            object_ref = _agent_key(data["object"]) if row.object_type in ("Agent", "Group") else row.object_ref
            if (actor_key, object_ref) != (row.actor_key, row.object_ref):
                row.actor_key, row.object_ref = actor_key, object_ref
                changed.append(row)
            for key in sorted(_side_agents(data, authority=row.client_id is None)):
                agents.append(StatementAgent(statement_id=row.seq, agent_key=key))
            for activity_id in sorted(_side_activities(data)):
                activities.append(StatementActivity(statement_id=row.seq, activity_id=activity_id))
        Statement.objects.bulk_update(changed, ["actor_key", "object_ref"], batch_size=500)
        StatementAgent.objects.filter(statement_id__gte=first, statement_id__lte=last).delete()
        StatementActivity.objects.filter(statement_id__gte=first, statement_id__lte=last).delete()
        StatementAgent.objects.bulk_create(agents, batch_size=500)
        StatementActivity.objects.bulk_create(activities, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("lrs", "0004_statement_keys_schema")]

    operations = [migrations.RunPython(forwards, elidable=False)]
