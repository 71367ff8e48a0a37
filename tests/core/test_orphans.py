"""Files no row references (egov.core.services.orphans): a transaction that did not commit (a
``kill -9`` between writing the file and committing) leaves them; the sweep removes those older
than an hour in the registered folders, never a referenced file, and counts them in the audit."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from egov.core import tasks
from egov.core.models import AuditEntry
from egov.core.services import orphans
from egov.dossiers.models import DossierComponent
from tests.dossiers.core_support import submit, world  # noqa: F401

pytestmark = pytest.mark.django_db
HOURS = 3600


def put(settings, name: str, age: float = 2 * HOURS) -> str:
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4")
    then = time.time() - age
    os.utime(path, (then, then))
    return name


def age_all(settings, age: float = 2 * HOURS) -> None:
    then = time.time() - age
    for path in settings.MEDIA_ROOT.rglob("*"):
        os.utime(path, (then, then))


def exists(settings, name: str) -> bool:
    return (settings.MEDIA_ROOT / name).exists()


def test_only_old_unreferenced_files_in_registered_folders_go(settings, world):  # noqa: F811
    dossier = submit(world)
    age_all(settings)  # the committed dossier's files are old too, and stay
    kept = [c.file.name for c in DossierComponent.objects.filter(dossier=dossier)]
    assert kept and all(exists(settings, n) for n in kept)
    lost = [put(settings, f"dossiers/{900 + i}/to-khai.pdf") for i in range(100)]
    fresh = put(settings, "dossiers/1000/to-khai.pdf", age=60)  # a transaction may be running
    other = put(settings, "exchange/packages/x.xml")  # not a registered folder
    result = orphans.sweep()
    assert sorted(result.removed) == sorted(lost) and result.checked == 100 + len(kept)
    assert not any(exists(settings, n) for n in lost)
    assert not (settings.MEDIA_ROOT / "dossiers/900").exists()  # its empty folder too
    assert all(exists(settings, n) for n in [*kept, fresh, other])
    row = AuditEntry.objects.get(action="core.orphan_files_removed")
    assert row.summary["count"] == 100 and row.actor == "system"
    # Nothing left: no second row.
    assert orphans.sweep().removed == []
    assert AuditEntry.objects.filter(action="core.orphan_files_removed").count() == 1


def test_a_file_referenced_by_another_row_is_kept(settings, world):  # noqa: F811
    dossier = submit(world)
    component = DossierComponent.objects.get(dossier=dossier)
    name = component.file.name
    # Its row goes, but the data store (or another row) may name the same file: here nothing does.
    age_all(settings)
    assert orphans.sweep().removed == []
    DossierComponent.objects.filter(pk=component.pk).update(file="")
    assert orphans.sweep().removed == [name]


def test_the_command_and_its_dry_run(settings, capsys):
    name = put(settings, "dossiers/5/a.pdf")
    call_command("files", "sweep", "--dry-run")
    out = capsys.readouterr().out
    assert name in out and "1 that no row references would be removed" in out
    assert exists(settings, name)
    call_command("files", "sweep")
    assert "1 that no row references removed" in capsys.readouterr().out
    assert not exists(settings, name)
    with pytest.raises(CommandError, match="at least 1 minute"):
        call_command("files", "sweep", "--older-than", "0")


def test_the_worker_sweeps_beside_its_queue(settings, monkeypatch):
    name = put(settings, "dossiers/6/a.pdf")
    assert tasks.sweep_orphan_files() == 1 and not exists(settings, name)
    # The worker's thread runs the same sweep (recorded here: a thread has its own connection).
    runs = []
    monkeypatch.setattr(tasks, "sweep_orphan_files", lambda: runs.append(1))
    stop = threading.Event()
    stop.set()  # one sweep, then the thread ends
    tasks.start_file_sweeper(stop).join(timeout=30)
    assert runs == [1]
