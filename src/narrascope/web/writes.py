"""Who may write, decided before the upload is read.

Every write route (``POST /ingest``, ``/api/ingest``, ``/api/ingest/jobs``) takes its body through
``authorized_body``, which refuses, in this order and with code NS405:

1. any write when the server has no write token (403);
2. a request sent by another site's page (403, even with the right token): a ``Sec-Fetch-Site``
   other than ``same-origin`` or ``none``, or an ``Origin`` (without one, a ``Referer``) naming
   another host than the request's ``Host``. ``Origin: null`` is another site too. Clients that send
   neither (curl, scripts) pass: browsers always send ``Origin`` on a POST;
3. a body declared larger than ``web.max_upload_bytes`` (413), before reading it;
4. a missing or wrong token. The token comes in ``Authorization: Bearer TOKEN``, checked before a
   byte of the body is read, or, from the ingest page's plain form, in a ``token`` field among the
   first ``FORM_TOKEN_WINDOW`` bytes of the body (the form puts it first): a request without it is
   refused having read at most that much, never the whole upload. None: 401; a wrong one: 403.
"""

from __future__ import annotations

import hmac
from urllib.parse import unquote_plus, urlsplit

from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import Request

__all__ = ["FORM_TOKEN_WINDOW", "WRITE_REFUSED", "WriteRefused", "authorized_body", "check_same_site",
           "token_matches"]

#: The most bytes of a body read to find a form's ``token`` field.
FORM_TOKEN_WINDOW = 65_536
#: The code of every refused write.
WRITE_REFUSED = "NS405"
#: ``Sec-Fetch-Site`` values of a request the workbench's own pages (or a user) made.
OWN_SITE = ("same-origin", "none")
DEFAULT_PORTS = {"http": 80, "https": 443}


class WriteRefused(HTTPException):
    """An HTTP error with narrascope's code (the error handlers show it)."""

    code = WRITE_REFUSED


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def _same_host(url: str, host: str) -> bool:
    """Whether ``url`` (an Origin or Referer) names the server that ``host`` (the Host header) names."""
    try:
        parts = urlsplit(url.strip())
        there = urlsplit(f"//{host.strip()}")
        port, own_port = parts.port, there.port
    except ValueError:  # a port that is no number
        return False
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return False
    default = DEFAULT_PORTS[parts.scheme]
    return parts.hostname == there.hostname and (port or default) == (own_port or default)


def check_same_site(request: Request) -> None:
    """Refuse (403) a request another site's page sent."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    host = request.headers.get("host", "")
    foreign = (site is not None and site.lower() not in OWN_SITE) or \
        (origin is not None and not _same_host(origin, host)) or \
        (origin is None and referer is not None and not _same_host(referer, host))
    if foreign:
        raise WriteRefused(403, "Refused: this write comes from another site's page. Upload from the workbench's"
                                " own ingest page, or from a script with the token in the Authorization header.")


def _refuse_token(status: int, message: str) -> WriteRefused:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return WriteRefused(status, message, headers=headers)


async def authorized_body(request: Request, limit: int) -> bytes:
    """The request's body once the write is allowed (see the module docstring); at most ``limit`` bytes (413)."""
    expected = request.app.state.write_token
    if expected is None:
        raise WriteRefused(403, "This server is read-only: start it with a write token to ingest"
                                " (narrascope serve --write-token-env VAR).")
    check_same_site(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"Upload larger than {limit} bytes.")
    header = request.headers.get("authorization", "")
    body = bytearray()
    stream = request.stream()
    if header:
        if not (header.startswith("Bearer ") and token_matches(header[7:].strip(), expected)):
            raise _refuse_token(403, "Wrong write token.")
    else:
        content_type = request.headers.get("content-type", "")
        token: str | None = None
        whole = True  # the body ended before a token field was complete
        async for chunk in stream:
            body += chunk
            if len(body) > limit:
                raise HTTPException(413, f"Upload larger than {limit} bytes.")
            token = form_token(content_type, bytes(body), complete=False)
            if token is not None:
                whole = False
                break
            if len(body) >= FORM_TOKEN_WINDOW:
                raise _refuse_token(401, "A write token is required: send it in the Authorization header,"
                                         " or as the first field of the form.")
        if whole:
            token = form_token(content_type, bytes(body), complete=True)
        if not token:
            raise _refuse_token(401, "A write token is required.")
        if not token_matches(token, expected):
            raise _refuse_token(403, "Wrong write token.")
    async for chunk in stream:
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"Upload larger than {limit} bytes.")
    return bytes(body)


def form_token(content_type: str, data: bytes, *, complete: bool) -> str | None:
    """The value of the first ``token`` field among the fields ``data`` holds whole (all of them when
    ``complete``), or None. A form of another type has none."""
    kind, options = parse_options_header(content_type)
    if kind == b"application/x-www-form-urlencoded":
        pairs = data.split(b"&")
        for pair in pairs if complete else pairs[:-1]:
            name, _, value = pair.partition(b"=")
            if unquote_plus(name.decode("latin-1")) == "token":
                return unquote_plus(value.decode("latin-1"))
        return None
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        return None
    # b"\r\n" + data, split at each delimiter: [preamble, part, part, ..., what follows the last one];
    # the last piece is a part still arriving, or the closing "--".
    for part in (b"\r\n" + data).split(b"\r\n--" + boundary)[1:-1]:
        head, found, value = part.partition(b"\r\n\r\n")
        if not found:
            continue
        for line in head.split(b"\r\n"):
            name, _, header_value = line.partition(b":")
            if name.strip().lower() != b"content-disposition":
                continue
            disposition, params = parse_options_header(header_value)
            if params.get(b"name") == b"token" and b"filename" not in params:
                return value.decode("utf-8", "replace")
    return None
