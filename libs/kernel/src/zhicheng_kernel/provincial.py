"""The wire between the city and the provincial title office's system (POL-FI-1's pre-review filing).

"事中监管要求各市州的关键信息审核，调整为提交评委会评审前报省职改办审核": before a committee reviews
them, the key information of a push batch goes to the province, which approves or returns each
application. These models are both sides of the contract (docs/provincial/openapi.json is generated
from the provincial simulator, which uses them); `ProvincialClient` is the city's side of the call.

  POST {province}/oauth2/token            client_credentials + RFC 7523 assertion → access token
  POST {province}/api/v1/filings          a batch's FilingSubmission (Idempotency-Key: filing id)
  GET  {province}/api/v1/filings/{id}     its FilingStatus, with each application's verdict
  POST {callback_url}                     the province's VerdictCallback, a signed Standard Webhook
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .http_client import async_client
from .signing import CLIENT_ASSERTION_TYPE, client_assertion

Text = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]
MAX_ITEMS = 1000  # applications in one filing (a push batch)
FILING_SCOPE = "filing"
Verdict = Literal["approved", "returned"]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FilingApplicant(_Wire):
    applicant_id: Id
    name: Text


class FilingEmployer(_Wire):
    org_id: Id
    name: Text
    kind: Text  # C1: public_institution, state_owned_enterprise, private_enterprise, ...


class FilingOutcome(_Wire):
    """One rule's outcome in the application's eligibility report (on attested facts)."""

    rule: Text
    outcome: Text
    binding: Text | None = None
    reason: LongText | None = None


class FilingPaperCheck(_Wire):
    paper_id: Id
    title: Text
    status: Text
    ratios: dict[Text, float | None] = Field(default_factory=dict, max_length=10)


class FilingUnitPublicity(_Wire):
    """NAT-5: the unit's internal publicity before it recommended the applicant."""

    starts_at: datetime
    ends_at: datetime
    place: Text | None = None


class FilingItem(_Wire):
    application_id: Id
    applicant: FilingApplicant
    employer: FilingEmployer
    series: Text
    level: Text
    specialty: Text | None = None
    track: Text
    outcomes: list[FilingOutcome] = Field(default_factory=list, max_length=100)
    annotations: list[Text] = Field(default_factory=list, max_length=20)
    remarks: list[Text] = Field(default_factory=list, max_length=20)
    paper_checks: list[FilingPaperCheck] = Field(default_factory=list, max_length=50)
    unit_publicity: FilingUnitPublicity | None = None


class FilingSubmission(_Wire):
    """A push batch's key information; `filing_id` is the push id, and submitting it again is one filing."""

    filing_id: Id
    city_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    city_name: Text
    year: Annotated[int, Field(ge=2000, le=2100)]
    series: Text
    level: Text
    office_org_id: Id
    office_name: Text
    callback_url: Annotated[str, StringConstraints(max_length=500)]
    items: list[FilingItem] = Field(min_length=1, max_length=MAX_ITEMS)


class FilingReceipt(_Wire):
    filing_id: Id
    received_at: datetime
    items: int
    duplicate: bool = False  # the same filing was received before: nothing new happened


class ItemVerdict(_Wire):
    application_id: Id
    verdict: Verdict | None = None  # None: not decided yet
    reasons: list[LongText] = Field(default_factory=list, max_length=20)
    decided_at: datetime | None = None


class FilingStatus(_Wire):
    filing_id: Id
    received_at: datetime
    items: list[ItemVerdict]


class VerdictData(_Wire):
    filing_id: Id
    application_id: Id
    verdict: Verdict
    reasons: list[LongText] = Field(default_factory=list, max_length=20)
    decided_at: datetime
    reviewer: Text


class VerdictCallback(_Wire):
    """The body of the province's webhook: one application's verdict."""

    type: Literal["filing.verdict"] = "filing.verdict"
    timestamp: datetime
    data: VerdictData


class TokenResponse(_Wire):
    access_token: str
    token_type: Literal["Bearer", "bearer"] = "Bearer"
    expires_in: int
    scope: str | None = None


class ProvincialError(Exception):
    """The province refused or could not be reached; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, status: int | None, retryable: bool) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class ProvincialClient:
    """The city's client of the province: a token from a signed client assertion (refetched when it
    expires or is refused), then idempotent filing calls."""

    def __init__(self, base_url: str, client_id: str, key: Ed25519PrivateKey, *, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.key = key
        self.timeout = timeout
        self._token: str | None = None
        self._token_expires = 0.0

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/token"

    async def _access_token(self, http: httpx.AsyncClient) -> str:
        if self._token is not None and time.monotonic() < self._token_expires - 30:
            return self._token
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": client_assertion(self.key, self.client_id, self.token_url),
            "scope": FILING_SCOPE,
        }
        response = await http.post(self.token_url, data=form)
        if response.status_code != 200:
            raise ProvincialError(
                f"province token endpoint answered {response.status_code}: {response.text[:300]}",
                status=response.status_code,
                retryable=response.status_code >= 500,
            )
        token = TokenResponse.model_validate(response.json())
        self._token, self._token_expires = token.access_token, time.monotonic() + token.expires_in
        return token.access_token

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with async_client(timeout=self.timeout) as http:
                for attempt in range(2):
                    headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {await self._access_token(http)}"}
                    response = await http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
                    if response.status_code == 401 and attempt == 0:
                        self._token = None  # expired or the province rotated its keys: one fresh token
                        kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                        continue
                    break
        except httpx.HTTPError as exc:
            raise ProvincialError(f"province unreachable: {exc!r}", status=None, retryable=True) from exc
        if response.status_code >= 300:
            raise ProvincialError(
                f"province {method} {path} answered {response.status_code}: {response.text[:300]}",
                status=response.status_code,
                retryable=response.status_code >= 500 or response.status_code == 429,
            )
        return response

    async def submit(self, filing: FilingSubmission) -> FilingReceipt:
        response = await self._call(
            "POST",
            "/api/v1/filings",
            content=filing.model_dump_json(),
            headers={"Content-Type": "application/json", "Idempotency-Key": filing.filing_id},
        )
        return FilingReceipt.model_validate(response.json())

    async def status(self, filing_id: str) -> FilingStatus:
        response = await self._call("GET", f"/api/v1/filings/{filing_id}")
        return FilingStatus.model_validate(response.json())
