# ruff: noqa: S608, S611 - table names are module constants; every value is a query parameter.
"""Procedure search: the one function the API and the portal call.

Contract (agreed between the catalogue (4a) and the portal/search work (4b)):

    search(query: str, *, sector=None, level=None, agency=None, online_level=None)
        -> QuerySet[Procedure]

- ``query``: what the citizen typed, with or without diacritics; "" means no text filter.
- ``sector``: a Sector (or its id or code); ``level``: a core Level value ("commune" ...);
  ``agency``: an Organisation (or its id or electronic code);
  ``online_level``: an OnlineLevel value.
- Returns a queryset of active Procedures, best match first, each annotated with
  ``search_rank`` (an integer, lower is better; see RANKING below).

The catalogue's services call ``index_procedures(ids)`` after every write (in the same
transaction); ``rebuild_index()`` re-creates the whole index (``egov search-index`` is not needed:
import and load-demo go through the services).

How it works
------------
Text is folded in Python (``egov.core.text.fold``: lower case, no diacritics, đ → d) and cut into
tokens of letters and digits, so both databases see the same plain ASCII words. A final "y" after
a consonant is read as "i" (kỳ/kì, lý/lí: both spellings are in use).

The index is two tables made by the portal's migrations (0001 and 0002):
- ``catalog_search_entry``: one row per procedure: its code, its name as a padded token string
  (``" dang ky khai sinh "``, a leading "thủ tục" dropped), the name's length and ``detailed``.
  On SQLite a FTS5 table ``catalog_search_fts`` (rowid = procedure id, prefix indexes for 1-3
  letters) holds the words of the name and of ``Procedure.search_text``; on PostgreSQL the entry
  row carries them as a ``tsvector`` (configuration ``simple``) with a GIN index.
- ``catalog_search_term``: the vocabulary (each word and how many procedures have it), for typo
  correction.

Matching: a procedure matches when it has every query word (FTS5 MATCH / tsvector @@), or when the
query is its exact code. Citizens search as they type, so the last word is often unfinished
("cấp hộ chi"): it matches as a prefix (FTS5 ``"chi"*`` / tsquery ``chi:*``) unless it is a number
or was corrected. Typo tolerance: a query word of three letters or more that is not in the
vocabulary (and, for the last word, that no vocabulary word starts with) is replaced by the
closest vocabulary word (Damerau-Levenshtein distance 1, or 2 for words of 7 letters or more;
ties: same first letter, then more frequent, then alphabetical), and then matches as a whole word.
If nothing matches and the query starts with a filler word citizens type ("làm", "xin",
"cách", "muốn", "tôi", "thủ tục"), the query is tried again without it.

RANKING (the same SQL expression on both databases; tiers, lower is better):
  0  the query is the procedure's code (``1.001193``)
  1  the name is the query (``đăng ký khai sinh`` for "Thủ tục đăng ký khai sinh")
  2  the name starts with the query as a phrase
  3  the name contains the query as a phrase
  4  the name contains every query word
  5  the query words are found in other fields (sectors, agencies)
With a prefix last word, "the query" in tiers 1-4 is the query completed ("cấp hộ chi" is tier 2
for "cấp hộ chiếu"). Ties: names that have the last word as a whole word first (so that a finished
"đăng ký" prefers "ký" to "kiểm"), then detailed procedures (full details loaded), then the
shorter name (the general procedure before its special cases), then the code.
Without a query (listings): detailed first, then the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL

from egov.catalog.models import Procedure, ProcedureStatus
from egov.core.text import fold

ENTRY_TABLE = "catalog_search_entry"
FTS_TABLE = "catalog_search_fts"
TERM_TABLE = "catalog_search_term"

_TOKEN = re.compile(r"[a-z0-9]+")
_CONSONANT_Y = re.compile(r"^([b-df-hj-np-tv-xz]+)y$")
_CODE = re.compile(r"^\d+\.\d+$")
_LEADING = ("thu tuc",)
# Words citizens put before what they want ("làm hộ chiếu", "xin giấy phép"): dropped only when
# the whole query finds nothing.
_FILLERS = ("thu tuc", "lam", "xin", "cach", "muon", "toi")
_MAX_TERMS = 12
_TERM_MAX = 64  # catalog_search_term.term is varchar(64)
_TIER_WEIGHT = 1_000_000
_PARTIAL_WEIGHT = 200_000  # the last word only as the start of a longer word of the name
_UNDETAILED_WEIGHT = 100_000


# --- text ----------------------------------------------------------------------------------------


def _norm(token: str) -> str:
    match = _CONSONANT_Y.match(token)
    return match.group(1) + "i" if match else token


def tokens(text: str) -> list[str]:
    """The search words of a text: folded, letters and digits only, y→i after a consonant."""
    return [_norm(t) for t in _TOKEN.findall(fold(text))]


def _strip_leading(words: list[str]) -> list[str]:
    for lead in _LEADING:
        lead_words = lead.split()
        if words[: len(lead_words)] == lead_words and len(words) > len(lead_words):
            return words[len(lead_words) :]
    return words


def name_key(name: str) -> str:
    """The name as the ranking compares it: ``" dang ki khai sinh "``."""
    return " " + " ".join(_strip_leading(tokens(name))) + " "


# --- index maintenance ----------------------------------------------------------------------


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Bumped by every (re)indexing in this process: results remembered before it are stale
# (egov.catalog.results), even after a queryset update() that sent no signal.
generation = 0


def index_procedures(ids: Iterable[int]) -> None:
    """(Re)index these procedures: call after every write to them, in the same transaction.

    Ids of procedures that no longer exist are removed from the index.
    """
    global generation
    ids = sorted({int(i) for i in ids})
    if not ids:
        return
    generation += 1
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE procedure_id IN ({marks})", chunk)
            if vendor == "sqlite":
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)
            rows = Procedure.objects.filter(pk__in=chunk).values_list(
                "pk", "code", "name", "search_text", "detailed"
            )
            entries, docs, vocabulary = [], [], {}
            for pk, code, name, search_text, detailed in rows:
                key = name_key(name)
                words = tokens(name) + tokens(search_text)
                doc = " ".join(words)
                entries.append((pk, code, key, len(key) - 2, 1 if detailed else 0, doc))
                docs.append((pk, doc))
                for word in set(words):
                    vocabulary[word] = vocabulary.get(word, 0) + 1
            if not entries:
                continue
            if vendor == "postgresql":
                cursor.executemany(
                    f"INSERT INTO {ENTRY_TABLE} (procedure_id, code, name_key, name_len, detailed,"
                    " doc) VALUES (%s, %s, %s, %s, %s, to_tsvector('simple', %s))",
                    entries,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {ENTRY_TABLE} (procedure_id, code, name_key, name_len, detailed)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [e[:5] for e in entries],
                )
                cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, doc) VALUES (%s, %s)", docs)
            cursor.executemany(
                f"INSERT INTO {TERM_TABLE} (term, len, df) VALUES (%s, %s, %s) "
                f"ON CONFLICT (term) DO UPDATE SET df = {TERM_TABLE}.df + excluded.df",
                sorted((w, len(w), n) for w, n in vocabulary.items()),
            )


def rebuild_index() -> int:
    """Empty the index and index every procedure again; returns how many were indexed."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ENTRY_TABLE}")
        cursor.execute(f"DELETE FROM {TERM_TABLE}")
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
    ids = list(Procedure.objects.values_list("pk", flat=True))
    for chunk in _chunks(ids, 2000):
        index_procedures(chunk)
    return len(ids)


# --- typo correction ------------------------------------------------------------------------


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct(words: list[str], *, complete_last: bool = False) -> list[str]:
    """Replace words missing from the vocabulary by their closest vocabulary word (see above).

    With ``complete_last``, the last word is left as it is when a vocabulary word starts with it
    (it is being typed); that is looked up in the same query as the known words.
    """
    if not words:
        return words
    last = words[-1]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(words))
        sql = f"SELECT term FROM {TERM_TABLE} WHERE term IN ({marks})"
        params = list(words)
        if complete_last:
            # A range on the primary key, not LIKE (which scans the table): words are letters
            # and digits, so every word starting with ``last`` sorts between these two.
            sql += (
                f" UNION ALL SELECT term FROM (SELECT term FROM {TERM_TABLE}"
                " WHERE term >= %s AND term <= %s LIMIT 1) completion"
            )
            params += [last, last + "z" * (_TERM_MAX - len(last))]
        cursor.execute(sql, params)
        found = {row[0] for row in cursor.fetchall()}
        known = found & set(words)
        if complete_last and any(term.startswith(last) for term in found):
            known.add(last)
        corrected = []
        for word in words:
            if word in known or len(word) < 3 or word.isdigit():
                corrected.append(word)
                continue
            limit = 2 if len(word) >= 7 else 1
            cursor.execute(
                f"SELECT term, df FROM {TERM_TABLE} WHERE len BETWEEN %s AND %s",
                [len(word) - limit, len(word) + limit],
            )
            best = None
            for term, df in cursor.fetchall():
                dist = _distance(word, term, limit)
                if dist <= limit:
                    key = (dist, term[0] != word[0], -df, term)
                    if best is None or key < best:
                        best = key
            corrected.append(best[3] if best else word)
    return corrected


# --- search --------------------------------------------------------------------------------


def apply_filters(qs: QuerySet, *, sector=None, level=None, agency=None, online_level=None):
    """The non-text filters (one row per procedure: no join can duplicate it)."""
    if sector not in (None, ""):
        if hasattr(sector, "pk"):
            qs = qs.filter(sectors=sector)
        elif str(sector).isdigit():
            qs = qs.filter(sectors__id=int(sector))
        else:
            qs = qs.filter(sectors__code=sector)
    if level not in (None, ""):
        qs = qs.filter(levels__contains=str(level))
    if agency not in (None, ""):
        if hasattr(agency, "pk"):
            qs = qs.filter(agencies=agency)
        elif str(agency).isdigit():
            qs = qs.filter(agencies__id=int(agency))
        else:
            qs = qs.filter(agencies__code=agency)
    if online_level not in (None, ""):
        qs = qs.filter(online_level=online_level)
    return qs


def _match_sql(words: list[str], prefix: bool) -> tuple[str, list]:
    """SQL selecting the ids of procedures that have every word (the last one as a prefix)."""
    if connection.vendor == "postgresql":
        terms = words[:-1] + [words[-1] + (":*" if prefix else "")]
        return (
            f"SELECT procedure_id FROM {ENTRY_TABLE} WHERE doc @@ to_tsquery('simple', %s)",
            [" & ".join(terms)],
        )
    terms = [f'"{w}"' for w in words]
    if prefix:
        terms[-1] += "*"
    return (f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [" ".join(terms)])


def _rank_sql(code: str, words: list[str], prefix: bool) -> tuple[str, list]:
    """The ranking of the module docstring, as one integer: the same SQL on both databases.

    Tokens are letters and digits only, so they need no escaping in LIKE patterns.
    """
    phrase = " ".join(words)
    # After a prefix last word the name may go on with more letters: no space to close it.
    end = "" if prefix else " "
    all_in_name = " AND ".join(["e.name_key LIKE %s"] * len(words))
    if prefix:
        # The name is the query completed: one more word at most, the one being typed.
        is_name = "e.name_key LIKE %s AND e.name_key NOT LIKE %s"
        params = [code, f" {phrase}% ", f" {phrase}% % "]
        partial = f" + (CASE WHEN e.name_key LIKE %s THEN 0 ELSE {_PARTIAL_WEIGHT} END)"
    else:
        is_name = "e.name_key = %s"
        params = [code, f" {phrase} "]
        partial = ""
    sql = (
        "SELECT (CASE"
        " WHEN e.code = %s THEN 0"
        f" WHEN {is_name} THEN 1"
        " WHEN e.name_key LIKE %s THEN 2"
        " WHEN e.name_key LIKE %s THEN 3"
        f" WHEN {all_in_name} THEN 4"
        f" ELSE 5 END) * {_TIER_WEIGHT}{partial}"
        f" + (1 - e.detailed) * {_UNDETAILED_WEIGHT} + e.name_len"
        f" FROM {ENTRY_TABLE} e"
        f" WHERE e.procedure_id = {Procedure._meta.db_table}.id AND e.code = "
        f"{Procedure._meta.db_table}.code"
    )
    params += [f" {phrase}{end}%", f"% {phrase}{end}%"]
    params += [f"% {w} %" for w in words[:-1]] + [f"% {words[-1]}{end}%"]
    if prefix:
        params.append(f"% {words[-1]} %")
    return sql, params


def search(
    query: str, *, sector=None, level=None, agency=None, online_level=None
) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(status=ProcedureStatus.ACTIVE)
    qs = apply_filters(qs, sector=sector, level=level, agency=agency, online_level=online_level)
    raw = " ".join((query or "").split())
    typed = _strip_leading(tokens(raw))[:_MAX_TERMS]
    if not typed:
        return qs.order_by("-detailed", "code")
    words = correct(typed, complete_last=True)
    # A corrected last word was finished (with a typo); a number is matched whole.
    prefix = words[-1] == typed[-1] and not typed[-1].isdigit()
    code = raw if _CODE.match(raw) else ""
    ranked = _ranked(qs, code, words, prefix)
    if code or ranked.exists():
        return ranked
    # Nothing: try without leading filler words ("lam ho chieu" → "ho chieu").
    shorter = words
    for filler in _FILLERS:
        filler_words = filler.split()
        if shorter[: len(filler_words)] == filler_words and len(shorter) > len(filler_words):
            shorter = shorter[len(filler_words) :]
    if shorter != words:
        return _ranked(qs, code, shorter, prefix)
    return ranked


def _ranked(qs: QuerySet, code: str, words: list[str], prefix: bool) -> QuerySet[Procedure]:
    match_sql, match_params = _match_sql(words, prefix)
    rank_sql, rank_params = _rank_sql(code, words, prefix)
    condition = Q(pk__in=RawSQL(match_sql, match_params))
    if code:
        condition |= Q(code=code)
    return (
        qs.filter(condition)
        .annotate(search_rank=RawSQL(rank_sql, rank_params))
        .order_by(F("search_rank").asc(nulls_last=True), "code")
    )
