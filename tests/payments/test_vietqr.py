"""The fee page's VietQR, read back by a decoder that is not ours (zbarimg, Debian's zbar-tools)
and a TLV parser written here from the EMVCo / NAPAS specification, not from egov.payments."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from egov.payments import vietqr

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, fees_due_dossier, world_with_fees

pytestmark = pytest.mark.django_db

BIN, ACCOUNT = "970436", "0011004123456"


def crc16_ccitt_false(data: bytes) -> int:
    """Written from the CRC catalogue's definition (width 16, poly 0x1021, init 0xFFFF, no
    reflection, xorout 0), table-free, bit by bit from the top."""
    register = 0xFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = (register >> 15) & 1
            register = (register << 1) & 0xFFFF
            if top ^ ((byte >> bit) & 1):
                register ^= 0x1021
    return register


def parse(text: str) -> dict[str, str]:
    """EMVCo TLV: two-digit ID, two-digit length, value; the whole text must be consumed."""
    out, i = {}, 0
    while i < len(text):
        tag, length = text[i : i + 2], int(text[i + 2 : i + 4])
        value = text[i + 4 : i + 4 + length]
        assert len(value) == length, f"object {tag} cut short"
        assert tag not in out, f"object {tag} twice"
        out[tag] = value
        i += 4 + length
    return out


def check(text: str) -> dict:
    """The payload's fields, after checking its CRC (object 63, last, over all before it)."""
    assert text[-8:-4] == "6304", "the CRC must be the last object"
    assert int(text[-4:], 16) == crc16_ccitt_false(text[:-4].encode("ascii"))
    root = parse(text)
    merchant = parse(root["38"])
    beneficiary = parse(merchant["01"])
    return {
        "format": root["00"],
        "initiation": root["01"],
        "guid": merchant["00"],
        "service": merchant["02"],
        "bin": beneficiary["00"],
        "account": beneficiary["01"],
        "currency": root["53"],
        "amount": root.get("54"),
        "country": root["58"],
        "purpose": parse(root["62"]).get("08") if "62" in root else None,
    }


def test_the_crc_is_the_catalogues_check_value():
    # CRC-16/CCITT-FALSE's check value over "123456789" is 0x29B1.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert vietqr.crc16_ccitt(b"123456789") == 0x29B1


def test_payload_fields_and_crc():
    data = vietqr.payload(vietqr.Account(BIN, ACCOUNT), 70_000, "HS-001 phí")
    assert check(data) == {
        "format": "01",
        "initiation": "12",
        "guid": "A000000727",
        "service": "QRIBFTTA",
        "bin": BIN,
        "account": ACCOUNT,
        "currency": "704",
        "amount": "70000",
        "country": "VN",
        "purpose": "HS-001 ph",  # ASCII only: bank apps refuse diacritics
    }
    tampered = data.replace("70000", "70001")
    with pytest.raises(AssertionError):
        check(tampered)


@pytest.mark.parametrize(
    ("bin_", "account", "amount"),
    [
        ("97043", ACCOUNT, 1),
        ("97043X", ACCOUNT, 1),
        (BIN, "", 1),
        (BIN, "1" * 20, 1),
        (BIN, "1", 0),
    ],
)
def test_bad_accounts_and_amounts_are_refused(bin_, account, amount):
    with pytest.raises(ValueError):
        vietqr.payload(vietqr.Account(bin_, account), amount)


def _zbarimg(png: bytes, tmp_path) -> str:
    # Not skipped when missing: scripts/test installs Debian's zbar-tools.
    assert shutil.which("zbarimg"), "zbarimg missing: apt-get install zbar-tools"
    path = tmp_path / "code.png"
    path.write_bytes(png)
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("ascii").strip()


def test_the_fee_page_shows_a_code_an_independent_decoder_reads(client, settings, tmp_path):
    settings.EGOV_VIETQR_BIN, settings.EGOV_VIETQR_ACCOUNT = BIN, ACCOUNT
    settings.EGOV_VIETQR_ACCOUNT_NAME = "KHO BAC NHA NUOC"
    settings.EGOV_VIETQR_BANK_NAME = "Vietcombank"
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "<script" not in page.split('class="vietqr"')[1].split("</section>")[0]
    found = re.search(
        r'<img class="vietqr-code" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page
    )
    assert found, "no VietQR image on the fee page"
    decoded = _zbarimg(base64.b64decode(found.group(1)), tmp_path)
    fields = check(decoded)
    assert (fields["bin"], fields["account"], fields["amount"]) == (BIN, ACCOUNT, str(FEE + CHARGE))
    assert fields["purpose"] == dossier.code
    assert "KHO BAC NHA NUOC" in page and "Vietcombank" in page  # names beside the codes


def test_no_code_without_an_account_or_when_nothing_is_due(client, settings):
    settings.EGOV_VIETQR_BIN, settings.EGOV_VIETQR_ACCOUNT = "", ""
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "vietqr-code" not in page
    settings.EGOV_VIETQR_BIN, settings.EGOV_VIETQR_ACCOUNT = BIN, ACCOUNT
    assert (
        "vietqr-code" in client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    )
    assert vietqr.for_fee_notice(dossier, 0) is None
