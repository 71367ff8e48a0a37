"""What feeds the index, and a version counter per source, so that a cache of figures is keyed by
the data it was computed from and nothing else.

The counters (docs/serviceindex.md, "Performance"):

- ``catalog``: the catalogue (procedures, versions, channels, fees, agencies) and the decisions
  registered in the document exchange (1.2 dates announcements by them); every organisation's
  figures read it.
- ``tree``: the organisations and the working calendar (subtrees, working days).
- ``org:<id>``: one ministry or province (a top-level organisation): the dossiers, payments,
  petitions, ratings and sync marks of its subtree.
- ``any``: a change of those sources whose organisation is not known (all organisations).

An organisation's figures are keyed by ``catalog``, ``tree``, ``any`` and its own ``org:``
counter: a dossier returned in one province moves that province's key only, a login or an
e-Cabinet vote moves nothing.

What bumps them: the audit log (every state change of the platform writes its rows in its own
transaction; core bumps as ``COUNTERS`` says, registered in ServiceIndexConfig.ready), and the
sync's mark (a successful send, which writes no audit row). The bump runs after the commit: a
reader that computed between the commit and the bump stored fresher figures under the old key,
never older figures under the new one. A bump that is lost (the process died between the two)
or a write that bypasses the services (bulk loads, ``generate-dossiers``) shows after the
cache's hour, or at once with ``egov serviceindex-touch``.

The counters live in the shared cache (the database's or Redis, as in production), as
egov.core.generations keeps them: a bump sets a fresh value, never an increment; a counter the
cache lost starts again from a fresh value too: a key made before cannot come back.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_save

from egov.core import generations
from egov.core.models import Organisation

PREFIX = "serviceindex:v:"
CATALOG, TREE, ANY = "catalog", "tree", "any"
# What only a query turns into counters, after the commit (``_resolve``).
ORGANISATION, PETITION, DOSSIER = "organisation", "petition", "dossier"


def org_counter(top_id: int) -> str:
    return f"org:{top_id}"


def top_of(path: str) -> int:
    """The ministry or province an organisation belongs to: the first id of its path."""
    return int(path.strip("/").split("/")[0])


# --- reading -----------------------------------------------------------------------------------


def _read(names: list[str]) -> dict[str, int]:
    found = generations.read(PREFIX + name for name in names)
    return {name: found[PREFIX + name] for name in names}


def tokens(top_ids: Iterable[int]) -> dict[int, str]:
    """{ministry or province id: the versions its figures depend on, as a key part}."""
    top_ids = list(top_ids)
    values = _read([CATALOG, TREE, ANY, *(org_counter(pk) for pk in top_ids)])
    shared = f"{values[CATALOG]}.{values[TREE]}.{values[ANY]}"
    return {pk: f"{shared}.{values[org_counter(pk)]}" for pk in top_ids}


def tokens_with(top_ids: Iterable[int], keys: list[str]) -> tuple[dict[int, str], dict]:
    """(``tokens(top_ids)``, the values of ``keys`` in the cache): one cache read for a page
    whose cached value says which versions it was made from."""
    top_ids = list(top_ids)
    names = [CATALOG, TREE, ANY, *(org_counter(pk) for pk in top_ids)]
    found, values = generations.read_with([PREFIX + name for name in names], keys)
    shared = ".".join(str(found[PREFIX + name]) for name in (CATALOG, TREE, ANY))
    made = {pk: f"{shared}.{found[PREFIX + org_counter(pk)]}" for pk in top_ids}
    return made, values


def token_and(organisation: Organisation, keys: list[str]) -> tuple[str, dict]:
    """(``organisation``'s key part, the values of ``keys`` in the cache): one cache read."""
    top = top_of(organisation.path)
    made, found = tokens_with([top], keys)
    return made[top], found


def token(organisation: Organisation) -> str:
    """The key part of one organisation's figures (its ministry's or province's counters)."""
    top = top_of(organisation.path)
    return tokens([top])[top]


# --- bumping -----------------------------------------------------------------------------------


def bump(names: Iterable[str]) -> None:
    COUNTERS.bump(names)


def organisation_counters(org_ids: Iterable[int]) -> list[str]:
    """The counters of the ministries or provinces above ``org_ids`` (one query)."""
    org_ids = {pk for pk in org_ids if pk is not None}
    if not org_ids:
        return []
    paths = list(Organisation.objects.filter(pk__in=org_ids).values_list("path", flat=True))
    names = [org_counter(top_of(path)) for path in paths]
    if len(paths) < len(org_ids):  # deleted meanwhile: its figures may have moved anywhere
        names.append(ANY)
    return names


def _organisation(entry) -> set:
    """What a dossiers, payments, petitions or ratings act moves: its organisation's counter;
    a petition's (and its dossier's: 5.4 reads the petitions about a dossier) are read after
    the commit, as a reaction's row names no organisation."""
    moved: set = set()
    petition = entry.object_type == "petitions.petition"
    if petition and entry.object_id.isdigit():
        moved.add((PETITION, int(entry.object_id)))
    if entry.organisation_id is not None:
        moved.add((ORGANISATION, entry.organisation_id))
    elif not petition:
        moved.add(ANY)
    return moved


def _resolve(moved: set[tuple[str, int]]) -> list[str]:
    ids: dict[str, set[int]] = {ORGANISATION: set(), PETITION: set(), DOSSIER: set()}
    for kind, pk in moved:
        ids[kind].add(pk)
    organisations = ids[ORGANISATION]
    if ids[PETITION]:
        from egov.petitions.models import Petition

        for org_id, dossier_org_id in Petition.objects.filter(pk__in=ids[PETITION]).values_list(
            "organisation_id", "dossier__organisation_id"
        ):
            organisations |= {org_id, dossier_org_id}
    if ids[DOSSIER]:
        from egov.dossiers.models import Dossier

        organisations |= set(
            Dossier.objects.filter(pk__in=ids[DOSSIER]).values_list("organisation_id", flat=True)
        )
    return organisation_counters(organisations)


# Catalogue and tree acts move every organisation's figures, dossiers, payments, petitions and
# ratings acts their organisation's; a registered decision dates an announcement (1.2).
# Refusals change nothing the index reads (a refused application or payment callback), nor do
# refunds (a refund leaves its payment paid: 3.5b and 3.6 count payments, not refunds).
COUNTERS = generations.Counters(
    PREFIX,
    {
        "procedure.*": CATALOG,
        "exchange.document_registered": CATALOG,
        "organisation.*": TREE,
        "calendar.*": TREE,
        **{f"{app}.*": _organisation for app in ("dossiers", "payments", "petitions", "ratings")},
    },
    unread=("*_refused", "payments.refund*"),
    resolve=_resolve,
)


def _on_sync_mark(sender, instance, **kwargs) -> None:
    COUNTERS.after_commit({(DOSSIER, instance.dossier_id)})


def connect() -> None:
    from egov.sync.models import SyncMark

    post_save.connect(_on_sync_mark, sender=SyncMark, dispatch_uid="serviceindex.sources.sync")


def touch() -> None:
    """Every counter moves (``egov serviceindex-touch``: after a bulk load)."""
    bump([CATALOG, TREE, ANY])
