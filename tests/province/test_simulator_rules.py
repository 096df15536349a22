"""The simulator's pure parts: the delivery id, the retry backoff and the callback host check."""

from __future__ import annotations

from datetime import timedelta

from provincial_simulator.delivery import backoff, delivery_id
from provincial_simulator.settings import SimulatorSettings


def test_delivery_id_is_stable_per_filing_and_application() -> None:
    one = delivery_id("push-1", "app-1")
    assert one == delivery_id("push-1", "app-1") and one.startswith("msg_") and len(one) <= 100
    assert (
        len({one, delivery_id("push-1", "app-2"), delivery_id("push-2", "app-1"), delivery_id("push-1a", "pp-1")}) == 4
    )
    assert len(delivery_id("p" * 100, "a" * 100)) <= 100  # within verify_webhook's bound


def test_backoff_doubles_from_one_second_up_to_five_minutes() -> None:
    settings = SimulatorSettings()
    waits = [backoff(settings, attempt).total_seconds() for attempt in range(1, 12)]
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert max(waits) == 300 and waits[-1] == 300
    assert backoff(settings, 500) == timedelta(seconds=300)


def test_pol_fi_1_only_registered_callback_hosts() -> None:
    settings = SimulatorSettings(province_callback_hosts="127.0.0.1:24102, City.example:443")
    assert settings.callback_allowed("http://127.0.0.1:24102/api/v1/provincial/callbacks")
    assert settings.callback_allowed("https://city.example/api/v1/provincial/callbacks")
    for url in (
        "http://127.0.0.1:24103/api/v1/provincial/callbacks",
        "http://localhost:24102/api/v1/provincial/callbacks",
        "ftp://127.0.0.1:24102/",
        "http://city.example/callbacks",  # port 80 is not registered
        "http://127.0.0.1:99999/",
        "http://user@127.0.0.1:24103@127.0.0.1:24102/",
        "not a url",
    ):
        assert not settings.callback_allowed(url), url
    assert SimulatorSettings(province_callback_hosts='["127.0.0.1:1"]').callback_allowed("http://127.0.0.1:1/x")
