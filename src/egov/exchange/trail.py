"""One document's evidence trail as a file, and its offline check (no database, no settings).

    python -m egov.exchange.trail trail.json [--trusted-pem ca.pem]

An export holds the document's evidence rows in order, each with its content (the signed XML as
received or as the hub signed it). The check recomputes every row's hash, follows the chain of
the document's rows from the start (``doc_prev_hash``: a row left out or added breaks it), checks
each content against its SHA-256, and verifies every XML signature against the trusted CA
(``--trusted-pem``; by default the CA certificate the export carries, which proves integrity but
not who made the export).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

GENESIS = "0" * 64
FORMAT = "egov-exchange-trail/1"


def row_hash(row: dict) -> str:
    """The hash of an evidence row: every field but ``hash`` and ``content``, canonical JSON."""
    payload = {
        "seq": row["seq"],
        "created_at": row["created_at"],
        "kind": row["kind"],
        "document_id": row["document_id"],
        "organ_id": row["organ_id"],
        "content_sha256": row["content_sha256"],
        "doc_prev_hash": row["doc_prev_hash"],
        "prev_hash": row["prev_hash"],
    }
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


EDXML_HEADER = "{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXMLHeader"
DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"


def _signature_location(xml: bytes) -> str:
    """Where the one signature sits: last in the root, or in edXMLHeader (VNPT's SDK)."""
    from lxml import etree

    try:
        root = etree.fromstring(
            xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except etree.XMLSyntaxError:
        return "./"  # signxml says why
    if root.find(DS_SIGNATURE) is None and root.find(f"{EDXML_HEADER}/{DS_SIGNATURE}") is not None:
        return f"./{EDXML_HEADER}/"
    return "./"


def _verify_signature(xml: bytes, ca_pem: bytes) -> str | None:
    import tempfile

    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException

    with tempfile.NamedTemporaryFile(suffix=".pem") as handle:
        handle.write(ca_pem)
        handle.flush()
        try:
            XMLVerifier().verify(
                xml,
                ca_pem_file=handle.name,
                expect_config=SignatureConfiguration(
                    location=_signature_location(xml), expect_references=1
                ),
            )
        except (SignXMLException, ValueError) as exc:
            return str(exc) or type(exc).__name__
    return None


def check(export: dict, trusted_pem: bytes | None = None) -> list[str]:
    """Problems found in an export ([] when it verifies)."""
    problems: list[str] = []
    if export.get("format") != FORMAT:
        return [f"not a trail export ({export.get('format')!r})"]
    ca_pem = trusted_pem or export.get("ca_pem", "").encode()
    prev = GENESIS
    rows = export.get("entries", [])
    if not rows:
        problems.append("the trail is empty")
    for row in rows:
        where = f"entry seq={row.get('seq')} ({row.get('kind')})"
        if row.get("document_id") != export.get("document_id"):
            problems.append(f"{where}: belongs to another document")
        if row.get("doc_prev_hash") != prev:
            problems.append(f"{where}: does not follow the previous entry of the document")
        if row_hash(row) != row.get("hash"):
            problems.append(f"{where}: content of the row does not match its hash")
        content = base64.b64decode(row.get("content", ""))
        if hashlib.sha256(content).hexdigest() != row.get("content_sha256"):
            problems.append(f"{where}: the XML does not match its SHA-256")
        elif content.lstrip().startswith(b"<"):
            error = _verify_signature(content, ca_pem)
            if error:
                problems.append(f"{where}: signature does not verify: {error}")
        prev = row.get("hash")
    if rows and export.get("head") != prev:
        problems.append("the trail's head is not its last entry")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check an exported document trail offline.")
    parser.add_argument("file")
    parser.add_argument("--trusted-pem", help="CA certificate(s) to trust (PEM)")
    args = parser.parse_args(argv)
    export = json.loads(Path(args.file).read_text(encoding="utf-8"))
    trusted = Path(args.trusted_pem).read_bytes() if args.trusted_pem else None
    problems = check(export, trusted)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"Trail of {export['document_id']} verified: {len(export['entries'])} entries.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
