"""Dossier codes under concurrent intake (5a): 8 parallel writers, no duplicates, no gaps."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.dossiers.services import numbering

WRITERS = 8
PER_WRITER = 25


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_writers_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency of the sequence is checked on PostgreSQL")
    org = org_services.create_organisation(OrganisationData("000.00.01.H26", "Xã A", "province"))
    now = timezone.now()
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)
    lock = threading.Lock()

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_WRITER):
                try:
                    with transaction.atomic():
                        code = numbering.next_code(org, now)
                        if (index + i) % 7 == 0:
                            raise RuntimeError("rolled back")  # its number is given back
                    with lock:
                        codes.append(code)
                except RuntimeError:
                    pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert len(numbers) == len(set(numbers)), "duplicate codes"
    assert numbers == list(range(1, len(numbers) + 1)), "gaps in the sequence"
    rolled_back = sum(1 for n in range(WRITERS) for i in range(PER_WRITER) if (n + i) % 7 == 0)
    assert len(numbers) == WRITERS * PER_WRITER - rolled_back


@pytest.mark.django_db
def test_codes_are_per_organisation_and_day():
    a = org_services.create_organisation(OrganisationData("000.00.01.H26", "Xã A", "province"))
    b = org_services.create_organisation(OrganisationData("000.00.02.H26", "Xã B", "province"))
    at = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 06:30 on the 3rd in Hanoi
    assert numbering.next_code(a, at) == "000.00.01.H26-260303-0001"
    assert numbering.next_code(a, at) == "000.00.01.H26-260303-0002"
    assert numbering.next_code(b, at) == "000.00.02.H26-260303-0001"
