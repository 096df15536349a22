"""Finding 8 of issue 12: service tokens were global and reachable from outside. An internal client's
token now has the internal audience and the scopes of the kernel's INTERNAL_GRANTS; each route takes
only the audience and scope it expects; a client secret through the public gateway is refused.
Real org-service (and review-service's internal routes when it runs)."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest

from tests.api_client import Api
from tests.harness import Stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


def _claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_finding_8_a_service_token_is_internal_and_carries_only_its_clients_grants(api: Api) -> None:
    """Finding 8: "every client gets the same `service` role without scope or audience"."""
    workflows = _claims(api.service_token("workflows"))
    assert workflows["aud"] == "zhicheng-internal" and workflows["sub"] == "service:workflows"
    assert set(str(workflows["scope"]).split()) == {
        "internal:application-service",
        "internal:review-service",
        "api:review-service",
    }
    review = _claims(api.service_token("review-service"))
    assert set(str(review["scope"]).split()) == {"feed:application-service", "feed:org-service"}


def test_finding_8_a_workflows_token_cannot_read_a_feed_it_has_no_grant_for(api: Api) -> None:
    """Finding 8: "`/internal` endpoints trust any of them" — the feeds too: a grant per source."""
    refused = api.get("org-service", "/api/v1/events", api.service_token("workflows"), after=0, limit=1)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_required"
    assert refused.json()["scope"] == "feed:org-service"
    granted = api.get("org-service", "/api/v1/events", api.service_token("review-service"), after=0, limit=1)
    assert granted.status_code == 200 and granted.json()["source"] == "org-service"


def test_finding_8_a_service_token_is_refused_on_a_user_route(api: Api) -> None:
    """Finding 8: a service token is no key to the routes people call."""
    refused = api.get("org-service", "/api/v1/orgs", api.service_token("review-service"))
    assert refused.status_code == 403 and refused.json()["code"] == "user_token_required"
    me = api.get("org-service", "/api/v1/accounts/me", api.service_token("workflows"))
    assert me.status_code == 403 and me.json()["code"] == "user_token_required"


def test_finding_8_a_user_token_is_refused_on_internal_routes(api: Api, stack: Stack) -> None:
    """Finding 8: internal routes take only an internal token, never a person's."""
    admin = api.admin_token()
    feed = api.get("org-service", "/api/v1/events", admin, after=0, limit=1)
    assert feed.status_code == 403 and feed.json()["code"] == "service_only"
    if "review-service" in stack.processes:
        tally = api.post("review-service", "/api/v1/internal/sessions/no-such-session/tally", admin, {})
        assert tally.status_code == 403 and tally.json()["code"] == "service_only"


def test_finding_8_a_client_secret_through_the_public_gateway_is_refused(api: Api) -> None:
    """Finding 8: "the client-credentials grant is routed through the public gateway"."""
    form = {
        "grant_type": "client_credentials",
        "client_id": "workflows",
        "client_secret": api.stack.secrets.client_secrets["workflows"],
    }
    url = api.url("org-service", "/api/v1/auth/token")
    outside = api.http.post(url, data=form, headers={"X-Zc-Edge": "public"})
    assert outside.status_code == 403 and outside.json()["code"] == "client_secret_not_accepted"
    inside = api.http.post(url, data=form)
    assert inside.status_code == 200
    assert api.get("org-service", "/api/v1/accounts/me", inside.json()["access_token"]).status_code == 403
