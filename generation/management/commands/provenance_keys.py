"""`manage.py provenance_keys`: make the development C2PA CA and signing certificate (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from generation.provenance.keys import KeyFiles, keys_generate


class Command(BaseCommand):
    help = "Generate a dev CA and an ES256 C2PA signing certificate into a git-ignored folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder",
            type=Path,
            default=None,
            help="write signer.pem, signer.key, ca.pem here (default: the C2PA_* settings)",
        )

    def handle(self, *args: Any, folder: Path | None, **options: Any) -> None:
        files = KeyFiles.in_folder(folder) if folder else KeyFiles.configured()
        written = keys_generate(files)
        self.stdout.write(
            f"{'Wrote' if written else 'Kept'} C2PA signing keys: {files.cert}, {files.key}, {files.anchors}"
        )
