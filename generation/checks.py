"""Deployment checks (`manage.py check --deploy`) for what generation needs on every host."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning

from generation.provenance.keys import KeyFiles


def c2pa_keys_shared(**kwargs: Any) -> list[CheckMessage]:
    """Signing files left at their defaults under VAR_DIR are made by each host for itself
    (`signing_material`): a gpu host's signatures would not be trusted by /verify/ on a web host."""
    if KeyFiles.configured() != KeyFiles.in_folder(settings.VAR_DIR / "c2pa"):
        return []
    return [
        Warning(
            "C2PA signing uses the development keys each host makes for itself in VAR_DIR/c2pa.",
            hint="Set C2PA_CERT_FILE, C2PA_KEY_FILE and C2PA_TRUST_ANCHORS_FILE to the same certificate "
            "chain, key and trust anchors on every host (docs/DEPLOYMENT.md).",
            id="generation.W001",
        )
    ]
