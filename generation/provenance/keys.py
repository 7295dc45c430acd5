"""Signing credentials for C2PA: a dev CA and an ES256 leaf made at setup, or production files.

C2PA validators refuse self-signed and wrong-purpose certificates: the leaf must be issued by a CA,
P-256, with ExtendedKeyUsage emailProtection, cA=false, digitalSignature, SKI and AKI.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

CA_FILE = "ca.pem"
CERT_FILE = "signer.pem"  # the leaf followed by its CA: the chain a manifest carries
KEY_FILE = "signer.key"


@dataclass(frozen=True)
class KeyFiles:
    cert: Path
    key: Path
    anchors: Path

    @classmethod
    def in_folder(cls, folder: Path) -> KeyFiles:
        return cls(folder / CERT_FILE, folder / KEY_FILE, folder / CA_FILE)

    @classmethod
    def configured(cls) -> KeyFiles:
        return cls(settings.C2PA_CERT_FILE, settings.C2PA_KEY_FILE, settings.C2PA_TRUST_ANCHORS_FILE)


@dataclass(frozen=True)
class SigningMaterial:
    chain_pem: bytes
    key_pem: bytes  # PKCS#8
    anchors_pem: bytes  # CAs whose signatures read as Trusted


def keys_generate(files: KeyFiles, *, organisation: str = "OpenReel (development)") -> bool:
    """Write a dev CA, a signing leaf and its key unless all three files exist. True if written."""
    if all(path.exists() for path in (files.cert, files.key, files.anchors)):
        return False
    for path in (files.cert, files.key, files.anchors):
        path.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation), _cn("dev root CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation), _cn("video signer")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files.key.write_bytes(leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    files.key.chmod(0o600)
    files.cert.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    files.anchors.write_bytes(ca.public_bytes(pem))
    return True


def _cn(value: str) -> x509.NameAttribute:
    return x509.NameAttribute(NameOID.COMMON_NAME, value)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@cache
def _material(cert: Path, key: Path, anchors: Path) -> SigningMaterial:
    missing = [str(path) for path in (cert, key, anchors) if not path.is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"C2PA signing files missing: {', '.join(missing)}. Run `manage.py provenance_keys` "
            "(development) or set C2PA_CERT_FILE, C2PA_KEY_FILE and C2PA_TRUST_ANCHORS_FILE."
        )
    return SigningMaterial(chain_pem=cert.read_bytes(), key_pem=key.read_bytes(), anchors_pem=anchors.read_bytes())


def signing_material() -> SigningMaterial:
    """The configured credentials (cached per set of paths, so tests can point settings elsewhere).

    Left at their defaults (under VAR_DIR), missing files are made here as development keys: a bare
    `manage.py runserver` signs too. Configured paths are never written.
    """
    files = KeyFiles.configured()
    if files == KeyFiles.in_folder(settings.VAR_DIR / "c2pa") and keys_generate(files):
        log.warning("made development C2PA signing keys in %s; set C2PA_* for production", files.cert.parent)
    return _material(files.cert, files.key, files.anchors)


def trust_anchors_pem() -> bytes:
    return signing_material().anchors_pem
