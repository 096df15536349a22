"""The integrity file (科研诚信档案): who is listed, why, under which rule and until when.

One file, three sources: the city office's own list (the "blacklist" registry, POL-ER-3's
research-integrity blacklist), review-service's revocations for fraud (NAT-8) and its confirmed
misconduct in expert recommendations (POL-ER-3, the applicant and the recommending expert). A person
is keyed by the ID-card number where it is known, else by the account id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

Source = Literal["registry", "revocation", "recommendation_misconduct"]

SOURCE_NAMES_ZH: dict[str, str] = {
    "registry": "市职改办录入的科研诚信黑名单",
    "revocation": "职称资格文件因弄虚作假被撤销",
    "recommendation_misconduct": "专家举荐存在学术不端",
}

# NAT-8's 3 years; POL-ER-3's listing lasts as long unless the office's own registry entry says otherwise.
LISTING_YEARS = 3


@dataclass(frozen=True)
class IntegrityEntry:
    entry_id: str
    person_key: str
    account_id: str | None
    name: str
    reason: str
    source: Source
    rule: str
    listed_on: date
    expires_on: date | None
    document_number: str | None = None
    application_id: str | None = None
    org_path: str | None = None


def years_later_less_a_day(start: date, years: int) -> date:
    """The last day of a period of `years` years from `start` (a 29 February starts from 1 March)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def nat_8_listing_ends(listed_on: date) -> date:
    """NAT-8: fraud — the title is revoked and the person is recorded in the integrity file for 3 years:
    listed on 2026-03-01, the entry is in force through 2029-02-28 and the person may submit again on
    2029-03-01 (listed_on + 3 years − 1 day)."""
    return years_later_less_a_day(listed_on, LISTING_YEARS)


def in_force(listed_on: date, expires_on: date | None, today: date) -> bool:
    """An entry binds from the day it was listed through its last day (no last day: until removed)."""
    return listed_on <= today and (expires_on is None or today <= expires_on)


def from_revocation(
    *,
    document_id: str,
    number: str,
    application_id: str,
    applicant_id: str,
    applicant_name: str,
    reason: str,
    revoked_on: date,
    person_key: str,
    org_path: str | None,
) -> IntegrityEntry:
    """The holder of a document revoked for fraud, listed on the day of the revocation (NAT-8)."""
    return IntegrityEntry(
        entry_id=f"revocation:{document_id}",
        person_key=person_key,
        account_id=applicant_id,
        name=applicant_name,
        reason=reason,
        source="revocation",
        rule="NAT-8",
        listed_on=revoked_on,
        expires_on=nat_8_listing_ends(revoked_on),
        document_number=number,
        application_id=application_id,
        org_path=org_path,
    )


def from_misconduct(
    *,
    review_id: str,
    application_id: str,
    applicant_id: str,
    applicant_key: str,
    applicant_name: str,
    recommending_expert_id: str,
    reason: str,
    confirmed_on: date,
    org_path: str | None,
    years: int = LISTING_YEARS,
) -> list[IntegrityEntry]:
    """A confirmed misconduct in a recommendation (POL-ER-3): the applicant and the recommending expert,
    each listed for `years` years from the confirmation."""
    applicant = IntegrityEntry(
        entry_id=f"misconduct:{review_id}:applicant",
        person_key=applicant_key,
        account_id=applicant_id,
        name=applicant_name,
        reason=reason,
        source="recommendation_misconduct",
        rule="POL-ER-3",
        listed_on=confirmed_on,
        expires_on=years_later_less_a_day(confirmed_on, years),
        application_id=application_id,
        org_path=org_path,
    )
    expert = replace(
        applicant,
        entry_id=f"misconduct:{review_id}:expert",
        person_key=recommending_expert_id,
        account_id=recommending_expert_id,
        name="",
    )
    return [applicant, expert]
