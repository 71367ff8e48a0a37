"""Text that comes in from outside: refused when no database can keep it, stored in NFC.

A NUL byte is refused by PostgreSQL, a lone surrogate ("\\ud800", which a JSON escape or a
form field can carry) by every UTF-8 encoder: both used to surface as 500s, and on SQLite a
surrogate could even be committed inside a JSON column and break every later read of the row.
So both are refused at the edge, once, for every text input (query string, form fields, file
names, JSON bodies). What is accepted is normalised to NFC: the same Vietnamese word typed on
two keyboards (composed "ế" or "e" + two combining marks) is then stored, and found, the same.

The edge: :class:`InputMiddleware` (query strings; form data of pages and of Django's own
parsing, also when DRF falls back to it) and the API's parsers (:class:`JSONParser`,
:class:`FormParser`, :class:`MultiPartParser`, the REST framework's defaults).
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

_BAD = re.compile("[\x00\ud800-\udfff]")
# Control and format characters (CR, LF, TAB, bidi overrides...) have no place in a file name.
_NAME_DROP = {"Cc", "Cf"}
# Deeper than this no form or application of ours goes; json itself stops near 1,000 levels
# with a RecursionError, which used to be a 500.
MAX_DEPTH = 64
NAME_MAX = 200


class BadText(ValueError):
    """A text input holds a NUL byte or a lone surrogate."""

    def __init__(self, where: str = ""):
        self.where = where
        super().__init__(message(where))


def message(where: str = "") -> str:
    if where:
        return _(
            "The field %(field)s holds a character that cannot be stored (a NUL byte or a broken"
            " Unicode character). Remove it and send again."
        ) % {"field": where}
    return _(
        "The request holds a character that cannot be stored (a NUL byte or a broken Unicode"
        " character). Remove it and send again."
    )


def clean_text(value: str, where: str = "") -> str:
    """The text in NFC; :class:`BadText` when it holds a NUL or a lone surrogate."""
    if value.isascii():
        if "\x00" in value:
            raise BadText(where)
        return value
    if _BAD.search(value):
        raise BadText(where)
    if unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def clean_data(data, where: str = "", depth: int = 0):
    """Parsed JSON with every string (keys too) through :func:`clean_text`."""
    if depth > MAX_DEPTH:
        raise TooDeep()
    if isinstance(data, str):
        return clean_text(data, where)
    if isinstance(data, dict):
        return {
            clean_text(key, where): clean_data(value, where or key, depth + 1)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [clean_data(item, where, depth + 1) for item in data]
    return data


def clean_filename(name: str) -> str:
    """A file name as sent, reduced to something safe to store and to send back: no path parts,
    no control characters, NFC, at most ``NAME_MAX`` characters (the extension kept)."""
    name = clean_text(name or "", "filename")
    name = name.replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _NAME_DROP).strip()
    name = name.lstrip(".").strip()
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[: NAME_MAX - len(ext) - 1].rstrip() + (
            f".{ext}" if ext else ""
        )
    return name or "file"


def load_json(text: str | bytes):
    """json.loads for text from outside (a form field carrying JSON): :class:`BadText` for a
    ``\\u0000`` or lone-surrogate escape, :class:`ValueError` for broken or too deep JSON."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    return clean_data(data)


class TooDeep(ValueError):
    def __init__(self):
        super().__init__(_("The JSON body is nested too deeply."))


def clean_querydict(data: QueryDict) -> QueryDict:
    """The same QueryDict when nothing changes (nearly always), else a cleaned immutable copy."""
    changed = False
    lists = []
    for key, values in data.lists():
        new_key = clean_text(key, key)
        new_values = [clean_text(v, new_key) for v in values]
        changed = changed or new_key != key or new_values != values
        lists.append((new_key, new_values))
    if not changed:
        return data
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in lists:
        copy.setlistdefault(key, []).extend(values)
    copy._mutable = False
    return copy


def clean_files(files: MultiValueDict) -> MultiValueDict:
    for _key, items in files.lists():
        for item in items:
            item.name = clean_filename(item.name)
    return files


# --- the API: parsers (the REST framework's defaults, settings.REST_FRAMEWORK) -----------------


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        super().__init__(
            _("The request body is larger than %(mb)s MB.")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}
        )


def _parse_error(error: ValueError) -> exceptions.ParseError:
    return exceptions.ParseError(str(error) if isinstance(error, BadText | TooDeep) else None)


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size cap (Django's own cap does not apply: DRF reads the raw
    stream), a depth cap, and every string cleaned (:func:`clean_text`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise TooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise _parse_error(TooDeep()) from None
        except json.JSONDecodeError as error:
            raise exceptions.ParseError(
                _("The JSON body is not valid (line %(line)s, column %(column)s).")
                % {"line": error.lineno, "column": error.colno}
            ) from None
        except ValueError:  # not UTF-8, NaN or Infinity
            raise exceptions.ParseError(_("The JSON body is not valid.")) from None
        try:
            return clean_data(data)
        except (BadText, TooDeep) as error:
            raise _parse_error(error) from None


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return clean_querydict(super().parse(stream, media_type, parser_context))
        except BadText as error:
            raise _parse_error(error) from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        try:
            return parsers.DataAndFiles(clean_querydict(result.data), clean_files(result.files))
        except BadText as error:
            raise _parse_error(error) from None


# --- Django's own form parsing and the query string: a middleware ------------------------------


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def refusal(request, error: BadText):
    """The API's error shape under /api/, else a page that says what was wrong."""
    text = str(error)
    if _is_api(request):
        fields = {error.where: [text]} if error.where else {}
        return JsonResponse({"code": "invalid_text", "message": text, "fields": fields}, status=400)
    return render(request, "core/bad_input.html", {"message": text}, status=400)


class InputMiddleware:
    """Cleans the query string, and Django's parsing of form bodies, for every request.

    The form body is parsed lazily as before (a view may still choose its upload handlers, the
    exchange's batch does), with the cleaning attached to the parse; a page's form is parsed here
    already, so that a refusal is a 400 page rather than an error inside the CSRF check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if "\x00" in request.path_info:  # /d/%00/: a lookup PostgreSQL refuses
                raise BadText("")
            request.GET = clean_querydict(request.GET)
            if request.content_type not in FORM_TYPES:
                return self.get_response(request)
            load = request._load_post_and_files

            def load_and_clean():
                load()
                try:
                    request._post = clean_querydict(request._post)
                    request._files = clean_files(request._files)
                except BadText:
                    request._post, request._files = QueryDict(), MultiValueDict()
                    raise

            request._load_post_and_files = load_and_clean
            if request.method == "POST" and not _is_api(request):
                request.POST  # noqa: B018 - parsed here, where a refusal can be answered
        except BadText as error:
            return refusal(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadText):
            return refusal(request, exception)
        return None
