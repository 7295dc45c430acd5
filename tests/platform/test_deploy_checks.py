"""`manage.py check --deploy`: C2PA signing files each host would make for itself are refused."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


def test_default_c2pa_files_under_var_dir_fail_the_deploy_check() -> None:
    folder = Path(settings.VAR_DIR) / "c2pa"
    with override_settings(
        C2PA_CERT_FILE=folder / "signer.pem",
        C2PA_KEY_FILE=folder / "signer.key",
        C2PA_TRUST_ANCHORS_FILE=folder / "ca.pem",
    ):
        with pytest.raises(SystemCheckError, match=r"generation\.W001.*each host makes for itself"):
            call_command("check", "--deploy", "--fail-level", "WARNING", stdout=StringIO(), stderr=StringIO())


def test_c2pa_files_deployed_to_their_own_path_pass(tmp_path: Path) -> None:
    call_command("provenance_keys", "--folder", str(tmp_path), stdout=StringIO())
    with override_settings(
        C2PA_CERT_FILE=tmp_path / "signer.pem",
        C2PA_KEY_FILE=tmp_path / "signer.key",
        C2PA_TRUST_ANCHORS_FILE=tmp_path / "ca.pem",
    ):
        try:
            call_command("check", "--deploy", "--fail-level", "WARNING", stdout=StringIO(), stderr=StringIO())
        except SystemCheckError as failure:  # the test settings fail other deploy checks (DEBUG, HTTPS)
            assert "generation.W001" not in str(failure)
