"""Full-text search of the catalog: one interface, one implementation per database.

- SQLite: an FTS5 table (`learning_catalogitem_fts`) mirrors the searchable columns through triggers and
  ranks with BM25. Every word matches by prefix ("facilitat" finds "facilitation" and "facilitating").
- PostgreSQL: a GIN index on the `simple` tsvector (lower-cased words, no stemming) of the same
  columns; every word matches by prefix (`word:*`) and results rank with ts_rank. Stemming is left out
  on purpose: PostgreSQL does not stem a prefix, so "facilitat:*" would miss the stem "facilit".

On both, the query is built from the words of the text only, so what people type is never query syntax.

The PostgreSQL index is created from `search_vector()`, the very expression the queries filter on, so
the planner uses it.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from learnloop.learning.models import CatalogItem

FTS_TABLE = "learning_catalogitem_fts"
SEARCHED_COLUMNS = ("title", "summary", "audience", "author")
_WORD = re.compile(r"\w+", re.UNICODE)


def search_vector() -> SearchVector:
    return SearchVector(*SEARCHED_COLUMNS, config="simple")


def _fts5_query(text: str) -> str:
    """Every word must match, each as a quoted prefix, so user input can never be FTS5 syntax."""
    return " ".join(f'"{word}"*' for word in _WORD.findall(text.lower()))


def search(items: QuerySet[CatalogItem], text: str) -> QuerySet[CatalogItem]:
    """`items` that match `text`, best first. Blank text leaves the queryset as it is."""
    if not _WORD.search(text):
        return items
    if connection.vendor == "postgresql":
        raw = " & ".join(f"{word}:*" for word in _WORD.findall(text.lower()))
        query = SearchQuery(raw, config="simple", search_type="raw")
        return (
            items.annotate(search=search_vector(), rank=SearchRank(search_vector(), query))
            .filter(search=query)
            .order_by("-rank", "title")
        )
    fts_query = _fts5_query(text)
    matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (fts_query,))  # noqa: S608
    # bm25() is lower for better matches; the correlated lookup runs only for matching rows.
    rank = RawSQL(
        f"SELECT bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = learning_catalogitem.id",  # noqa: S608
        (fts_query,),
        output_field=FloatField(),
    )
    return items.filter(pk__in=matching).annotate(rank=rank).order_by(F("rank").asc(nulls_last=True), "title")
