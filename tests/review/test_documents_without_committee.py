"""Routes to a title without a committee (issue 9, point 6): POL-SK-3's junior title by the employer's
assessment (用人单位考核认定) and POL-GR-4's direct appointment (直接认定). application-service appends
ApplicationConcludedWithoutCommittee when the title office approves such an application; review-service
issues the document itself — no session, no ballot —, numbered like every other document and publicly
verifiable (NAT-10). Here the real review-service is fed the envelope application-service publishes."""

from __future__ import annotations

import uuid

from review_service.domain.documents import document_id_for, route_zh
from review_service.domain.events import CATALOGUE, QualificationDocumentIssued
from review_service.service_layer import queries
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.testing import envelope

from tests.harness import Servers
from tests.review.routes import CITY, UNIT, concluded, review_alone


def _new_id() -> str:
    return str(uuid.uuid4())


def _user(subject: str, org_path: str, *roles: str) -> Principal:
    return Principal(
        subject=subject, username=subject, kind="user", org_id=None, org_path=org_path, roles=frozenset(roles)
    )


async def test_pol_sk_3_employer_assessment_is_issued_a_junior_document_without_session_or_ballot(
    servers: Servers,
) -> None:
    async with review_alone(servers) as review:
        application_id = _new_id()
        assert await review.feed(concluded(application_id, "employer_assessment", level="junior"))

        [issued] = await review.stream(document_id_for(application_id))
        assert issued.event_type == "QualificationDocumentIssued"
        assert issued.payload["route"] == "employer_assessment" and issued.payload["session_id"] is None
        assert issued.payload["level"] == "junior" and issued.payload["application_id"] == application_id
        number = issued.payload["number"]
        assert number.startswith("平人社职称〔2026〕") and number.endswith("号")

        verified = await review.verify(number)
        assert verified.status_code == 200, verified.text
        body = verified.json()
        assert body["valid"] is True and body["holder"] == "赵**"
        assert body["level"] == "初级" and body["route"] == "employer_assessment"
        assert body["route_zh"] == "用人单位考核认定"


async def test_pol_gr_4_direct_appointment_prints_the_level_and_annotations_the_application_carries(
    servers: Servers,
) -> None:
    """A local talent's 农民高级技师: the level the application carries (副高级), its series, its annotations."""
    async with review_alone(servers) as review:
        application_id = _new_id()
        farmer = concluded(
            application_id,
            "direct_appointment",
            series="农村实用技术人才专业",
            specialty="种植",
            level="deputy_senior",
            annotations=["乡村不受指标限制"],
        )
        assert await review.feed(farmer)
        [issued] = await review.stream(document_id_for(application_id))
        body = (await review.verify(issued.payload["number"])).json()
        assert body["route_zh"] == "直接认定" and body["level"] == "副高级"
        assert body["series"] == "农村实用技术人才专业" and body["annotations"] == ["乡村不受指标限制"]


async def test_pol_sk_3_and_committee_documents_are_numbered_alike_per_year(servers: Servers) -> None:
    """Every route's document carries the year's prefix and a random part of its own (finding 20)."""
    async with review_alone(servers) as review:
        first, second, third = _new_id(), _new_id(), _new_id()
        assert await review.feed(concluded(first, "employer_assessment", year=2027))
        by_committee = await review.committee_document(second, 2027)
        assert await review.feed(concluded(third, "direct_appointment", year=2027, level="deputy_senior"))
        numbers = [(await review.stream(document_id_for(a)))[0].payload["number"] for a in (first, second, third)]
        assert by_committee == numbers[1]
        assert all(n.startswith("平人社职称〔2027〕") and n.endswith("号") for n in numbers)
        assert len(set(numbers)) == 3
        assert (await review.verify(numbers[1])).json()["route_zh"] == "评审委员会评审"


async def test_pol_sk_3_a_redelivered_conclusion_issues_no_second_document(servers: Servers) -> None:
    async with review_alone(servers) as review:
        application_id = _new_id()
        assert await review.feed(concluded(application_id, "employer_assessment", year=2028))
        # Delivered again with a new position (a replay of the feed after a lost watermark): still one document.
        assert await review.feed(concluded(application_id, "employer_assessment", year=2028))
        assert len(await review.stream(document_id_for(application_id))) == 1
        # The next document of the year is a document of its own, with a number of its own.
        [first] = await review.stream(document_id_for(application_id))
        other = _new_id()
        assert await review.feed(concluded(other, "employer_assessment", year=2028))
        [issued] = await review.stream(document_id_for(other))
        assert issued.payload["number"] != first.payload["number"]
        assert issued.payload["number"].startswith("平人社职称〔2028〕")


async def test_pol_gr_4_an_application_with_a_committee_document_never_gets_a_second_one(servers: Servers) -> None:
    async with review_alone(servers) as review:
        application_id = _new_id()
        number = await review.committee_document(application_id, 2029)
        assert await review.feed(concluded(application_id, "direct_appointment", year=2029, level="deputy_senior"))
        [issued] = await review.stream(document_id_for(application_id))
        assert issued.payload["number"] == number and issued.payload["route"] == "committee"


async def test_pol_sk_3_the_applicant_and_the_employer_chain_see_the_document_others_do_not(
    servers: Servers,
) -> None:
    async with review_alone(servers) as review:
        application_id = _new_id()
        assert await review.feed(concluded(application_id, "employer_assessment", year=2030))
        readers = (
            _user(f"applicant-{application_id}", ""),
            _user("clerk", UNIT, "unit_review"),
            _user("office", CITY, "title_office_review"),
        )
        for reader in readers:
            [seen] = (await queries.documents_of(review.ctx, reader, application_id)).items
            assert seen.route == "employer_assessment" and seen.session_id is None
        stranger = _user("stranger", "/city/other/", "unit_review")
        assert (await queries.documents_of(review.ctx, stranger, application_id)).items == []
        # Finding 19: a colleague at the same unit without a reviewing role sees nobody's but their own.
        colleague = _user("colleague", UNIT, "applicant")
        assert (await queries.documents_of(review.ctx, colleague, application_id)).total == 0


def test_a_document_issued_before_routes_existed_reads_as_a_committees() -> None:
    old = {
        "document_id": "d1",
        "number": "平人社职称〔2026〕00001号",
        "session_id": "s1",
        "application_id": "a1",
        "applicant_id": "p1",
        "applicant_name": "李明",
        "year": 2026,
        "series": "卫生系列",
        "level": "intermediate",
        "annotations": [],
    }
    parsed = CATALOGUE.parse(envelope("review-service", "QualificationDocumentIssued", old))
    assert isinstance(parsed, QualificationDocumentIssued) and parsed.route == "committee"
    assert route_zh(parsed.route) == "评审委员会评审"
