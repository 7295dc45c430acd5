"""The authorization matrix (issue 19, item 6): every persona at every read and write door, web and /v1,
for every kind of object in its interesting states, against a written policy.

The doors come from the URLconf and the served OpenAPI document (`test_every_door_is_in_the_matrix`
fails when one appears that `DOORS` does not cover). The expected answers are the product's rules in
`policy.py` (who may read or write what in which state), not today's behaviour. The world is built
once through the services and builders (`world.py`); each cell runs in a savepoint that is rolled
back, so a write that should have been refused cannot change what the next cell sees. One test runs
every cell and lists every wrong one (a grant that should be a refusal, a refusal that should be a
grant, any 5xx) with the persona, door, object state, what it got and what was expected.
"""

from __future__ import annotations

import copy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.platform.authorization.doors import API_NAMESPACE, DOORS, NAMESPACE_DOORS, Door, Outcome
from tests.platform.authorization.policy import ALLOW, DENY, EITHER, OWNER, PERSONAS, Persona
from tests.platform.authorization.world import World, world_build

pytestmark = pytest.mark.slow


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    """Every pattern's name, namespaced as `reverse` spells it; an unnamed pattern by its regex."""
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(namespace + (pattern.name or f"<unnamed {pattern.pattern}>"))
    return names


def _api_operations() -> set[str]:
    document = Client().get("/v1/openapi.json").json()
    return {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}


@pytest.mark.django_db
def test_every_door_is_in_the_matrix() -> None:
    """A new URL pattern or /v1 operation fails here until the matrix knows which object it acts on."""
    mapped = {door.name for door in DOORS}
    names = _url_names(get_resolver())
    unmapped = sorted(
        name
        for name in names
        if name not in mapped and not any(name.startswith(f"{ns}:") for ns in (*NAMESPACE_DOORS, API_NAMESPACE))
    )
    assert not unmapped, f"URL patterns with no door in the authorization matrix: {unmapped}"
    operations = _api_operations()
    assert not sorted(operations - mapped), f"/v1 operations with no door in the matrix: {sorted(operations - mapped)}"
    stale = sorted(mapped - names - operations - set(NAMESPACE_DOORS.values()))
    assert not stale, f"doors in the matrix that the server no longer has: {stale}"


def _cell(world: World, door: Door, persona: Persona, state: str) -> str | None:
    """Run one cell in a savepoint that is rolled back. The wrong answer in words, or None."""
    target = world.targets[door.kind][state]
    user = target.owner if persona == OWNER else world.personas[persona]
    if persona != OWNER and user is not None and user.pk == target.owner.pk:
        return None  # this state's owner is that persona (a suspended owner): the owner column covers it
    expected = door.rule(persona, state)
    client = world.client(user, api=door.api)
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        outcome: Outcome = door.send(client, world, target)
        transaction.set_rollback(True)
    client.cookies = cookies  # the session (a log-out door ends it) and no messages carried over
    where = f"{persona:9} {door.label:40} {door.kind + '/' + state:38}"
    if outcome.status >= 500:
        return f"{where} got HTTP {outcome.status}, expected {expected} (no 5xx ever)"
    if expected == EITHER or outcome.granted == (expected == ALLOW):
        return None
    got = ALLOW if outcome.granted else DENY
    return f"{where} got {got} (HTTP {outcome.status}), expected {expected}"


@pytest.mark.django_db
def test_every_persona_at_every_door(settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the endpoint is on loopback (discard port) and never called
    world = world_build()
    cells = [
        (door, persona, state)
        for door in sorted(DOORS, key=lambda door: door.erases_files)
        for state in door.states
        for persona in PERSONAS
    ]
    wrong = [line for door, persona, state in cells if (line := _cell(world, door, persona, state)) is not None]
    assert not wrong, f"{len(wrong)} wrong cells of {len(cells)}:\n" + "\n".join(wrong)
