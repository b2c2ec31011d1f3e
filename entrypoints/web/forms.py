"""HTML forms as a browser posts them (``application/x-www-form-urlencoded``), read with a bound."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from entrypoints.rest.inputs import read_body
from entrypoints.rest.problems import HttpProblem

FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024       # a dispute's text and a few fields; anything bigger is not from our forms
MAX_FIELDS = 32


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The form's fields (a repeated name keeps its last value); 415 for another encoding, 413 past the bound,
    400 for what no browser sends (bytes that are not UTF-8, more fields than any of our forms has)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != FORM:
        raise HttpProblem(415, "unsupported_media_type", "this page takes a form, as a browser sends it")
    raw = await read_body(request, max_bytes)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS,
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpProblem(400, "bad_form", "the form could not be read") from None
    return dict(pairs)
