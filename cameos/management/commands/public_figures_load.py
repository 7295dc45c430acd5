from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cameos.services.public_figures import STARTER_REGISTRY, public_figures_starter_load


class Command(BaseCommand):
    help = "Add the shipped public-figure registry (cameos/data/public_figures.toml), or bring it up to date."

    def handle(self, *args: Any, **options: Any) -> None:
        added, updated = public_figures_starter_load()
        self.stdout.write(f"{STARTER_REGISTRY.name}: {added} added, {updated} updated")
