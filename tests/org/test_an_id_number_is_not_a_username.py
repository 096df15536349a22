"""An applicant's ID-card number is not a username: it is in no token, no stream key, no event's actor.

The number is kept (normalised, one account per person) for the rules that match people (rosters,
the blacklist), which application-service reads from ApplicantRegistered.
"""

from __future__ import annotations

import jwt
import pytest
from org_service.adapters.tables import audit_log, login_throttles
from sqlalchemy import or_, select
from zhicheng_kernel.database import Database
from zhicheng_kernel.tables import events

from tests.api_client import Api, random_id_card
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack


async def test_finding_21_an_applicant_logs_in_with_a_generated_username_and_no_token_carries_the_id_number(
    api: Api, org_db: Database
) -> None:
    """Finding 21: ID numbers are usernames, so they sit in tokens and immutable events — no token,
    username, org-service event stream key or actor may hold one."""
    school = OrgTree(api).state_unit("平凉市第七中学")
    clerk_token = school.clerk("王芳", ["applicant_management"]).token
    number = random_id_card()
    first = api.register_applicant(clerk_token, "李明", number.lower())  # normalised: the check char upper-cased
    second = api.register_applicant(clerk_token, "张伟", random_id_card())
    assert [first["username"], second["username"]] == [f"{school.code}-sq0001", f"{school.code}-sq0002"]

    # By the ID number nobody logs in; by the username the applicant does, as everyone does.
    by_number = api.http.post(
        api.url("org-service", "/api/v1/auth/token"), data={"username": number, "password": first["password"]}
    )
    assert by_number.status_code == 401 and by_number.json()["code"] == "login_failed"
    answer = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": first["username"], "password": first["password"]},
    ).json()
    token = api.login(first["username"], first["password"])
    for issued in (answer["access_token"], token):
        claims = jwt.decode(issued, options={"verify_signature": False})
        assert claims["username"] == first["username"] and claims["sub"] == first["account_id"]
        assert number not in str(claims)
    assert number not in answer["refresh_token"]
    me = api.get("org-service", "/api/v1/accounts/me", token).json()
    assert me["username"] == first["username"]

    # The same person is one account: registering the number again is refused, however it is typed.
    again = api.post(
        "org-service", "/api/v1/accounts/applicants", clerk_token, {"display_name": "李明", "id_card_number": number}
    )
    assert again.status_code == 409 and again.json()["code"] == "applicant_already_registered"
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    again = api.post(
        "org-service",
        "/api/v1/accounts/applicants",
        clerk_token,
        {"display_name": "李明", "id_card_number": full_width},
    )
    assert again.status_code == 409 and again.json()["code"] == "applicant_already_registered"
    arabic_indic = "٦" + number[1:]  # digits of another script are not an ID number at all
    refused = api.post(
        "org-service",
        "/api/v1/accounts/applicants",
        clerk_token,
        {"display_name": "李明", "id_card_number": arabic_indic},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "id_card_number"

    # The number is in ApplicantRegistered (application-service matches people by it), never a stream
    # key or an actor: the applicant's first password change is recorded as done by the username.
    async with org_db.read() as conn:
        rows = (
            await conn.execute(
                select(events.c.stream_id, events.c.actor, events.c.event_type, events.c.payload)
                .where(or_(events.c.stream_id.in_([first["account_id"], number]), events.c.actor == number))
                .order_by(events.c.position)
            )
        ).all()
    assert [(r.stream_id, r.event_type) for r in rows] == [
        (first["account_id"], "ApplicantRegistered"),
        (first["account_id"], "PasswordChanged"),
    ]
    assert rows[0].payload["id_card_number"] == number and rows[0].payload["username"] == first["username"]
    assert rows[1].actor == first["username"]

    # Nor does the audit trail or the login throttle hold it, though someone typed it as a username.
    async with org_db.read() as conn:
        audited = (
            await conn.execute(
                select(audit_log.c.actor, audit_log.c.stream_id).where(
                    or_(audit_log.c.actor.contains(number), audit_log.c.stream_id.contains(number))
                )
            )
        ).all()
        throttled = (
            await conn.execute(select(login_throttles.c.key).where(login_throttles.c.key.contains(number)))
        ).all()
    assert audited == [] and throttled == []
