"""Agent identifiers: one canonical string per agent or identified group, used for storage and filters."""

import hashlib
from typing import Any


def agent_ifi(agent: dict[str, Any]) -> str:
    """The canonical identifier ("mbox:mailto:x@y", "account:<homePage>|<name>", ...); "" for anonymous groups."""
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


def agent_ifis(agent: dict[str, Any]) -> list[str]:
    """The agent's identifier and, for mbox, the mbox_sha1sum form too, so either form finds it."""
    ifi = agent_ifi(agent)
    if "mbox" in agent:
        digest = hashlib.sha1(str(agent["mbox"]).encode(), usedforsecurity=False).hexdigest()  # xAPI defines SHA-1 here
        return [ifi, f"mbox_sha1sum:{digest}"]
    return [ifi] if ifi else []


def agent_key(agent: dict[str, Any]) -> str:
    """The one identifier statements are stored and filtered under: an mbox folded into its SHA-1 form.

    xAPI treats `mbox` and `mbox_sha1sum` of the same mailbox as the same agent, so one key per agent
    lets a single index equality find it however a statement (or a query) named it.
    """
    if "mbox" in agent:
        digest = hashlib.sha1(str(agent["mbox"]).encode(), usedforsecurity=False).hexdigest()  # xAPI defines SHA-1 here
        return f"mbox_sha1sum:{digest}"
    return agent_ifi(agent)


def identifiers_only(agent: dict[str, Any]) -> dict[str, Any]:
    """The agent reduced to objectType and its identifier (format=ids)."""
    kept: dict[str, Any] = {
        key: agent[key] for key in ("objectType", "mbox", "mbox_sha1sum", "openid", "account") if key in agent
    }
    if agent.get("objectType") == "Group" and "member" in agent and not agent_ifi(agent):
        kept["member"] = [identifiers_only(member) for member in agent["member"]]
    return kept
