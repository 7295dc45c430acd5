"""Log-in and sign-up throttling (django-axes per handle and address; the cache-backed limiter per
address for sign-up), through the pages a guesser would use."""

from __future__ import annotations

import datetime as dt
import secrets

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from feed.models import User
from tests.conftest import PASSWORD
from tests.feed.accounts.test_accounts import signup_data


def log_in(client: Client, password: str, address: str = "198.51.100.7") -> int:
    response = client.post(reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR=address)
    return response.status_code


def test_wrong_passwords_lock_the_handle_out_from_that_address(alice: User, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    assert [log_in(client, "not-the-password") for _ in range(5)] == [200, 200, 200, 200, 429]
    locked = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert locked.status_code == 429 and "_auth_user_id" not in client.session  # the right password too
    assert "ログインの失敗が多すぎます。15分後にもう一度お試しください。" in locked.content.decode()
    # Another address is not locked out (a guesser can't lock the owner out everywhere).
    elsewhere = Client()
    assert log_in(elsewhere, PASSWORD, address="198.51.100.8") == 302
    # After the cool-off, the right password works again from the first address.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert log_in(client, PASSWORD) == 302 and "_auth_user_id" in client.session


def test_sign_ups_from_one_address_are_limited(db, settings) -> None:
    settings.SIGNUP_PER_HOUR = 3
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # counts live in Redis for an hour
    for number in range(3):
        response = Client().post(reverse("signup"), signup_data(username=f"newbie{number}"), REMOTE_ADDR=address)
        assert response.status_code == 302
    refused = Client().post(reverse("signup"), signup_data(username="newbie9"), REMOTE_ADDR=address)
    assert refused.status_code == 429 and "Too many sign-ups from your network" in refused.content.decode()
    assert not User.objects.filter(username="newbie9").exists()
