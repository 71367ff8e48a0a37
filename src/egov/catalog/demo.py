"""The catalogue's part of ``egov load-demo``: the procedures shipped in egov/catalog/data."""

from __future__ import annotations

from importlib import resources


def load(write) -> None:
    # The 39 detailed procedures first, then the national index (information-only records).
    from egov.catalog.services.importing import import_file

    for name in ("procedures.json", "catalogue-index.jsonl"):
        report = import_file(resources.files("egov.catalog").joinpath("data", name), actor="system")
        write(
            f"Procedures ({name}): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected "
            f"({report.seconds:.1f} s)"
        )
