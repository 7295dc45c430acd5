"""`manage.py provenance_keys`: make the development C2PA CA and signing certificate (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from generation.provenance.keys import keys_generate


class Command(BaseCommand):
    help = "Generate a dev CA and an ES256 C2PA signing certificate into a git-ignored folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folder", type=Path, default=None, help="default: the folder of C2PA_CERT_FILE")

    def handle(self, *args: Any, folder: Path | None, **options: Any) -> None:
        target = folder or Path(settings.C2PA_CERT_FILE).parent
        written = keys_generate(target)
        self.stdout.write(f"{'Wrote' if written else 'Kept'} C2PA signing keys in {target}")
