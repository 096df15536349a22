"""Settings shared by every service process, read from ZC_* environment variables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZC_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    database_url: str = ""
    kafka_bootstrap: str = "127.0.0.1:24092"
    kafka_partitions: int = 3
    kafka_replication: int = 1
    temporal_address: str = "127.0.0.1:24233"
    temporal_namespace: str = "default"
    # The one task queue the workflows worker polls (every workflow of the system and its activities).
    workflow_task_queue: str = "zhicheng-workflows"
    # How often a service retries the workflow starts Temporal has not accepted yet (its start outbox).
    workflow_start_retry_seconds: float = 5.0
    org_url: str = "http://127.0.0.1:24101"
    application_url: str = "http://127.0.0.1:24102"
    review_url: str = "http://127.0.0.1:24103"
    plagiarism_url: str = "http://127.0.0.1:24104"
    # The provincial title office's system (the simulator under `make run`).
    province_url: str = "http://127.0.0.1:24105"
    service_client_id: str = ""
    service_client_secret: str = ""
    # How often a consumer asks the source's event feed for what Kafka may have missed while the system
    # is disturbed (the broker lost or restarted, events found that Kafka never announced), and how often
    # a quiet service looks for work nobody announced: feeds, topics, other replicas' writes (pace.py).
    catchup_interval_seconds: float = 2.0
    quiet_heartbeat_seconds: float = 30.0
    consumer_session_timeout_ms: int = 6000
    consumer_heartbeat_interval_ms: int = 2000
    # ZC_FAKE_NOW (ISO 8601 with offset) freezes every service's clock; refused in production.
    fake_now: datetime | None = None
    # Observability (zhicheng_kernel.telemetry, metrics): where spans go — none (made for the ids in logs,
    # then dropped), console, file (JSON lines at ZC_OTEL_FILE) or otlp (OTLP/HTTP to ZC_OTEL_ENDPOINT).
    otel_exporter: Literal["none", "console", "file", "otlp"] = "none"
    otel_file: str = ""
    otel_endpoint: str = ""
    # The workflows worker's Prometheus endpoint (Temporal's own metrics); 0: none.
    worker_metrics_port: int = 0
    # Log lines as JSON (one object a line, zhicheng_kernel.logs); false: plain text for a terminal.
    log_json: bool = True

    @model_validator(mode="after")
    def _no_missing_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production" and not self.service_client_secret:
            raise ValueError("ZC_SERVICE_CLIENT_SECRET must be set in production")
        if self.environment == "production" and self.fake_now is not None:
            raise ValueError("ZC_FAKE_NOW is refused in production")
        return self

    def peer_url(self, service: str) -> str:
        return {
            "org-service": self.org_url,
            "application-service": self.application_url,
            "review-service": self.review_url,
            "plagiarism-service": self.plagiarism_url,
        }[service]

    # -- the broker's and Temporal's transport security (finding 9 of issue 12; kafka.client_options,
    # temporal.temporal_tls). Local development keeps the loopback broker and dev server in plain text.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    # the password itself (an env var from a secret) or a file holding it
    kafka_sasl_password: str = ""
    kafka_sasl_password_file: Path | None = None
    kafka_ca_file: Path | None = None
    kafka_cert_file: Path | None = None
    kafka_key_file: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    # the name in the Temporal server's certificate when it differs from the address's host
    temporal_tls_server_name: str = ""

    @model_validator(mode="after")
    def _transport_security_in_production(self) -> ServiceSettings:
        """Production reaches Kafka over TLS with SASL and Temporal over mTLS, unless the broker or server
        is on this host's loopback (`ZC_ENVIRONMENT=production make run`); a process without Kafka (the
        workflows worker) sets an empty ZC_KAFKA_BOOTSTRAP."""
        if self.environment != "production":
            return self
        if self.kafka_bootstrap and not _loopback(self.kafka_bootstrap):
            if self.kafka_security_protocol != "SASL_SSL":
                raise ValueError("ZC_KAFKA_SECURITY_PROTOCOL must be SASL_SSL in production")
            if not self.kafka_sasl_username or not (self.kafka_sasl_password or self.kafka_sasl_password_file):
                raise ValueError("ZC_KAFKA_SASL_USERNAME and ZC_KAFKA_SASL_PASSWORD(_FILE) must be set in production")
        if not _loopback(self.temporal_address) and None in (
            self.temporal_tls_ca,
            self.temporal_tls_cert,
            self.temporal_tls_key,
        ):
            raise ValueError("ZC_TEMPORAL_TLS_CA, _CERT and _KEY must be set in production")
        return self


def _loopback(addresses: str) -> bool:
    """Whether every host:port of a comma-separated list is this host's loopback."""
    hosts = [a.strip().rsplit(":", 1)[0].strip("[]") for a in addresses.split(",") if a.strip()]
    return bool(hosts) and all(h in ("localhost", "::1") or h.startswith("127.") for h in hosts)
