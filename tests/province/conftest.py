"""The provincial simulator as a real process (the harness starts it with application-service, or alone
with ZC_TEST_SERVICES=provincial-simulator), restarted here so that it may also call back a receiver
this test session runs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from zhicheng_devstack.components import SIMULATOR, province_callback_host
from zhicheng_devstack.credentials import PROVINCE_CLIENT_ID
from zhicheng_kernel.signing import SignatureError, load_private_key, parse_webhook_public_key, verify_webhook

from tests.harness import Stack

SIMULATOR_NAME = SIMULATOR.name


@dataclass
class Delivery:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int


@dataclass
class Receiver:
    """A tiny real HTTP server standing in for application-service's callback receiver: it verifies
    each webhook with the province's public key and answers the statuses queued in `answers` (then 200)."""

    key: Ed25519PublicKey
    answers: list[int] = field(default_factory=list)
    failing: bool = False  # answer 503 to everything while set
    delay: float = 0.0  # seconds each answer takes (a busy city)
    in_flight: int = 0
    most_in_flight: int = 0  # the most webhooks being answered at once
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        assert self.server is not None
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/callbacks"

    def received(self, webhook_id: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.webhook_id == webhook_id]

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            verify_webhook(self.key, headers, body)
            verified = True
        except SignatureError:
            verified = False
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
            status = 503 if self.failing else (self.answers.pop(0) if self.answers else 200)
            self.deliveries.append(Delivery(headers.get("webhook-id", ""), headers, body, verified, status))
        return status if verified else 401

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
                payload = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Province:
    stack: Stack
    receiver: Receiver
    extra_env: dict[str, str]

    @property
    def url(self) -> str:
        return self.stack.url(SIMULATOR_NAME)

    @property
    def client_id(self) -> str:
        return PROVINCE_CLIENT_ID

    @property
    def city_key(self) -> Ed25519PrivateKey:
        return load_private_key(self.stack.secrets.province_assertion_key_file.read_bytes())

    @property
    def reviewer_token(self) -> str:
        return self.stack.secrets.province_reviewer_token

    def restart(self) -> None:
        self.stack.stop(SIMULATOR_NAME)
        self.stack.start(SIMULATOR_NAME, self.extra_env)


@pytest.fixture(scope="session")
def province(stack: Stack) -> Iterator[Province]:
    receiver = Receiver(parse_webhook_public_key(stack.secrets.province_webhook_public_key()))
    receiver.start()
    hosts = f"{province_callback_host(stack.servers.ports)},{receiver.host}"
    extra = {"ZC_PROVINCE_CALLBACK_HOSTS": hosts}
    running = SIMULATOR_NAME in stack.processes
    sim = Province(stack, receiver, extra)
    sim.restart()
    try:
        yield sim
    finally:
        receiver.stop()
        stack.stop(SIMULATOR_NAME)
        if running:  # as the rest of the session expects it
            stack.start(SIMULATOR_NAME)
