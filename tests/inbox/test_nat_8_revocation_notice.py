"""NAT-8 in the inbox: the holder of a document the city office revoked for fraud is told (pure, no servers)."""

from __future__ import annotations

from org_service.domain.notifications import Category, RecipientKind, notices


def test_nat_8_the_holder_learns_the_revocation_and_the_three_years() -> None:
    revoked = {
        "document_id": "d-1",
        "number": "平人社职称〔2026〕00007号",
        "application_id": "a-1",
        "applicant_id": "holder",
        "applicant_name": "赵诚信",
        "reason": "伪造职业技能等级证书",
        "revoked_on": "2026-11-30",
        "revoked_by": "city-reviewer",
    }
    (found,) = notices("review-service", "QualificationDocumentRevoked", revoked)
    assert (found.recipient_kind, found.recipient_id) == (RecipientKind.ACCOUNT, "holder")
    assert found.category == Category.DOCUMENT and found.title_zh == "职称资格文件已被撤销"
    assert "平人社职称〔2026〕00007号" in found.body_zh and "伪造职业技能等级证书" in found.body_zh
    assert "诚信档案 3 年" in found.body_zh and "NAT-8" in found.body_zh
    assert found.link == "/api/v1/documents?application_id=a-1"
