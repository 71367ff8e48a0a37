"""The Content-Disposition of every download, built in one place (RFC 6266, RFC 8187).

A name is data from outside (an applicant's upload, a sending agency's package): set into the
header through an f-string, a quote in it let the sender add parameters (``a";filename*=UTF-8''
evil.exe;x=".pdf`` saved evil.exe), CR/LF made the response fail, and a Vietnamese name came
out MIME-encoded. Here the name loses path parts and control characters
(:func:`egov.core.inputs.clean_filename`), goes as ``filename*`` (UTF-8, percent-encoded) and
keeps an ASCII ``filename`` for old clients.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from egov.core import inputs

# The fallback keeps plain characters only: no quote, backslash, ";" or "=" for a sloppy parser.
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._()+,-]")


def safe_name(name: str) -> str:
    """The name as it may be sent: never refused here (it was stored long ago), only cleaned."""
    name = re.sub("[\x00\ud800-\udfff]", "", name or "")
    return inputs.clean_filename(name)


def ascii_name(name: str) -> str:
    """ "Quyết định số 1.pdf" -> "Quyet dinh so 1.pdf", for clients without RFC 8187."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NOT_PLAIN.sub("_", folded)


def content_disposition(name: str, *, attachment: bool = True) -> str:
    disposition = "attachment" if attachment else "inline"
    name = safe_name(name)
    fallback = ascii_name(name)
    if fallback == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"
