"""Where a webhook may go: an http(s) URL on a public host, resolved once and pinned (a server-side request
forgery guard), and what a log may say about a URL."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from sora_site.errors import DomainError


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL taken apart, with the addresses its host resolved to when it was checked: delivery
    connects to one of these, never resolving the name again (a second answer could be a private one)."""

    scheme: str
    hostname: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def url_redacted(url: str) -> str:
    """`scheme://host[:port]/…`: what a log may say about a URL whose user info, path or query can hold a secret."""
    try:
        parts = urlsplit(url)
        netloc = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:
        return "(unparsable URL)"
    return f"{parts.scheme}://{netloc}/…"


def webhook_url_check(url: str) -> WebhookTarget:
    """An http(s) URL whose host does not resolve to this machine or a private network (unless allowed):
    checked when the endpoint is added and again before each delivery (DNS may change). The host is
    resolved once here and every address checked; the delivery connects to those addresses."""
    refused = DomainError("invalid_value", "Enter an http:// or https:// URL (at most 500 characters).", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range or not a number, an unclosed [IPv6 literal
        raise refused from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise refused
    try:
        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port)))
        hostname = parts.hostname.encode("idna").decode("ascii")  # as the Host header and TLS name carry it
    except (OSError, UnicodeError):
        raise DomainError("invalid_value", f"{parts.hostname} does not resolve.", field="url") from None
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise DomainError(
                    "invalid_value",
                    f"{parts.hostname} is on a private network; webhooks go to public hosts.",
                    field="url",
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(parts.scheme, hostname, port, target, addresses)
