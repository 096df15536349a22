"""Pure parts of the deadline-rush bench (make bench-rush): its applicants' ID numbers, its per-core figures,
its stage figures and how it merges into bench/results.json beside the other figures."""

from __future__ import annotations

import json
from pathlib import Path

from zhicheng_kernel.identifiers import id_card_is_valid
from zhicheng_tooling.bench import record_part
from zhicheng_tooling.bench_rush import Stage, numbered_id_card, per_cpu_second, result_key


def test_ten_thousand_applicants_get_ten_thousand_valid_id_numbers() -> None:
    numbers = [numbered_id_card(i) for i in range(10_000)]
    assert len(set(numbers)) == 10_000
    assert all(id_card_is_valid(n) for n in numbers)


def test_a_service_and_its_replica_count_as_one_component_per_cpu_second() -> None:
    spent = {"review-service": 30.0, "review-service.2": 20.0, "kafka": 10.0, "idle": 0.0}
    assert per_cpu_second(100, spent) == {"review-service": 2.0, "kafka": 10.0}


def test_a_stage_reports_its_place_on_the_clock_and_its_rate() -> None:
    stage = Stage("unit_review", items=500, started_s=10.0, ended_s=35.0)
    assert stage.figures() == {
        "items": 500,
        "started_at_s": 10.0,
        "ended_at_s": 35.0,
        "seconds": 25.0,
        "per_second": 20.0,
    }


def test_the_rush_is_merged_beside_the_figures_make_bench_measured(tmp_path: Path) -> None:
    earlier = {"measured_at": "2026-11-30T17:55:34+00:00", "machine": "2 cores", "consumer": {"page": 500}}
    (tmp_path / "results.json").write_text(json.dumps(earlier))
    record_part(
        "deadline_rush", {"applications": 10, "decided": 10, "total_seconds": 1.5, "user_p99_ms": 80.0}, tmp_path
    )
    merged = json.loads((tmp_path / "results.json").read_text())
    assert merged["consumer"] == {"page": 500} and merged["measured_at"] == earlier["measured_at"]
    assert (merged["deadline_rush"]["applications"], merged["deadline_rush"]["decided"]) == (10, 10)
    assert "| deadline_rush.user_p99_ms | 80.0 |" in (tmp_path / "RESULTS.md").read_text()


def test_a_smaller_rush_is_recorded_beside_the_whole_citys() -> None:
    assert result_key(10_000, 1) == "deadline_rush"
    assert result_key(600, 1) == "deadline_rush_smaller"
    assert result_key(300, 2) == "deadline_rush_two_replicas"
