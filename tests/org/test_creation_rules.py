"""ORG-1, ORG-2 and ORG-3 as pure rules: every branch allowed and refused."""

from __future__ import annotations

import pytest
from org_service.domain.creation_rules import Creator, Proposed, check_creation
from org_service.domain.identity import normalise_name
from org_service.domain.kinds import Function, Level, OrgKind
from zhicheng_kernel.errors import DomainError
from zhicheng_kernel.identifiers import (
    credit_code_is_valid,
    credit_code_with_check,
    id_card_is_valid,
    id_card_with_check,
)

CITY_OFFICE = Creator(OrgKind.TITLE_OFFICE, Level.CITY, "620800")
COUNTY_OFFICE = Creator(OrgKind.TITLE_OFFICE, Level.COUNTY, "620821")  # 泾川县
DISTRICT_OFFICE = Creator(OrgKind.TITLE_OFFICE, Level.COUNTY, "620802")  # 崆峒区, the city proper
PROVINCIAL_HR = Creator(OrgKind.HR_DEPARTMENT, Level.PROVINCE, "620000")
CITY_EDUCATION = Creator(OrgKind.GOVERNMENT_DEPARTMENT, Level.CITY, "620800", Function.EDUCATION)
COUNTY_EDUCATION = Creator(OrgKind.GOVERNMENT_DEPARTMENT, Level.COUNTY, "620821", Function.EDUCATION)
CITY_HEALTH = Creator(OrgKind.GOVERNMENT_DEPARTMENT, Level.CITY, "620800", Function.HEALTH)
CITY_UNIT = Creator(OrgKind.STATE_UNIT, Level.CITY, "620800")

ALLOWED = [
    ("ORG-1 city office → county office", CITY_OFFICE, Proposed(OrgKind.TITLE_OFFICE, Level.COUNTY, "620821")),
    (
        "ORG-1 city office → city department",
        CITY_OFFICE,
        Proposed(OrgKind.GOVERNMENT_DEPARTMENT, Level.CITY, "620800", Function.OTHER),
    ),
    ("ORG-1 city office → city unit", CITY_OFFICE, Proposed(OrgKind.STATE_UNIT, Level.CITY, "620800")),
    ("ORG-1 city office → city HR market", CITY_OFFICE, Proposed(OrgKind.HR_MARKET, Level.CITY, "620800")),
    (
        "ORG-1 county office → county department",
        COUNTY_OFFICE,
        Proposed(OrgKind.GOVERNMENT_DEPARTMENT, Level.COUNTY, "620821", Function.HEALTH),
    ),
    ("ORG-1 county office → county unit", COUNTY_OFFICE, Proposed(OrgKind.STATE_UNIT, Level.COUNTY, "620821")),
    ("ORG-1 department → own unit", CITY_EDUCATION, Proposed(OrgKind.STATE_UNIT, Level.CITY, "620800")),
    ("ORG-1 unit → own unit", CITY_UNIT, Proposed(OrgKind.STATE_UNIT, Level.CITY, "620800")),
    (
        "ORG-2 provincial HR → private technical school",
        PROVINCIAL_HR,
        Proposed(OrgKind.PRIVATE_TECHNICAL_SCHOOL, Level.CITY, "620800"),
    ),
    (
        "ORG-2 city education → private school registered at city level",
        CITY_EDUCATION,
        Proposed(OrgKind.PRIVATE_SCHOOL, Level.CITY, "620800", registration_level=Level.CITY),
    ),
    (
        "ORG-2 city health → private hospital registered at city level",
        CITY_HEALTH,
        Proposed(OrgKind.PRIVATE_HOSPITAL, Level.CITY, "620802", registration_level=Level.CITY),
    ),
    (
        "ORG-2 county office → private enterprise in its county",
        COUNTY_OFFICE,
        Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620821"),
    ),
    (
        "ORG-2 district office → private enterprise in the city's own district",
        DISTRICT_OFFICE,
        Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620802"),
    ),
]

REFUSED = [
    (
        "ORG-1 city office → county office of another city",
        CITY_OFFICE,
        Proposed(OrgKind.TITLE_OFFICE, Level.COUNTY, "620000"),
        "ORG-1",
    ),
    (
        "ORG-1 county office → city-level unit",
        COUNTY_OFFICE,
        Proposed(OrgKind.STATE_UNIT, Level.CITY, "620800"),
        "ORG-1",
    ),
    (
        "ORG-1 county office → unit of another county",
        COUNTY_OFFICE,
        Proposed(OrgKind.STATE_UNIT, Level.COUNTY, "620822"),
        "ORG-1",
    ),
    (
        "ORG-1 county office → county office",
        COUNTY_OFFICE,
        Proposed(OrgKind.TITLE_OFFICE, Level.COUNTY, "620821"),
        "ORG-1",
    ),
    (
        "ORG-1 department → another department",
        CITY_EDUCATION,
        Proposed(OrgKind.GOVERNMENT_DEPARTMENT, Level.CITY, "620800", Function.OTHER),
        "ORG-1",
    ),
    ("ORG-1 unit → unit at another level", CITY_UNIT, Proposed(OrgKind.STATE_UNIT, Level.COUNTY, "620821"), "ORG-1"),
    (
        "ORG-2 city office → private technical school",
        CITY_OFFICE,
        Proposed(OrgKind.PRIVATE_TECHNICAL_SCHOOL, Level.CITY, "620800"),
        "ORG-2",
    ),
    (
        "ORG-2 county education → private school registered at city level",
        COUNTY_EDUCATION,
        Proposed(OrgKind.PRIVATE_SCHOOL, Level.COUNTY, "620821", registration_level=Level.CITY),
        "ORG-2",
    ),
    (
        "ORG-2 city education → private hospital",
        CITY_EDUCATION,
        Proposed(OrgKind.PRIVATE_HOSPITAL, Level.CITY, "620800", registration_level=Level.CITY),
        "ORG-2",
    ),
    (
        "ORG-2 county office → private enterprise in another county",
        COUNTY_OFFICE,
        Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620822"),
        "ORG-2",
    ),
    (
        "ORG-2 city office → private enterprise located in a county",
        CITY_OFFICE,
        Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620821"),
        "ORG-2",
    ),
    (
        "ORG-2 city unit → private enterprise",
        CITY_UNIT,
        Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.CITY, "620800"),
        "ORG-2",
    ),
]


@pytest.mark.parametrize(("case", "creator", "proposed"), ALLOWED, ids=[c[0] for c in ALLOWED])
def test_ORG_1_ORG_2_allowed(case: str, creator: Creator, proposed: Proposed) -> None:
    check_creation(creator, proposed)


@pytest.mark.parametrize(("case", "creator", "proposed", "rule"), REFUSED, ids=[c[0] for c in REFUSED])
def test_ORG_1_ORG_2_refused_names_the_rule(case: str, creator: Creator, proposed: Proposed, rule: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_creation(creator, proposed)
    assert refused.value.status == 403
    assert refused.value.rule == rule
    assert "创建" in refused.value.message


@pytest.mark.parametrize("division_code", ["620800", "620802", "620821"], ids=["city", "district", "county"])
def test_org_2_the_city_office_creates_no_private_enterprise(division_code: str) -> None:
    """ORG-2: "由企业所在地县市区职改办负责创建" — not the city office, wherever the enterprise is."""
    level = Level.CITY if division_code == "620800" else Level.COUNTY
    with pytest.raises(DomainError) as refused:
        check_creation(CITY_OFFICE, Proposed(OrgKind.PRIVATE_ENTERPRISE, level, division_code))
    assert refused.value.status == 403
    assert refused.value.rule == "ORG-2"
    assert refused.value.field == "kind"
    assert "县（市、区）职改办" in refused.value.message


def test_org_2_a_county_office_creates_private_enterprises_of_its_own_county_at_county_level() -> None:
    """ORG-2: the enterprise lies in the creating office's division and is a county-level organization."""
    elsewhere = Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620822")
    with pytest.raises(DomainError) as refused:
        check_creation(COUNTY_OFFICE, elsewhere)
    assert (refused.value.rule, refused.value.field) == ("ORG-2", "division_code")
    with pytest.raises(DomainError) as refused:
        check_creation(COUNTY_OFFICE, Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.CITY, "620821"))
    assert (refused.value.rule, refused.value.field) == ("ORG-2", "level")
    check_creation(COUNTY_OFFICE, Proposed(OrgKind.PRIVATE_ENTERPRISE, Level.COUNTY, "620821"))


def test_ORG_2_private_school_needs_its_registration_level() -> None:
    with pytest.raises(DomainError) as refused:
        check_creation(CITY_EDUCATION, Proposed(OrgKind.PRIVATE_SCHOOL, Level.CITY, "620800"))
    assert refused.value.field == "registration_level"


def test_ORG_3_credit_code_check_character() -> None:
    code = credit_code_with_check("91620800MA7123456")
    assert credit_code_is_valid(code)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert not credit_code_is_valid(wrong)
    assert not credit_code_is_valid("91620800MA712345")  # 17 characters
    assert not credit_code_is_valid("91620800MA712345I" + code[17])  # I is not in the alphabet


def test_ORG_3_names_are_normalised_for_width_and_spaces() -> None:
    assert normalise_name("平凉市　第二中学 ") == normalise_name("平凉市第二中学")
    assert normalise_name("ＰＬ医院") == "PL医院"


def test_id_card_check_digit() -> None:
    number = id_card_with_check("62080219850101001")
    assert id_card_is_valid(number)
    assert not id_card_is_valid(number[:17] + ("0" if number[17] != "0" else "1"))
