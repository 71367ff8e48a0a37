"""The three catalogue file formats, read into and written from the canonical content dict.

- ``procedures`` (procedures.json): {"_meta": ..., "procedures": [...]}, records with ``code``,
  ``name_vi``, ``sector_vi``, ``channels`` ... as compiled in the project's reference data. On
  export we add exact keys (``time_limit``/``time_unit`` per channel, ``fees`` with kind and code,
  ``required_documents`` with copies and templates, agency codes, ``application_form``) so that
  a file we wrote imports back unchanged; the reader prefers them when present.
- ``index`` (catalogue-index.jsonl): one JSON object a line with names, codes and sectors only;
  these become information-only records.
- ``national``: the national TTHC database layout (MATTHC, TENTTHC, LINHVUCTHUCHIEN,
  MACOQUANCONGBO, TRINHTUTHUCHIEN, CACHTHUCTHUCHIEN with KENH / THOIGIAN / PHILEPHI,
  THANHPHANHOSO with GIAYTO, YEUCAU, DOITUONGTHUCHIEN, KETQUATHUCHIEN, CANCUPHAPLY,
  COQUANTHUCHIEN, TRANGTHAI). No published specification of the layout was available to us; the
  sub-keys (TENLINHVUC, THOIGIANGIAIQUYET, DONVITINH, SOTIEN, TENGIAYTO, SOBANCHINH ...) follow
  the portal's naming style and are documented in docs/catalog-formats.md.

Readers yield ``(position, content_or_error)``: a canonical-shape dict (not yet cleaned), or a
ValidationError for a record that cannot be read at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.catalog import forms
from egov.core.text import fold

FORMATS = ("procedures", "index", "national")

CHANNEL_VI = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}
LEVEL_VI = {
    "central": "Cấp bộ",
    "province": "Cấp tỉnh",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}
ONLINE_VI = {"full": "toàn trình", "partial": "một phần"}
SCOPES = {"STANDARD": "standard", "SPECIFIC": "specific", "STANDARD_INTERNAL": "internal"}
# Units as the portal writes them; anything else is refused as an unknown unit.
UNITS_VI = {
    "ngay lam viec": "working_days",
    "working_day": "working_days",
    "working_days": "working_days",
    "ngay": "calendar_days",
    "ngay lich": "calendar_days",
    "calendar_day": "calendar_days",
    "calendar_days": "calendar_days",
    "gio lam viec": "working_hours",
    "gio": "working_hours",
    "working_hour": "working_hours",
    "working_hours": "working_hours",
}
UNIT_VI_OUT = {
    "working_days": "Ngày làm việc",
    "calendar_days": "Ngày",
    "working_hours": "Giờ làm việc",
}
KENH = {"1": "in_person", "2": "online", "3": "post"}
KENH_OUT = {v: k for k, v in KENH.items()}


def detect(path: Path, text: str) -> str:
    if path.suffix == ".jsonl":
        return "index"
    data = json.loads(text)
    if isinstance(data, dict) and "procedures" in data:
        return "procedures"
    return "national"


def agency_level(name: str) -> str:
    """The level a generic agency name points at ("Công an cấp xã" → commune), or ""."""
    key = fold(name)
    if re.search(r"cap xa|\b(ubnd|uy ban nhan dan) (xa|phuong)|xa, phuong", key):
        return "commune"
    if re.search(r"cap huyen", key):
        return "district"
    if re.search(r"cap tinh|^so |^(ubnd|uy ban nhan dan) (tinh|thanh pho)|tinh, thanh pho", key):
        return "province"
    if re.search(r"^(bo|cuc|tong cuc|ngan hang nha nuoc viet nam|van phong chinh phu)\b", key):
        return "central"
    return ""


def _split_names(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


# --- procedures.json ------------------------------------------------------------------------

_TIME_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(.*)$")


def _parse_time(published: str | None, record: dict) -> tuple[str | None, str, str]:
    """(value, unit, text as published) from "7 Ngày làm việc", "1 (không ghi đơn vị)" ..."""
    text = (published or "").strip()
    match = _TIME_RE.match(text)
    if not match:
        return None, "", text
    value = match.group(1).replace(",", ".")
    unit_text = fold(match.group(2))
    if unit_text == "ngay lam viec":
        return value, "working_days", ""
    if unit_text == "gio lam viec":
        return value, "working_hours", ""
    number = float(value)
    if unit_text == "ngay" and record.get("calendar_days") == number:
        return value, "calendar_days", text
    if unit_text in {"", "(khong ghi don vi)"} and record.get("working_days") == number:
        return value, "working_days", text
    return None, "", text


_VND_RE = re.compile(r"^(-?[\d.,]+)\s*(viet nam dong|vnd|dong)\b")


def _fees_from_text(text: str) -> list[dict]:
    """One fee from the portal's text: "50,000 VNĐ", "2,000 Việt Nam Đồng(/trang)", "Miễn phí"."""
    key = fold(text)
    if not key or key == "khong co thong tin":
        return []
    if key == "mien phi":
        return [{"kind": "fee", "amount_vnd": 0, "description": text}]
    match = _VND_RE.match(key)
    amount = int(re.sub(r"[.,]", "", match.group(1))) if match else None
    return [{"kind": "fee", "amount_vnd": amount, "description": text}]


def _legal_in(item) -> dict:
    if isinstance(item, dict):
        return {"number": item.get("number"), "title": item.get("title")}
    words = str(item).split()
    for i in range(len(words) - 1, -1, -1):
        if "/" in words[i]:
            return {"number": words[i], "title": " ".join(words[:i] + words[i + 1 :])}
    return {"number": "", "title": str(item)}


def _legal_out(item: dict) -> str:
    return " ".join(p for p in (item["title"], item["number"]) if p)


def _online_in(record: dict) -> str:
    level = (record.get("online_level") or "").strip()
    if level in {"full", "partial", "info"}:
        return level
    if fold(level) == "toan trinh":
        return "full"
    if fold(level) == "mot phan":
        return "partial"
    # Not stated: a procedure that takes applications online is at least partly online.
    return "partial" if record.get("online_submission") else "info"


def from_procedures_record(record: dict) -> dict:
    channels = []
    for item in record.get("channels") or []:
        if "time_limit" in item or "time_unit" in item:
            value, unit, text = item.get("time_limit"), item.get("time_unit"), item.get("time_text")
        else:
            value, unit, text = _parse_time(item.get("time_published"), record)
        if "fees" in item:
            fees = item["fees"]
        elif isinstance(item.get("fee_published"), str):
            fees = _fees_from_text(item["fee_published"])
        else:
            fees = [
                {
                    "kind": "charge" if "le phi" in fold(f.get("description_vi")) else "fee",
                    "amount_vnd": f.get("amount_vnd"),
                    "description": f.get("description_vi"),
                }
                for f in (item.get("fees_published") or item.get("fee_published") or [])
            ]
        channels.append(
            {
                "channel": item.get("channel"),
                "case": item.get("case"),
                "time_limit": value,
                "time_unit": unit,
                "time_text": text,
                "description": item.get("note_published_vi"),
                "fees": fees,
            }
        )
    if "implementing_agencies" in record:
        implementing = record["implementing_agencies"]
    else:
        implementing = [
            {"name": n, "level": agency_level(n)}
            for n in _split_names(record.get("implementing_agency_vi"))
        ]
    levels = [record["level"]] if record.get("level") else []
    published = fold(record.get("levels_published_vi"))
    for key, level in (("cap bo", "central"), ("cap tinh", "province"), ("cap xa", "commune")):
        if key in published and level not in levels:
            levels.append(level)
    detailed = bool(channels or record.get("required_documents_vi"))
    form = record.get("application_form")
    if form is None and detailed:
        form = forms.form_for(record.get("code") or "")
    return {
        "code": record.get("code"),
        "name": record.get("name_vi"),
        "status": record.get("status") or "active",
        "scope": record.get("scope") or "",
        "sectors": record.get("sectors_vi") or _split_names(record.get("sector_vi")),
        "publishing_agency": {
            "code": record.get("ministry_code"),
            "name": record.get("ministry_vi"),
        },
        "published_by_decision": record.get("published_by_decision"),
        "implementing_agencies": implementing,
        "levels": record.get("levels") or levels,
        "steps": record.get("steps") or [],
        "channels": channels,
        "required_documents": record.get("required_documents")
        or record.get("required_documents_vi")
        or [],
        "requirements": record.get("requirements"),
        "applicant_types": record.get("subjects_vi") or [],
        "results": [
            {"name": r.get("name_vi"), "code": r.get("result_code")}
            for r in record.get("results") or []
        ],
        "legal_basis": [_legal_in(item) for item in record.get("legal_basis") or []],
        "online_level": _online_in(record),
        "detailed": detailed,
        "application_form": form or {},
        "notes": record.get("notes"),
        "source": {"format": "procedures", "url": (record.get("source") or {}).get("url")},
    }


def to_procedures_record(content: dict) -> dict:
    levels = content["levels"]
    return {
        "code": content["code"],
        "name_vi": content["name"],
        "sector_vi": "; ".join(content["sectors"]),
        "sectors_vi": content["sectors"],
        "level": levels[0] if levels else None,
        "levels": levels,
        "levels_published_vi": ", ".join(LEVEL_VI[v] for v in levels),
        "implementing_agency_vi": "; ".join(a["name"] for a in content["implementing_agencies"]),
        "implementing_agencies": content["implementing_agencies"],
        "ministry_vi": content["publishing_agency"]["name"] or None,
        "ministry_code": content["publishing_agency"]["code"],
        "published_by_decision": content["published_by_decision"] or None,
        "status": content["status"],
        "scope": content["scope"],
        "subjects_vi": content["applicant_types"],
        "steps": content["steps"],
        "channels": [
            {
                "channel": c["channel"],
                "channel_vi": CHANNEL_VI.get(c["channel"]),
                "case": c["case"],
                "time_published": (
                    f"{c['time_limit']} {UNIT_VI_OUT[c['time_unit']]}"
                    if c["time_limit"] is not None
                    else c["time_text"] or None
                ),
                "time_limit": c["time_limit"],
                "time_unit": c["time_unit"],
                "time_text": c["time_text"],
                "fees_published": [
                    {"amount_vnd": f["amount_vnd"], "description_vi": f["description"] or None}
                    for f in c["fees"]
                ],
                "fees": c["fees"],
                "note_published_vi": c["description"] or None,
            }
            for c in content["channels"]
        ],
        "online_submission": content["online_level"] in {"full", "partial"},
        "online_level": ONLINE_VI.get(content["online_level"]),
        "required_documents_vi": [d["name"] for d in content["required_documents"]],
        "required_documents": content["required_documents"],
        "requirements": content["requirements"],
        "results": [{"name_vi": r["name"], "result_code": r["code"]} for r in content["results"]],
        "legal_basis": [_legal_out(item) for item in content["legal_basis"]],
        "application_form": content["application_form"],
        "notes": content["notes"] or None,
        "source": {"url": (content.get("source") or {}).get("url")},
    }


# --- catalogue-index.jsonl ------------------------------------------------------------------


def from_index_record(record: dict) -> dict:
    implementing = [
        {"name": n, "level": agency_level(n)}
        for n in (record.get("implementing_agencies_vi") or [])
        if n and n.strip()
    ]
    levels = []
    for agency in implementing:
        if agency["level"] and agency["level"] not in levels:
            levels.append(agency["level"])
    scope = record.get("scope") or ""
    return {
        "code": record.get("code"),
        "name": record.get("name_vi"),
        "status": "active",
        "scope": SCOPES.get(scope, scope.lower()),
        "sectors": record.get("sectors_vi") or [],
        "publishing_agency": {"code": None, "name": record.get("published_by_vi")},
        "implementing_agencies": implementing,
        "levels": levels,
        "applicant_types": record.get("applicant_types_vi") or [],
        "online_level": "info",
        "detailed": False,
        "source": {"format": "index", "state": record.get("state") or "ACTIVE"},
    }


def to_index_record(content: dict) -> dict:
    scopes = {v: k for k, v in SCOPES.items()}
    return {
        "code": content["code"],
        "name_vi": content["name"],
        "sectors_vi": content["sectors"],
        "implementing_agencies_vi": [a["name"] for a in content["implementing_agencies"]],
        "published_by_vi": content["publishing_agency"]["name"],
        "applicant_types_vi": content["applicant_types"],
        "state": (content.get("source") or {}).get("state") or "ACTIVE",
        "scope": scopes.get(content["scope"], content["scope"].upper()),
    }


# --- the national portal layout ------------------------------------------------------------


def _unit_in(text) -> str:
    key = fold(str(text or "")).replace("-", " ")
    # An unknown unit is passed through as written: clean() refuses it with its name.
    return UNITS_VI.get(key, str(text or "").strip() or "?")


def _kenh_in(value) -> str:
    key = fold(str(value or ""))
    by_name = {"truc tiep": "in_person", "truc tuyen": "online", "dich vu buu chinh": "post"}
    return (
        KENH.get(key)
        or by_name.get(key)
        or by_name.get(key.replace("buu chinh", "dich vu buu chinh"))
        or str(value)
    )


def from_national_record(record: dict) -> dict:
    channels = []
    for item in record.get("CACHTHUCTHUCHIEN") or []:
        kind = _kenh_in(item.get("KENH"))
        for time in item.get("THOIGIAN") or [{}]:
            value = time.get("THOIGIANGIAIQUYET")
            channels.append(
                {
                    "channel": kind,
                    "case": time.get("TRUONGHOP"),
                    "time_limit": value,
                    "time_unit": _unit_in(time.get("DONVITINH")) if value not in (None, "") else "",
                    "time_text": time.get("THOIGIANCONGBO"),
                    "description": time.get("MOTA"),
                    "fees": [
                        {
                            "kind": "charge"
                            if "le phi" in fold(f.get("LOAIPHI") or f.get("MOTA"))
                            else "fee",
                            "code": f.get("MAPHILEPHI"),
                            "amount_vnd": f.get("SOTIEN"),
                            "description": f.get("MOTA"),
                        }
                        for f in time.get("PHILEPHI") or []
                    ],
                }
            )
    documents = []
    for group in record.get("THANHPHANHOSO") or []:
        for paper in group.get("GIAYTO") or []:
            documents.append(
                {
                    "name": paper.get("TENGIAYTO"),
                    "case": group.get("TRUONGHOP"),
                    "originals": paper.get("SOBANCHINH"),
                    "copies": paper.get("SOBANSAO"),
                    "form_templates": [
                        {
                            "name": m.get("TENMAUDON"),
                            "code": m.get("MAMAUDON"),
                            "url": m.get("DUONGDAN"),
                        }
                        for m in paper.get("MAUDON") or []
                    ],
                }
            )
    levels = []
    for item in record.get("CAPTHUCHIEN") or []:
        name = fold(item.get("TENCAP") if isinstance(item, dict) else item)
        for key, level in (
            ("bo", "central"),
            ("tinh", "province"),
            ("huyen", "district"),
            ("xa", "commune"),
        ):
            if key in name.split() and level not in levels:
                levels.append(level)
    status = fold(str(record.get("TRANGTHAI") or "1"))
    online = fold(str(record.get("MUCDO") or ""))
    return {
        "code": record.get("MATTHC"),
        "name": record.get("TENTTHC"),
        "status": "abolished"
        if status in {"0", "bai bo", "het hieu luc", "abolished"}
        else "active",
        "sectors": [s.get("TENLINHVUC") for s in record.get("LINHVUCTHUCHIEN") or []],
        "publishing_agency": {
            "code": record.get("MACOQUANCONGBO"),
            "name": record.get("TENCOQUANCONGBO"),
        },
        "published_by_decision": record.get("QUYETDINHCONGBO"),
        "implementing_agencies": [
            {"code": a.get("MACOQUAN"), "name": a.get("TENCOQUAN"), "level": a.get("CAPCOQUAN")}
            for a in record.get("COQUANTHUCHIEN") or []
        ],
        "levels": levels,
        "steps": [
            {
                "case": s.get("TRUONGHOP"),
                "steps": [t.get("TENTRINHTU") for t in s.get("TRINHTU") or []],
            }
            for s in record.get("TRINHTUTHUCHIEN") or []
        ],
        "channels": channels,
        "required_documents": documents,
        "requirements": record.get("YEUCAU"),
        "applicant_types": [d.get("TENDOITUONG") for d in record.get("DOITUONGTHUCHIEN") or []],
        "results": [
            {"name": r.get("TENKETQUA"), "code": r.get("MAKETQUA")}
            for r in record.get("KETQUATHUCHIEN") or []
        ],
        "legal_basis": [
            {"number": c.get("SOVANBAN"), "title": c.get("TENVANBAN")}
            for c in record.get("CANCUPHAPLY") or []
        ],
        "online_level": {"toan trinh": "full", "mot phan": "partial"}.get(online)
        or ("partial" if any(c["channel"] == "online" for c in channels) else "info"),
        "application_form": record.get("BIEUMAU")
        or (forms.form_for(record.get("MATTHC") or "") if channels or documents else {}),
        "notes": record.get("GHICHU"),
        "source": {"format": "national"},
    }


def to_national_record(content: dict) -> dict:
    names = {
        "central": "Cấp Bộ",
        "province": "Cấp Tỉnh",
        "district": "Cấp Huyện",
        "commune": "Cấp Xã",
    }
    # One entry per channel row (the same KENH may repeat, one per case), in stored order.
    channels = [
        {
            "KENH": KENH_OUT[c["channel"]],
            "THOIGIAN": [
                {
                    "TRUONGHOP": c["case"],
                    "THOIGIANGIAIQUYET": c["time_limit"],
                    "DONVITINH": UNIT_VI_OUT.get(c["time_unit"], ""),
                    "THOIGIANCONGBO": c["time_text"],
                    "MOTA": c["description"],
                    "PHILEPHI": [
                        {
                            "LOAIPHI": "Lệ phí" if f["kind"] == "charge" else "Phí",
                            "MAPHILEPHI": f["code"],
                            "SOTIEN": f["amount_vnd"],
                            "MOTA": f["description"],
                        }
                        for f in c["fees"]
                    ],
                }
            ],
        }
        for c in content["channels"]
    ]
    groups: dict[str, list] = {}
    for d in content["required_documents"]:
        groups.setdefault(d["case"], []).append(
            {
                "TENGIAYTO": d["name"],
                "SOBANCHINH": d["originals"],
                "SOBANSAO": d["copies"],
                "MAUDON": [
                    {"TENMAUDON": t["name"], "MAMAUDON": t["code"], "DUONGDAN": t["url"]}
                    for t in d["form_templates"]
                ],
            }
        )
    return {
        "MATTHC": content["code"],
        "TENTTHC": content["name"],
        "MACOQUANCONGBO": content["publishing_agency"]["code"],
        "TENCOQUANCONGBO": content["publishing_agency"]["name"],
        "QUYETDINHCONGBO": content["published_by_decision"],
        "LINHVUCTHUCHIEN": [{"TENLINHVUC": s} for s in content["sectors"]],
        "CAPTHUCHIEN": [{"TENCAP": names[v]} for v in content["levels"]],
        "TRINHTUTHUCHIEN": [
            {"TRUONGHOP": s["case"], "TRINHTU": [{"TENTRINHTU": t} for t in s["steps"]]}
            for s in content["steps"]
        ],
        "CACHTHUCTHUCHIEN": channels,
        "THANHPHANHOSO": [{"TRUONGHOP": case, "GIAYTO": papers} for case, papers in groups.items()],
        "YEUCAU": content["requirements"],
        "DOITUONGTHUCHIEN": [{"TENDOITUONG": t} for t in content["applicant_types"]],
        "KETQUATHUCHIEN": [
            {"MAKETQUA": r["code"], "TENKETQUA": r["name"]} for r in content["results"]
        ],
        "CANCUPHAPLY": [
            {"SOVANBAN": c["number"], "TENVANBAN": c["title"]} for c in content["legal_basis"]
        ],
        "COQUANTHUCHIEN": [
            {"MACOQUAN": a["code"], "TENCOQUAN": a["name"], "CAPCOQUAN": a["level"]}
            for a in content["implementing_agencies"]
        ],
        "MUCDO": ONLINE_VI.get(content["online_level"], ""),
        "BIEUMAU": content["application_form"],
        "GHICHU": content["notes"],
        "TRANGTHAI": "1" if content["status"] == "active" else "0",
    }


# --- files ---------------------------------------------------------------------------------


def read(path: Path, fmt: str | None = None) -> Iterator[tuple[str, dict | ValidationError]]:
    """Yield (position, content or error) for every record of a file."""
    text = path.read_text(encoding="utf-8")
    fmt = fmt or detect(path, text)
    if fmt == "index":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            position = _("line %(n)d") % {"n": number}
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield position, ValidationError(_("Not JSON: %(error)s") % {"error": exc})
                continue
            yield position, _convert(from_index_record, record)
        return
    data = json.loads(text)
    if fmt == "procedures":
        records = data.get("procedures") or []
        reader = from_procedures_record
    else:
        records = data if isinstance(data, list) else data.get("data", [data])
        reader = from_national_record
    for number, record in enumerate(records, start=1):
        position = _("record %(n)d") % {"n": number}
        yield position, _convert(reader, record)


def _convert(reader, record) -> dict | ValidationError:
    if not isinstance(record, dict):
        return ValidationError(_("The record is not a JSON object."))
    try:
        return reader(record)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        return ValidationError(_("The record cannot be read: %(error)s") % {"error": exc})


def write(contents: list[dict], fmt: str) -> str:
    if fmt == "index":
        return "".join(json.dumps(to_index_record(c), ensure_ascii=False) + "\n" for c in contents)
    if fmt == "procedures":
        payload = {
            "_meta": {"description": "Exported by egov export-procedures", "count": len(contents)},
            "procedures": [to_procedures_record(c) for c in contents],
        }
    else:
        payload = [to_national_record(c) for c in contents]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
