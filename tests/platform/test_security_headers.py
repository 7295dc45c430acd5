"""Content-Security-Policy and Permissions-Policy on every page (the browser tests check that the pages
still work under them: tests/browser/conftest.py fails any test on a violation)."""

from __future__ import annotations

import re

from django.test import Client

from feed.models import User


def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client: Client, db) -> None:
    response = client.get("/login/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["script-src"]  # no nonce used on this page
    assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    features = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    assert features["camera"] == features["microphone"] == "(self)"
    assert features["geolocation"] == "()"


def test_an_inline_script_runs_only_with_the_pages_nonce(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/cameos/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline and all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline)
