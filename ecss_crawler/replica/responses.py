"""Building HTTP responses: content types, validators (ETag, Last-Modified) and 304 handling."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from ecss_crawler.replica.clock import http_date, parse_http_date
from ecss_crawler.replica.model import Response

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
PDF = "application/pdf"
PNG = "image/png"

#: Headers that a 304 repeats from the full response.
_KEPT_ON_304 = ("ETag", "Last-Modified", "Cache-Control", "Link")


def strong_etag(*parts: object) -> str:
    """A strong ETag over ``parts``."""
    digest = hashlib.sha1("|".join(map(str, parts)).encode(), usedforsecurity=False)
    return f'"{digest.hexdigest()[:24]}"'


def ok(
    body: str | bytes,
    content_type: str = HTML,
    *,
    etag: str = "",
    modified: datetime | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    """A 200 response; the ETag defaults to a hash of the body."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"Content-Type": content_type}
    headers["ETag"] = etag or strong_etag(hashlib.sha1(data, usedforsecurity=False).hexdigest())
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    headers.update(extra or {})
    return Response(200, headers, data)


def redirect(location: str, status: int = 301) -> Response:
    """A redirect, with the small HTML body WordPress does not send (empty)."""
    return Response(status, {"Location": location, "Content-Type": HTML}, b"")


def not_found(body: str) -> Response:
    """A 404 with WordPress's no-cache headers."""
    headers = {"Content-Type": HTML, "Cache-Control": "no-cache, must-revalidate, max-age=0"}
    return Response(404, headers, body.encode("utf-8"))


def conditional(response: Response, request_headers: Mapping[str, str] | None) -> Response:
    """Answer 304 when the request's validators match the response's."""
    if response.status != 200 or not request_headers:
        return response
    lowered = {key.lower(): value for key, value in request_headers.items()}
    etag = response.header("ETag")
    if "if-none-match" in lowered:
        tags = {tag.strip().replace('-gzip"', '"') for tag in lowered["if-none-match"].split(",")}
        if etag and (etag in tags or "*" in tags or f"W/{etag}" in tags):
            return _not_modified(response)
        return response
    since = parse_http_date(lowered.get("if-modified-since", ""))
    last = parse_http_date(response.header("Last-Modified") or "")
    if since and last and last <= since:
        return _not_modified(response)
    return response


def _not_modified(response: Response) -> Response:
    headers = {k: v for k, v in response.headers.items() if k in _KEPT_ON_304}
    return Response(304, headers, b"")
