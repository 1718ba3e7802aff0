"""`learnloop import skills FILE.csv`: load a skills taxonomy, from ESCO or learnloop's simple format.

ESCO's skills file (for example `skills_en.csv` from the ESCO download service) is recognised by its
`conceptUri` and `preferredLabel` columns; `altLabels` (one per line) become synonyms and
`description` the description; its other columns are ignored. Skills are matched to existing ones by
their ESCO URI, so importing a newer ESCO release updates them.

The simple format has the columns `name` (required), `category`, `description` and `synonyms`
(separated by `|`), and matches existing skills by name.

All or nothing: every row is checked first, every problem reported with its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.db import transaction

from learnloop.core.audit import audit_event_build
from learnloop.core.bulk import rows_update
from learnloop.core.csv_import import ImportRejected, Progress, RowError, no_progress, read_rows
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import version_bump
from learnloop.people.models import Person
from learnloop.skills.models import Skill, SkillCategory
from learnloop.skills.services import clean_synonyms, search_text

ESCO_REQUIRED = ("conceptUri", "preferredLabel")
SIMPLE_REQUIRED = ("name",)
SIMPLE_COLUMNS = ("name", "category", "description", "synonyms")
MAX_NAME = 200


@dataclass
class SkillImportResult:
    format: str = "simple"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _is_http_uri(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _parse(
    header: list[str], raw_rows: list[dict[str, str]], errors: list[RowError], progress: Progress
) -> tuple[str, list[dict[str, Any]]]:
    esco = "conceptUri" in header
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rows):
        if index % 1000 == 0:
            progress("checking", index, len(raw_rows))
        line = index + 2
        value = {k: (raw.get(k) or "").strip() for k in raw if k is not None}
        if esco:
            name, uri = value.get("preferredLabel", ""), value.get("conceptUri", "")
            synonyms = [s for s in (raw.get("altLabels") or "").splitlines()]
            key_column, key = "conceptUri", uri
            if not uri:
                errors.append(RowError(line, "conceptUri", "is required"))
            elif not _is_http_uri(uri):
                errors.append(RowError(line, "conceptUri", f"{uri!r} is not an http(s) URI"))
            name_column = "preferredLabel"
        else:
            name, uri = value.get("name", ""), ""
            synonyms = [s for s in (raw.get("synonyms") or "").split("|")]
            key_column, key = "name", name.lower()
            name_column = "name"
        if not name:
            errors.append(RowError(line, name_column, "is required"))
        elif len(name) > MAX_NAME:
            errors.append(RowError(line, name_column, f"is longer than {MAX_NAME} characters"))
        if key and key in seen:
            errors.append(RowError(line, key_column, f"already appears on line {seen[key]}"))
        seen.setdefault(key, line)
        rows.append(
            {
                "line": line,
                "name": name,
                "uri": uri or None,
                "description": value.get("description", ""),
                "category": value.get("category", ""),
                "synonyms": clean_synonyms(synonyms, name=name),
            }
        )
    return ("esco" if esco else "simple"), rows


def skills_import(
    *, actor: Person | None, text: str, progress: Progress = no_progress, source: str = AuditEvent.Source.CLI
) -> SkillImportResult:
    errors: list[RowError] = []
    header, raw_rows = read_rows(text, errors, required=())
    if header and "conceptUri" not in header and "name" not in header:
        errors.append(
            RowError(1, "header", "needs either ESCO's conceptUri and preferredLabel columns or a name column")
        )
    elif "conceptUri" in header and "preferredLabel" not in header:
        errors.append(RowError(1, "header", "an ESCO file needs a preferredLabel column"))
    elif "name" in header and "conceptUri" not in header:
        unknown = [c for c in header if c not in SIMPLE_COLUMNS]
        if unknown:
            errors.append(
                RowError(1, "header", f"unknown column(s): {', '.join(unknown)}; known: {', '.join(SIMPLE_COLUMNS)}")
            )
    if errors:
        raise ImportRejected(errors)
    kind, rows = _parse(header, raw_rows, errors, progress)
    progress("checking", len(rows), len(rows))

    by_uri = {s.esco_uri: s for s in Skill.objects.filter(esco_uri__in=[r["uri"] for r in rows if r["uri"]])}
    by_name = {
        s.name.lower(): s
        for s in Skill.objects.all().only("id", "name", "esco_uri", "description", "synonyms", "category_id")
    }
    for row in rows:
        match = by_uri.get(row["uri"]) if kind == "esco" else by_name.get(row["name"].lower())
        clash = by_name.get(row["name"].lower())
        if kind == "esco" and clash is not None and (match is None or clash.pk != match.pk):
            errors.append(
                RowError(row["line"], "preferredLabel", f"a different skill is already called {row['name']!r}")
            )
        row["match"] = match
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.line, e.column)))

    result = SkillImportResult(format=kind, rows=len(rows))
    # Announced before the transaction: a web import's job row shows this stage while the write runs.
    progress("writing", 0, len(rows))
    with transaction.atomic():
        categories = {c.name: c for c in SkillCategory.objects.all()}
        events: list[AuditEvent] = []
        creates: list[Skill] = []
        updates: list[Skill] = []
        for index, row in enumerate(rows):
            category = None
            if row["category"]:
                category = categories.get(row["category"])
                if category is None:
                    category = categories[row["category"]] = SkillCategory.objects.create(name=row["category"])
            skill: Skill | None = row["match"]
            if skill is None:
                creates.append(
                    Skill(
                        name=row["name"],
                        esco_uri=row["uri"],
                        description=row["description"],
                        synonyms=row["synonyms"],
                        category=category,
                        search_text=search_text(row["name"], row["synonyms"]),
                    )
                )
            else:
                wanted = {
                    "name": row["name"],
                    "description": row["description"] or skill.description,
                    "synonyms": row["synonyms"] or skill.synonyms,
                    "category_id": category.pk if category else skill.category_id,
                }
                diff = {k: [getattr(skill, k), v] for k, v in wanted.items() if getattr(skill, k) != v}
                if diff:
                    for key, value in wanted.items():
                        setattr(skill, key, value)
                    skill.search_text = search_text(skill.name, skill.synonyms)
                    updates.append(skill)
                    events.append(
                        audit_event_build(actor=actor, action="skill.update", target=skill, changes=diff, source=source)
                    )
                    result.updated += 1
                else:
                    result.unchanged += 1
            if index % 1000 == 0:
                progress("writing", index, len(rows))
        Skill.objects.bulk_create(creates, batch_size=1000)
        rows_update(updates, ["name", "description", "synonyms", "category", "search_text"])
        created = Skill.objects.filter(name__in=[s.name for s in creates])
        events.extend(
            audit_event_build(
                actor=actor, action="skill.create", target=s, changes={"name": [None, s.name]}, source=source
            )
            for s in created
        )
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        result.created = len(creates)
        # Bulk writes send no per-row signals: retire cached skill and catalog answers here.
        version_bump("skills")
        version_bump("catalog")
        progress("writing", len(rows), len(rows))
    return result
