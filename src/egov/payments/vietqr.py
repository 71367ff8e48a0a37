"""VietQR: a bank-transfer code for a fee notice (NAPAS 247 interbank transfer to an account).

A VietQR is an EMVCo merchant-presented QR code ("EMV QR Code Specification for Payment Systems,
Merchant-Presented Mode") with NAPAS's merchant account template (NAPAS "VietQR" IBFT
specification, v1.5.2). Every data object is ID (2 digits), length (2 digits), value:

- 00 payload format indicator "01"; 01 point of initiation "12" (dynamic: it carries an amount;
  "11" is a static code without one);
- 38 merchant account information, NAPAS's template: 00 its GUID "A000000727"; 01 the
  beneficiary organisation (00 the bank's BIN, 6 digits; 01 the account number); 02 the service
  code "QRIBFTTA" (transfer to an account; "QRIBFTTC" is to a card);
- 53 currency "704" (VND, ISO 4217); 54 the amount (whole đồng); 58 country "VN";
- 62 additional data: 08 the purpose of the transaction (the transfer's content, here the
  dossier code, so that the desk can match the transfer when it records it);
- 63 the CRC: CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of everything before it,
  "6304" included, as four upper-case hex digits.

The code is drawn as a PNG (qrcode, error correction M) and put in the page as a data URI: no
JavaScript, no second request. tests/payments/test_vietqr.py reads it back with zbarimg and its
own TLV parser.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

from django.conf import settings

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
VND = "704"
PURPOSE_MAX = 25  # EMVCo: a purpose of transaction holds at most 25 characters


@dataclass(frozen=True)
class Account:
    bin: str  # the bank's NAPAS BIN (Acquirer ID), 6 digits
    number: str
    name: str = ""
    bank_name: str = ""


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo data object {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def purpose_text(text: str) -> str:
    """What a bank app accepts as a transfer's content: ASCII letters, digits, '.', '-' and
    spaces, at most 25 characters (a dossier code fits)."""
    return re.sub(r"[^A-Za-z0-9 .\-]", "", text)[:PURPOSE_MAX]


def payload(account: Account, amount_vnd: int, purpose: str = "") -> str:
    """The VietQR payload for ``amount_vnd`` đồng to ``account``."""
    if not (len(account.bin) == 6 and account.bin.isdigit()):
        raise ValueError("a bank BIN has 6 digits")
    if not (0 < len(account.number) <= 19 and account.number.isalnum()):
        raise ValueError("an account number has 1 to 19 letters or digits")
    if amount_vnd <= 0:
        raise ValueError("the amount must be positive")
    beneficiary = tlv("00", account.bin) + tlv("01", account.number)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", TO_ACCOUNT)
    data = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", VND)
        + tlv("54", str(int(amount_vnd)))
        + tlv("58", "VN")
    )
    purpose = purpose_text(purpose)
    if purpose:
        data += tlv("62", tlv("08", purpose))
    data += "6304"
    return data + f"{crc16_ccitt(data.encode('ascii')):04X}"


def png(data: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def collecting_account() -> Account | None:
    """The account set in the settings (EGOV_VIETQR_*), or None: no code is shown."""
    bin_, number = settings.EGOV_VIETQR_BIN, settings.EGOV_VIETQR_ACCOUNT
    if not (bin_ and number):
        return None
    return Account(bin_, number, settings.EGOV_VIETQR_ACCOUNT_NAME, settings.EGOV_VIETQR_BANK_NAME)


def for_fee_notice(dossier, amount_vnd: int) -> dict | None:
    """What the fee page shows: the account, the amount, the transfer's content and the code as
    a PNG data URI; None when no account is set or nothing is due."""
    account = collecting_account()
    if account is None or amount_vnd <= 0:
        return None
    purpose = purpose_text(dossier.code)
    data = payload(account, amount_vnd, purpose)
    return {
        "account": account,
        "amount_vnd": amount_vnd,
        "purpose": purpose,
        "payload": data,
        "image": "data:image/png;base64," + base64.b64encode(png(data)).decode("ascii"),
    }
