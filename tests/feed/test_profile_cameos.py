"""A profile shows the person's active cameos, who may use them, and where the viewer stands."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from cameos.models import Cameo, CameoAccess
from cameos.services import access
from feed.graph.services import block_create, follow_create
from feed.models import User
from tests.builders.cameos import active_cameo


def cameo_states(client: Client, handle: str) -> dict[str, str]:
    """{cameo handle: state} as the profile page renders them for the signed-in client."""
    body = client.get(reverse("profile", args=[handle])).content.decode()
    return dict(re.findall(r'data-cameo="(\w+)" data-state="(\w+)"', body))


def befriend(one: User, other: User) -> None:
    follow_create(follower=one, followee=other)
    follow_create(follower=other, followee=one)


def test_mutuals_cameo_is_usable_by_a_mutual_and_not_by_a_stranger(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    active_cameo(alice, access=Cameo.Access.MUTUALS)
    befriend(alice, bob)
    assert cameo_states(client, "alice") == {"alice": "sign_in"}
    page = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "@alice&#x27;s mutual followers can use it." in page

    client.force_login(alice)
    assert cameo_states(client, "alice") == {"alice": "own"}
    client.force_login(bob)
    assert cameo_states(client, "alice") == {"alice": "can_use"}
    client.force_login(charlie)
    assert cameo_states(client, "alice") == {"alice": "not_available"}
    page = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "Only @alice&#x27;s mutual followers can use their cameo." in page and "Ask to use" not in page


def test_ask_to_use_from_the_profile_then_approval(client: Client, alice: User, charlie: User) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.APPROVED)
    client.force_login(charlie)
    profile_url = reverse("profile", args=["alice"])
    assert cameo_states(client, "alice") == {"alice": "can_ask"}
    response = client.post(reverse("cameo_request_access", args=["alice"]), {"next": profile_url})
    assert response.status_code == 302 and response.url == profile_url
    assert CameoAccess.objects.get(cameo=cameo, user=charlie).state == CameoAccess.State.REQUESTED
    assert cameo_states(client, "alice") == {"alice": "requested"}
    access.cameo_approve_access(cameo=cameo, by=alice, user=charlie)
    assert cameo_states(client, "alice") == {"alice": "can_use"}
    access.cameo_revoke_access(cameo=cameo, by=alice, user=charlie)
    assert cameo_states(client, "alice") == {"alice": "not_available"}


def test_ask_never_redirects_off_site(client: Client, alice: User, charlie: User) -> None:
    active_cameo(alice, access=Cameo.Access.APPROVED)
    client.force_login(charlie)
    response = client.post(reverse("cameo_request_access", args=["alice"]), {"next": "https://evil.example/"})
    assert response.url == reverse("cameo_detail", args=["alice"])


def test_teen_cameo_is_never_askable_beyond_mutuals(client: Client, teen: User, bob: User, charlie: User) -> None:
    active_cameo(teen, access=Cameo.Access.APPROVED)
    befriend(teen, bob)
    client.force_login(charlie)
    assert cameo_states(client, teen.username) == {teen.username: "not_available"}
    # The cameo's own page follows the same rule (it used to offer the button on the level alone).
    assert b"Ask for access" not in client.get(reverse("cameo_detail", args=[teen.username])).content
    client.force_login(bob)
    assert cameo_states(client, teen.username) == {teen.username: "can_ask"}
    assert b"Ask for access" in client.get(reverse("cameo_detail", args=[teen.username])).content


def test_block_hides_the_cameo_both_ways(client: Client, alice: User, charlie: User) -> None:
    active_cameo(alice, access=Cameo.Access.EVERYONE)
    client.force_login(charlie)
    assert cameo_states(client, "alice") == {"alice": "can_use"}
    block_create(blocker=alice, blocked=charlie)
    assert cameo_states(client, "alice") == {}
    client.force_login(alice)
    assert cameo_states(client, "charlie") == {}


def test_only_active_cameos_show_and_a_paused_one_is_not_available(client: Client, alice: User, bob: User) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE)
    Cameo.objects.create(owner=alice, handle="rex_draft", kind=Cameo.Kind.PET, name="Rex", status=Cameo.Status.QUEUED)
    client.force_login(bob)
    assert cameo_states(client, "alice") == {"alice": "can_use"}
    access.cameo_pause(cameo=cameo, by=alice, paused=True)
    assert cameo_states(client, "alice") == {"alice": "not_available"}
    assert "has paused their cameo" in client.get(reverse("profile", args=["alice"])).content.decode()
