"""The demo government tree, built from data shipped with egov (never from ../shared at run time).

- central bodies: agencies.json (17 ministries and ministry-level agencies after NQ 176/2025/QH15,
  and the 7 bodies merged away on 1 March 2025, kept with valid_to so old records resolve);
- the 34 provinces and 3,321 communes of 1 July 2025: the ``vietnam-provinces`` package;
- provincial codes: province_codes.json (what is published, what is inferred, what is generated).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import vietnam_provinces as vp

from egov.core.models.organisations import CodeSource, Level
from egov.core.services.organisations import ImportRow, OrganisationData

MINISTRIES_REFORMED = dt.date(2025, 3, 1)  # NQ 176/2025/QH15
UNITS_MERGED = dt.date(2025, 7, 1)  # NQ 202/2025/QH15 (provinces), communes the same day
# Codes of the new ministries whose own code is unpublished: their main predecessor's.
INFERRED_CENTRAL = {
    "Bộ Nông nghiệp và Môi trường": "000.00.00.G10",
    "Bộ Dân tộc và Tôn giáo": "000.00.00.G21",
}


def _load_json(name: str) -> dict:
    return json.loads(resources.files("egov.core.demo").joinpath(name).read_text(encoding="utf-8"))


def central_rows() -> list[ImportRow]:
    data = _load_json("agencies.json")
    rows: list[ImportRow] = []
    current: dict[str, tuple[str, dt.date | None]] = {}
    for agency in data["agencies"]:
        code = agency["code"]
        source = CodeSource.OFFICIAL
        if code is None:
            code = INFERRED_CENTRAL[agency["name_vi"]]
            source = CodeSource.INFERRED
        # A ministry that kept its code continued through 2025; a new one starts on 1 March 2025.
        continued = any(p.get("relation") == "continued" for p in agency["predecessors"])
        new = source == CodeSource.INFERRED or (agency["predecessors"] and not continued)
        valid_from = MINISTRIES_REFORMED if new else None
        current[agency["name_vi"]] = (code, valid_from)
        rows.append(
            ImportRow(
                OrganisationData(
                    code=code,
                    code_source=source,
                    name=agency["name_vi"],
                    name_en=agency.get("name_en") or "",
                    abbreviation=agency.get("abbreviation") or "",
                    level=Level.CENTRAL,
                    unit_type=agency.get("type") or "",
                    valid_from=valid_from,
                    website=agency.get("website") or "",
                )
            )
        )
    for old in data["_meta"]["dissolved_or_merged_pre2025_agencies"]:
        successor_name = next((n for n in current if old["merged_into"].startswith(n)), None)
        rows.append(
            ImportRow(
                OrganisationData(
                    code=old["electronic_code_pre2025"],
                    name=old["name_vi"],
                    name_en=old.get("name_en") or "",
                    level=Level.CENTRAL,
                    unit_type="ministry",
                    valid_to=MINISTRIES_REFORMED - dt.timedelta(days=1),
                ),
                successor_key=current.get(successor_name) if successor_name else None,
            )
        )
    return rows


def _province_name(province) -> str:
    if province.division_type == vp.VietNamDivisionType.TINH:
        return f"Tỉnh {province.name}"
    return province.name


def local_rows() -> list[ImportRow]:
    codes = _load_json("province_codes.json")
    unchanged = set(codes["unchanged_in_2025"])
    next_generated = 65
    rows: list[ImportRow] = []
    provinces = sorted(vp.Province.iter_all(), key=lambda p: int(p.code))
    wards_by_province: dict[int, list] = {}
    for ward in vp.Ward.iter_all():
        wards_by_province.setdefault(int(ward.province_code), []).append(ward)
    for province in provinces:
        gso = f"{int(province.code):02d}"
        if gso in codes["official"]:
            suffix, source = codes["official"][gso], CodeSource.OFFICIAL
        elif gso in codes["inferred"]:
            suffix, source = codes["inferred"][gso], CodeSource.INFERRED
        else:
            suffix, source = f"H{next_generated:02d}", CodeSource.GENERATED
            next_generated += 1
        province_key = (f"000.00.00.{suffix}", None if gso in unchanged else UNITS_MERGED)
        rows.append(
            ImportRow(
                OrganisationData(
                    code=province_key[0],
                    code_source=source,
                    name=_province_name(province),
                    level=Level.PROVINCE,
                    unit_type=province.division_type.value,
                    unit_code=gso,
                    valid_from=province_key[1],
                )
            )
        )
        wards = sorted(wards_by_province[int(province.code)], key=lambda w: int(w.code))
        for n, ward in enumerate(wards, start=1):
            # Communes hang directly under the province since 2025: level-2 position of the
            # code, numbered in GSO order. Generated, not published (see province_codes.json).
            rows.append(
                ImportRow(
                    OrganisationData(
                        code=f"000.{n // 100:02d}.{n % 100:02d}.{suffix}",
                        code_source=CodeSource.GENERATED,
                        name=ward.name,
                        level=Level.COMMUNE,
                        unit_type=ward.division_type.value,
                        unit_code=f"{int(ward.code):05d}",
                        valid_from=UNITS_MERGED,
                    ),
                    parent_key=province_key,
                )
            )
    return rows
