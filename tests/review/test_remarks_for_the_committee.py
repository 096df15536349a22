"""POL-EN-4's off-staff note is a remark (contract C2/C3 `remarks`): "在推荐、公示时要说明情况，在报送申报材料时
备注说明" — stated to the committee and in publicity, never printed on the qualification document, which
prints only the annotations (POL-GR-2 "乡村不受指标限制")."""

from __future__ import annotations

import uuid

from review_service.domain.documents import document_id_for
from review_service.service_layer import outcomes, queries
from zhicheng_kernel.auth import Principal

from tests.harness import Servers
from tests.review.routes import review_alone

OFF_STAFF = "编外专业技术人员，由用人单位出具证明，在推荐、公示时说明情况"
RURAL = "乡村不受指标限制"


def _principal(kind: str, subject: str) -> Principal:
    return Principal(subject=subject, username=subject, kind=kind, org_id=None, org_path="", roles=frozenset())


async def test_pol_en_4_remarks_are_shown_to_the_committee_and_never_printed_on_the_document(
    servers: Servers,
) -> None:
    async with review_alone(servers) as review:
        application_id = str(uuid.uuid4())
        session_id = await review.passed_session(application_id, 2031, annotations=[RURAL], remarks=[OFF_STAFF])

        for reader in (_principal("service", "workflows"), _principal("user", "e-1"), _principal("user", "public")):
            view = await queries.session_view(review.ctx, session_id, reader)
            [candidate] = view.candidates
            assert candidate.remarks == [OFF_STAFF] and candidate.annotations == [RURAL]

        report = await outcomes.issue_documents(review.ctx, session_id, "test")
        [issued] = await review.stream(document_id_for(application_id))
        assert [d.number for d in report.issued] == [issued.payload["number"]]
        assert issued.payload["annotations"] == [RURAL]
        assert OFF_STAFF not in str(issued.payload)
        verified = (await review.verify(issued.payload["number"])).json()
        assert verified["annotations"] == [RURAL] and OFF_STAFF not in str(verified)
