"""`manage.py api_key_create <handle> [--name NAME]`: an operator makes a /v1 key for a user; it is printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.accounts.models import User
from generation.api.keys import api_key_create
from sora_site.errors import DomainError


class Command(BaseCommand):
    help = "Create an API key for /v1 and print it (it is stored hashed and cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle", help="the user's handle (username), with or without @")
        parser.add_argument("--name", default="Created with manage.py", help="a name to recognise the key by")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        handle = str(options["handle"]).lstrip("@").lower()
        owner = User.objects.filter(username=handle).first()
        if owner is None:
            raise CommandError(f"There is no user @{handle}.")
        try:
            key, raw = api_key_create(owner=owner, name=options["name"], expires_in_days=options["expires_in_days"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stderr.write(f"Key {key.public_id} ({key.name}) for @{owner.username}; it is shown only this once:")
        self.stdout.write(raw)
