"""org-service's events: what happened to organizations and accounts, never a secret.

Password hashes, refresh tokens and lock-out counters are not facts of the domain: they live in
org-service's own credential table. An event says that a password changed, not what it is.
application-service and review-service read OrganizationCreated, ApplicantRegistered,
ApplicantStaffStatusChanged and ExpertRegistered; their keys stay (fields may be added, never removed
or renamed).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from zhicheng_kernel.events import DomainEvent, EventCatalogue, PayloadStep

ORGANIZATION = "organization"
ACCOUNT = "account"
EXTERNAL_CLIENT = "external_client"


class OrganizationCreated(DomainEvent):
    """An organization was created under its parent (ORG-1, ORG-2) with the code the system generated."""

    event_type: ClassVar[str] = "OrganizationCreated"
    stream_type: ClassVar[str] = ORGANIZATION

    org_id: uuid.UUID
    code: str
    name: str
    credit_code: str | None = None
    kind: str
    level: str
    division_code: str
    function: str | None = None
    unit_type: str | None = None
    registration_level: str | None = None
    parent_id: uuid.UUID | None = None
    path: str


class OrganizationDeactivated(DomainEvent):
    """An organization was deactivated by its parent's system administrator (never deleted)."""

    event_type: ClassVar[str] = "OrganizationDeactivated"
    stream_type: ClassVar[str] = ORGANIZATION

    org_id: uuid.UUID
    reason: str


def _must_change_password_unknown(payload: dict[str, Any]) -> dict[str, Any]:
    # Version 1 did not say: every account created through the API had to change its initial password
    # (only the seeded development accounts of the city office did not).
    return {"must_change_password": True, **payload}


class AdminAccountCreated(DomainEvent):
    """An organization's system administrator account was created with it; its username is the org code (ORG-5)."""

    event_type: ClassVar[str] = "AdminAccountCreated"
    stream_type: ClassVar[str] = ACCOUNT
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: _must_change_password_unknown}

    account_id: uuid.UUID
    username: str
    org_id: uuid.UUID
    must_change_password: bool


class BusinessAdminCreated(DomainEvent):
    """A system administrator created a business administrator of its own organization (ORG-6)."""

    event_type: ClassVar[str] = "BusinessAdminCreated"
    stream_type: ClassVar[str] = ACCOUNT
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: _must_change_password_unknown}

    account_id: uuid.UUID
    username: str
    org_id: uuid.UUID
    display_name: str
    must_change_password: bool


class RolesAssigned(DomainEvent):
    """A business administrator's roles were set (ORG-6); the list replaces the previous one."""

    event_type: ClassVar[str] = "RolesAssigned"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID
    org_id: uuid.UUID
    roles: list[str]


def _id_card_from_username(payload: dict[str, Any]) -> dict[str, Any]:
    # Version 1 applicants' usernames are their normalised ID-card numbers.
    return {"id_card_number": payload["username"], **payload}


class ApplicantRegistered(DomainEvent):
    """An employer's business administrator registered an applicant of its own organization."""

    event_type: ClassVar[str] = "ApplicantRegistered"
    stream_type: ClassVar[str] = ACCOUNT
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: _id_card_from_username}

    account_id: uuid.UUID
    username: str
    org_id: uuid.UUID
    org_path: str
    display_name: str
    on_staff: bool
    id_card_number: str


class ApplicantStaffStatusChanged(DomainEvent):
    """The employer's system administrator corrected the on-staff status (在编/编外) it registered, with a reason."""

    event_type: ClassVar[str] = "ApplicantStaffStatusChanged"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID
    org_id: uuid.UUID
    on_staff: bool
    reason: str
    changed_by: str


class ExpertRegistered(DomainEvent):
    """A title office's committee secretary brought an expert into the pool."""

    event_type: ClassVar[str] = "ExpertRegistered"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID
    username: str
    org_id: uuid.UUID
    display_name: str
    series: list[str]
    title_level: str


class PasswordChanged(DomainEvent):
    """An account holder changed their password (the password itself is never in an event)."""

    event_type: ClassVar[str] = "PasswordChanged"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID


class PasswordReset(DomainEvent):
    """An administrator above the account (or a server operator) gave it a one-time password, changed at next login."""

    event_type: ClassVar[str] = "PasswordReset"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID
    # Who reset it: the administrator's username, or "operator:<user>@<host>" for the server command.
    reset_by: str = ""


class AccountDeactivated(DomainEvent):
    """A system administrator deactivated an account of its own organization; it can no longer log in."""

    event_type: ClassVar[str] = "AccountDeactivated"
    stream_type: ClassVar[str] = ACCOUNT

    account_id: uuid.UUID
    reason: str


class ExternalClientRegistered(DomainEvent):
    """A provincial body registered its system as an external client: its Ed25519 public key, scopes and series."""

    event_type: ClassVar[str] = "ExternalClientRegistered"
    stream_type: ClassVar[str] = EXTERNAL_CLIENT

    client_id: uuid.UUID
    org_id: uuid.UUID
    name: str
    public_key_pem: str
    scopes: list[str]
    series: list[str]
    registered_by: str


class ExternalClientRevoked(DomainEvent):
    """A provincial body revoked its external client; no token is issued to it any more."""

    event_type: ClassVar[str] = "ExternalClientRevoked"
    stream_type: ClassVar[str] = EXTERNAL_CLIENT

    client_id: uuid.UUID
    reason: str
    revoked_by: str


CATALOGUE = EventCatalogue(
    "org-service",
    [
        OrganizationCreated,
        OrganizationDeactivated,
        AdminAccountCreated,
        BusinessAdminCreated,
        RolesAssigned,
        ApplicantRegistered,
        ApplicantStaffStatusChanged,
        ExpertRegistered,
        PasswordChanged,
        PasswordReset,
        AccountDeactivated,
        ExternalClientRegistered,
        ExternalClientRevoked,
    ],
)
