"""A machine without a network, for crawl tests: every host name fails to resolve locally.

``-s TWISTED_DNS_RESOLVER=tests.offline_resolver.OfflineResolver`` is Scrapy's own
resolver, but importing this module first makes the process's name lookups fail
the way ``getaddrinfo`` fails offline (``EAI_AGAIN``) without asking any name
server, so no DNS query ever leaves the machine. IP literals still work.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from scrapy.resolver import CachingThreadedResolver


def _is_ip(host: Any) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _offline(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")


_real_gethostbyname = socket.gethostbyname
_real_getaddrinfo = socket.getaddrinfo


def gethostbyname(host: str) -> str:
    if _is_ip(host):
        return _real_gethostbyname(host)
    return _offline(host)


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is None or _is_ip(host):
        return _real_getaddrinfo(host, *args, **kwargs)
    return _offline(host)


socket.gethostbyname = gethostbyname
socket.getaddrinfo = getaddrinfo


class OfflineResolver(CachingThreadedResolver):
    """Scrapy's default resolver, in a process where no name resolves."""
