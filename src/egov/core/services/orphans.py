"""Files no row references: left by a transaction that did not commit.

A service writes a file before its transaction commits (the row needs the file's name) and
deletes it again when the transaction raises (egov.dossiers.services.files.StoredFiles). A
process killed in between (``kill -9``, a power cut) leaves the file: a batch of 100
applications left 100. The sweep removes, in the folders the apps registered
(:func:`egov.core.registry.swept_files`), files older than ``older_than`` that no FileField of
any model names. It never removes a referenced file: the references of each batch of 500 are
read just before the batch goes. One audit row counts what went. A transaction open for more
than ``older_than`` would lose its files: none of ours comes near.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction

from egov.core import registry
from egov.core.services import audit

logger = logging.getLogger(__name__)
BATCH = 500
AGE = dt.timedelta(hours=1)


@dataclass
class Sweep:
    checked: int = 0  # files old enough to be looked at
    removed: list[str] = field(default_factory=list)  # names relative to MEDIA_ROOT


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField) and not f.many_to_many
    ]


def _referenced(names: list[str]) -> set[str]:
    found: set[str] = set()
    for model, name in _file_fields():
        rows = model._default_manager.filter(**{f"{name}__in": names})
        found.update(rows.values_list(name, flat=True))
    return found


def _old_files(root: Path, folder: str, cutoff: float):
    base = root / folder
    if not base.is_dir():
        return
    for directory, _dirs, files in os.walk(base):
        for file_name in files:
            path = Path(directory) / file_name
            try:
                if path.stat().st_mtime < cutoff:
                    yield path.relative_to(root).as_posix()
            except FileNotFoundError:  # removed meanwhile
                continue


def _remove(root: Path, name: str) -> bool:
    path = root / name
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    # Empty folders go too (dossiers/<id>/ of a dossier that was never committed).
    parent = path.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    return True


def sweep(*, older_than: dt.timedelta = AGE, dry_run: bool = False) -> Sweep:
    """Remove the unreferenced files older than ``older_than`` in the registered folders."""
    if not isinstance(default_storage, FileSystemStorage):
        return Sweep()  # object stores: their own lifecycle rules
    root = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - older_than.total_seconds()
    result = Sweep()
    for folder in registry.swept_folders():
        batch: list[str] = []
        for name in _old_files(root, folder, cutoff):
            batch.append(name)
            if len(batch) >= BATCH:
                _sweep_batch(root, batch, result, dry_run)
                batch = []
        if batch:
            _sweep_batch(root, batch, result, dry_run)
    if result.removed and not dry_run:
        with transaction.atomic():
            audit.record(
                actor="system",
                action="core.orphan_files_removed",
                object_type="media",
                summary={
                    "count": len(result.removed),
                    "checked": result.checked,
                    "folders": registry.swept_folders(),
                    "first": result.removed[:10],
                },
            )
        logger.warning("removed %s files no row references", len(result.removed))
    return result


def _sweep_batch(root: Path, names: list[str], result: Sweep, dry_run: bool) -> None:
    result.checked += len(names)
    referenced = _referenced(names)
    orphans = [n for n in names if n not in referenced]
    if dry_run:
        result.removed.extend(orphans)
        return
    result.removed.extend(n for n in orphans if _remove(root, n))
