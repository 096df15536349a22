"""Pure parts of the chaos run: its own port layout, and how lost or doubled items count against faults."""

from __future__ import annotations

import pytest
from zhicheng_devstack.ports import Ports
from zhicheng_tooling.chaos import SHORT, FaultOutcome, Run, attribute
from zhicheng_tooling.chaos_checks import Check


def test_the_chaos_layout_sits_beside_the_test_layout_and_moves_with_its_offset() -> None:
    chaos, tests = Ports.for_chaos({}), Ports.for_tests({"ZC_TEST_PORT_OFFSET": "3000"})
    assert chaos.org == 27601 and chaos.pg == 27932
    assert not set(chaos.as_dict().values()) & set(tests.as_dict().values())
    assert Ports.for_chaos({"ZC_CHAOS_PORT_OFFSET": "9500"}).kafka == 33592  # a test session at 9000 + 500
    with pytest.raises(ValueError, match="ZC_CHAOS_PORT_OFFSET"):
        Ports.for_chaos({"ZC_CHAOS_PORT_OFFSET": "50000"})


def test_what_was_lost_counts_against_the_fault_whose_era_it_was_accepted_in() -> None:
    run = Run(stack=None, profile=SHORT)  # type: ignore[arg-type]
    run.outcomes = [FaultOutcome("a", "a", 10.0, 2.0, 3.0), FaultOutcome("b", "b", 20.0, 2.0, None)]
    lost = Check("applications", False, lost=2, lost_at=[5.0, 12.0])
    doubled = Check("keys", False, doubled=1, doubled_at=[25.0])
    attribute(run, [lost, doubled])
    first, second = run.outcomes
    assert (first.lost, first.doubled, first.survived) == (1, 0, False)
    assert (second.lost, second.doubled, second.survived) == (0, 1, False)  # and it never came back
    clean = FaultOutcome("c", "c", 30.0, 2.0, 1.0)
    run.outcomes = [clean]
    attribute(run, [Check("all", True)])
    assert clean.survived
