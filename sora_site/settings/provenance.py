"""Provenance (generation/provenance, feed/verify): watermarks, C2PA signing, the verify page."""

from __future__ import annotations

from pathlib import Path

from sora_site.env import env_int, env_path, env_str
from sora_site.settings.base import VAR_DIR

SITE_NAME = env_str("SITE_NAME", "OpenReel")  # drawn on every video with the creator's @handle
# C2PA signing: `manage.py provenance_keys` (run by `make run`) makes a dev CA and signer here;
# production points these at its real certificate chain (leaf first), PKCS#8 key and trust anchors.
_C2PA_DIR = VAR_DIR / "c2pa"
C2PA_CERT_FILE: Path = env_path("C2PA_CERT_FILE", _C2PA_DIR / "signer.pem")
C2PA_KEY_FILE: Path = env_path("C2PA_KEY_FILE", _C2PA_DIR / "signer.key")
C2PA_TRUST_ANCHORS_FILE: Path = env_path("C2PA_TRUST_ANCHORS_FILE", _C2PA_DIR / "ca.pem")
# The verify page: upload size, how many checks a client may run per minute.
VERIFY_MAX_BYTES = env_int("VERIFY_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
VERIFY_PER_MINUTE = env_int("VERIFY_PER_MINUTE", 10, minimum=1)
