"""The port that signs a certificate's PDF with the issuing office's key (NAT-10), and its PAdES adapter.

NAT-10 gives an electronic title certificate the force of a paper one; what makes it so is the issuing
office's signature, which anyone verifies offline against the office's published certificate
(`GET /api/v1/documents/signing-certificate`). `PadesSigner` signs with pyHanko: a PAdES baseline
signature (ETSI.CAdES.detached) by a PKCS#8 key whose X.509 certificate — and the rest of its chain, when
the certificate file holds one — is embedded in the signature.

China's own electronic licences (电子证照, GB/T 33190 OFD documents with SM2/SM3 seals) would plug in
here: an `OfdSm2Signer` implementing `CertificateSigner` replaces `PadesSigner` in `app.py`, and
nothing above the port changes.

Outside production, a service started without `ZC_CERTIFICATE_KEY_FILE`/`ZC_CERTIFICATE_CERT_FILE`
generates a self-signed key and certificate in the issuer's name
(`zhicheng_kernel.signing.self_signed_certificate`); production refuses to start without both (the
settings' validator).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

log = logging.getLogger(__name__)

SIGNATURE_FIELD = "职称资格证书签章"
DEVELOPMENT_KEY = "certificate-key.pem"
DEVELOPMENT_CERT = "certificate-cert.pem"


class CertificateSigner(Protocol):
    """Signs a rendered certificate with the issuing office's key; publishes the certificate to verify it by."""

    async def sign(self, pdf: bytes) -> bytes:
        """The PDF with the office's signature (and what a verifier needs to check it offline) added."""
        ...

    def certificate_pem(self) -> str:
        """The office's signing certificate (PEM), as published for offline verification."""
        ...


class PadesSigner:
    """PAdES with pyHanko: the key signs, the certificate chain is embedded, the whole file is covered."""

    def __init__(self, key_pem: bytes, cert_pem: bytes, *, location: str = "平凉市") -> None:
        certs = list(load_certs_from_pemder_data(cert_pem))
        if not certs:
            raise ValueError("the certificate file holds no certificate")
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple(certs)
        self._signer = signers.SimpleSigner(
            signing_cert=certs[0],
            signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
            cert_registry=registry,
        )
        self._cert_pem = b"".join(_pem_blocks(cert_pem)).decode("ascii")
        self._location = location

    @classmethod
    def from_files(cls, key_file: Path, cert_file: Path, *, location: str = "平凉市") -> PadesSigner:
        return cls(key_file.read_bytes(), cert_file.read_bytes(), location=location)

    async def sign(self, pdf: bytes) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="职称资格证书（电子证书与纸质证书具有同等效力）",
            location=self._location,
        )
        out = await signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=self._signer)
        return bytes(out.getvalue())

    def certificate_pem(self) -> str:
        return self._cert_pem


def _pem_blocks(data: bytes) -> list[bytes]:
    """Each certificate of a PEM file, normalised (a chain file may carry comments between them)."""
    return [
        x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)
        for cert in load_certs_from_pemder_data(data)
    ]
