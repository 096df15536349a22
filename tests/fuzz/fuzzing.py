"""API fuzzing with schemathesis: every operation of a service's OpenAPI document, as several callers.

For each operation, hypothesis generates requests from the document — valid ones (`positive`) and ones
that break it (`negative`: wrong types, out-of-range numbers, strings with NUL or control characters) —
and each request is sent once as every caller (a token of a role at a place, a service, nobody). Every
answer must be no server error (5xx), carry a status the document declares, conform to the schema and
content type the document declares for it, and come within a time bound. Failures are collected (one
line per operation, caller and kind), not raised at the first, so one run shows every hole.

The budget is the number of generated requests per operation and mode (`examples`); CI runs a small
one, `make fuzz` a large one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err
from schemathesis.specs.openapi._hypothesis import _draw_negated_locations
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Every check a response must pass; the kind of failure is named after the check.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# An answer slower than this is a failure ("never a hang"); generous for a loaded 2-core machine.
MAX_SECONDS = 10.0


@dataclass(frozen=True)
class Failure:
    operation: str
    caller: str
    kind: str
    status: int | None
    detail: str


@dataclass
class Report:
    service: str
    operations: int = 0
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)

    def distinct(self) -> list[str]:
        """One line per operation and kind of failure: the callers it happened to, the first example."""
        first: dict[tuple[str, str], Failure] = {}
        callers: dict[tuple[str, str], list[str]] = {}
        for f in self.failures:
            key = (f.operation, f.kind)
            first.setdefault(key, f)
            if f.caller not in callers.setdefault(key, []):
                callers[key].append(f.caller)
        return [
            f"{op}: {kind} (HTTP {first[(op, kind)].status}) as {', '.join(callers[(op, kind)])} — "
            f"{first[(op, kind)].detail}"
            for op, kind in first
        ]


def load(base_url: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=30)
    return schema


def fuzz_service(
    service: str,
    base_url: str,
    callers: Mapping[str, str | None],
    *,
    examples: int,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    skip: Iterable[str] = (),
    seed: int = 12,
) -> Report:
    """Fuzz every operation of the service (except `skip`, "METHOD /path" labels) as every caller."""
    schema = load(base_url)
    report = Report(service)
    skipped = set(skip)
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # the document itself is broken there: a finding of its own
            report.failures.append(Failure("(document)", "-", "invalid_schema", None, str(result.err())[:300]))
            continue
        operation = result.ok()
        if operation.label in skipped:
            continue
        report.operations += 1
        for mode in modes:
            _fuzz_operation(operation, mode, base_url, callers, examples, seed, report)
    return report


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    callers: Mapping[str, str | None],
    examples: int,
    seed: int,
    report: Report,
) -> None:
    if mode == GenerationMode.NEGATIVE and not _negatable(operation):
        return  # as hypothesis would end it (Unsatisfiable), without its 459 rejected cases first
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception as exc:  # an operation schemathesis cannot build negative cases for
        report.failures.append(Failure(operation.label, "-", f"strategy:{mode.value}", None, str(exc)[:300]))
        return

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @hypothesis.seed(seed)
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        for caller, token in callers.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            report.requests += 1
            started = time.monotonic()
            try:
                response = case.call(base_url=base_url, headers=headers, timeout=MAX_SECONDS + 5)
            except Exception as exc:  # a time-out or a dropped connection: the server did not answer
                report.failures.append(Failure(operation.label, caller, "no_answer", None, repr(exc)[:300]))
                continue
            elapsed = time.monotonic() - started
            if elapsed > MAX_SECONDS:
                report.failures.append(
                    Failure(operation.label, caller, "slow", response.status_code, f"{elapsed:.1f} s")
                )
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:
                found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
                for failure in found:
                    title = str(getattr(failure, "title", type(failure).__name__))
                    if response.status_code >= 500 and title == "Undocumented status code":
                        continue  # the server error itself is the finding
                    report.failures.append(
                        Failure(
                            operation.label,
                            caller,
                            title,
                            response.status_code,
                            _describe(failure, case, response),
                        )
                    )

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this mode can be generated (e.g. no parameter to break in a negative case)


class _Negatable(Exception):
    pass


def _no_draw(_strategy: Any) -> Any:
    raise _Negatable


def _negatable(operation: Any) -> bool:
    """Whether a negative case of the operation can break anything: schemathesis's own choice of the
    locations it negates (`_draw_negated_locations`, which draws only when it has a candidate). With none,
    every negative case it generates carries no negated value and is rejected; hypothesis gives up after
    459 of them (its invalid threshold), seconds per operation spent generating requests never sent."""
    try:
        chosen = _draw_negated_locations(
            _no_draw,
            operation,
            GenerationMode.NEGATIVE,
            explicit=dict.fromkeys(
                (ParameterLocation.PATH, ParameterLocation.HEADER, ParameterLocation.COOKIE, ParameterLocation.QUERY)
            ),
            body_is_generated=True,
        )
    except _Negatable:
        return True
    return chosen is not None


def _describe(exc: BaseException, case: Any, response: Any) -> str:
    first = " ".join(str(getattr(exc, "message", "") or exc).split())[:240]
    sent = {"path": case.path_parameters, "query": case.query}
    return f"{first} | sent {sent!s:.200} | got {response.text[:160]!r}"
