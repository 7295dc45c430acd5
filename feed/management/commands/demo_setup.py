"""`make run`'s set-up in one process (one Django start instead of four): migrate, the dev C2PA keys,
the shipped public-figure registry, then the demo data (seed_demo). Its stamp (sora_site.setup_stamp)
lets the next `make run` skip this process while nothing it depends on changed."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.migrations.recorder import MigrationRecorder

from sora_site.setup_stamp import setup_stamp_write


class Command(BaseCommand):
    help = "Migrate, make the dev signing keys, load the public-figure registry and seed the demo (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("==> migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("provenance_keys", stdout=self.stdout)  # the dev C2PA CA and signer, once, into var/c2pa
        call_command("public_figures_load", stdout=self.stdout)  # added or brought up to date
        self.stdout.write("==> demo data (renders four short videos the first time)")
        call_command("seed_demo", stdout=self.stdout)
        setup_stamp_write(
            var_dir=settings.VAR_DIR,
            database_url=os.environ.get("DATABASE_URL", ""),
            migrations_applied=MigrationRecorder.Migration.objects.count(),
        )
