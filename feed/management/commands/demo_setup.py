"""`make run`'s set-up in one process (one Django start instead of four): migrate, the dev C2PA keys,
the shipped public-figure registry, then the demo data (seed_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, make the dev signing keys, load the public-figure registry and seed the demo (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("==> migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("provenance_keys", stdout=self.stdout)  # the dev C2PA CA and signer, once, into var/c2pa
        call_command("public_figures_load", stdout=self.stdout)  # added or brought up to date
        self.stdout.write("==> demo data (renders four short videos the first time)")
        call_command("seed_demo", stdout=self.stdout)
