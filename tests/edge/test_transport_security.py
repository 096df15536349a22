"""Finding 9 of issue 12 (production part): "Kafka and Temporal are unauthenticated". Every Kafka client
gets SASL over TLS from the settings, Temporal clients mTLS, and production settings refuse a remote
broker or server without them; local development stays in plain text on the loopback."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError
from temporalio.service import TLSConfig
from zhicheng_kernel.kafka import client_options
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.temporal import TemporalGateway, temporal_tls

REMOTE = {
    "environment": "production",
    "service_client_secret": "s3cret",
    "kafka_bootstrap": "kafka-1:9092,kafka-2:9092",
    "temporal_address": "temporal:7233",
}


def _pem_pair(directory: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_finding_9_local_development_stays_plain_on_the_loopback() -> None:
    """Finding 9: "Keep local dev unchanged" — no options, no TLS, the loopback broker and dev server."""
    settings = ServiceSettings(environment="development")
    assert client_options(settings) == {}
    assert temporal_tls(settings) is False
    loopback_production = ServiceSettings(environment="production", service_client_secret="s")
    assert client_options(loopback_production) == {}, "ZC_ENVIRONMENT=production make run: loopback only"


def test_finding_9_production_refuses_an_unauthenticated_broker_and_temporal(tmp_path: Path) -> None:
    """Finding 9: "Kafka and Temporal are unauthenticated"."""
    with pytest.raises(ValidationError, match="SASL_SSL"):
        ServiceSettings(**REMOTE)
    password = tmp_path / "kafka-password"
    password.write_text("broker-pass\n")
    kafka = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "org-service",
        "kafka_sasl_password_file": password,
    }
    with pytest.raises(ValidationError, match="ZC_KAFKA_SASL_USERNAME"):
        ServiceSettings(**REMOTE, kafka_security_protocol="SASL_SSL")
    with pytest.raises(ValidationError, match="ZC_TEMPORAL_TLS_CA"):
        ServiceSettings(**REMOTE, **kafka)
    ca, _ = _pem_pair(tmp_path, "ca")
    cert, key = _pem_pair(tmp_path, "client")
    settings = ServiceSettings(
        **REMOTE, **kafka, temporal_tls_ca=ca, temporal_tls_cert=cert, temporal_tls_key=key, kafka_ca_file=ca
    )
    assert settings.kafka_security_protocol == "SASL_SSL"
    from_env = {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u", "kafka_sasl_password": "p"}
    tls = {"temporal_tls_ca": ca, "temporal_tls_cert": cert, "temporal_tls_key": key}
    assert client_options(ServiceSettings(**REMOTE, **from_env, **tls))["sasl_plain_password"] == "p"
    worker = ServiceSettings(**{**REMOTE, "kafka_bootstrap": ""}, **tls)
    assert worker.kafka_bootstrap == "", "a process without Kafka (the worker) needs no Kafka credentials"


def test_finding_9_kafka_clients_get_sasl_over_tls(tmp_path: Path) -> None:
    """Finding 9: every aiokafka client (relay, consumers, topic admin) gets the same security options."""
    password = tmp_path / "kafka-password"
    password.write_text("broker-pass\n")
    ca, _ = _pem_pair(tmp_path, "ca")
    settings = ServiceSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="review-service",
        kafka_sasl_password_file=password,
        kafka_ca_file=ca,
    )
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "review-service"
    assert options["sasl_plain_password"] == "broker-pass"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert context.get_ca_certs(), "the broker's CA is trusted"


def test_finding_9_temporal_clients_use_mutual_tls(tmp_path: Path) -> None:
    """Finding 9: the services' and the worker's Temporal clients present a certificate and check the server's."""
    ca, _ = _pem_pair(tmp_path, "ca")
    cert, key = _pem_pair(tmp_path, "client")
    settings = ServiceSettings(
        temporal_tls_ca=ca, temporal_tls_cert=cert, temporal_tls_key=key, temporal_tls_server_name="temporal"
    )
    tls = temporal_tls(settings)
    assert isinstance(tls, TLSConfig)
    assert tls.server_root_ca_cert == ca.read_bytes()
    assert tls.client_cert == cert.read_bytes() and tls.client_private_key == key.read_bytes()
    assert tls.domain == "temporal"
    assert TemporalGateway("temporal:7233", "default", "q", tls=tls).tls is tls
