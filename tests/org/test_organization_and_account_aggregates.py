"""The organization and account aggregates as pure rules: decided from their events alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from org_service.domain import account as accounts
from org_service.domain.account import Account, AccountKind
from org_service.domain.events import (
    CATALOGUE,
    AccountDeactivated,
    AdminAccountCreated,
    ApplicantRegistered,
    ApplicantStaffStatusChanged,
    OrganizationCreated,
    OrganizationDeactivated,
    PasswordChanged,
    PasswordReset,
    RolesAssigned,
)
from org_service.domain.kinds import Level, OrgKind, UnitType
from org_service.domain.organization import NewOrganization, Organization, check_facts, found
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.identifiers import credit_code_with_check, id_card_with_check
from zhicheng_kernel.testing import envelope

CITY_OFFICE = NewOrganization("平凉市职称改革工作领导小组办公室", OrgKind.TITLE_OFFICE, Level.CITY, "620800")
SCHOOL_CODE = credit_code_with_check("12620800438201234")
SCHOOL = NewOrganization(
    "平凉市第二中学", OrgKind.STATE_UNIT, Level.CITY, "620800", credit_code=SCHOOL_CODE, unit_type=UnitType.SCHOOL
)
TODAY = date(2026, 11, 29)


def _city_office() -> Organization:
    created, _admin = found(CITY_OFFICE, None, uuid.uuid4(), "6208000001", uuid.uuid4())
    return Organization.from_events([created])


def test_ORG_5_an_organization_is_founded_with_its_system_admin_named_by_its_code() -> None:
    office = _city_office()
    org_id, admin_id = uuid.uuid4(), uuid.uuid4()
    created, admin = office.create_child(SCHOOL, org_id, "6208000002", admin_id)
    assert isinstance(created, OrganizationCreated) and isinstance(admin, AdminAccountCreated)
    assert created.parent_id == office.org_id and created.path == f"{office.path}{org_id}/"
    assert admin.username == created.code == "6208000002" and admin.must_change_password
    system_admin = Account.from_events([admin])
    assert system_admin.kind is AccountKind.SYSTEM_ADMIN and system_admin.roles == ("system_admin",)


def test_ORG_1_the_parent_decides_from_its_own_stream_and_refuses_with_the_rule() -> None:
    county = NewOrganization("泾川县第一中学", OrgKind.STATE_UNIT, Level.COUNTY, "620821", unit_type=UnitType.SCHOOL)
    with pytest.raises(Forbidden) as refused:
        _city_office().create_child(county, uuid.uuid4(), "6208210001", uuid.uuid4())
    assert refused.value.rule == "ORG-1"


def test_ORG_3_an_abbreviation_is_refused_with_the_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        _city_office().create_child(
            NewOrganization("二中", OrgKind.STATE_UNIT, Level.CITY, "620800", unit_type=UnitType.SCHOOL),
            uuid.uuid4(),
            "6208000002",
            uuid.uuid4(),
        )
    assert refused.value.rule == "ORG-3" and refused.value.field == "name"


@pytest.mark.parametrize("name", ["市第一中学", "市人民医院", "县 人民医院", "区教育局直属学校", "市场监督管理局"])
def test_org_3_a_name_opening_with_a_bare_level_and_no_place_is_an_abbreviation(name: str) -> None:
    """ORG-3: "使用单位全称(与单位公章一致)" — "市一中"-style short forms are refused, naming the field."""
    with pytest.raises(InvalidInput) as refused:
        check_facts(NewOrganization(name, OrgKind.STATE_UNIT, Level.CITY, "620800", unit_type=UnitType.SCHOOL))
    assert (refused.value.code, refused.value.rule, refused.value.field) == ("org_name_abbreviated", "ORG-3", "name")
    assert "单位全称" in refused.value.message and "简称" in refused.value.message


@pytest.mark.parametrize("name", ["第一中学", "人民医院", "卫生健康委员会", "职称改革工作领导小组办公室"])
def test_ORG_3_a_name_that_names_no_place_is_not_the_seals_full_name(name: str) -> None:
    """ORG-3: four characters were enough ("第一中学"); a seal names its place (平凉市…, 泾川县…)."""
    with pytest.raises(InvalidInput) as refused:
        check_facts(replace(SCHOOL, name=name))
    assert (refused.value.code, refused.value.rule, refused.value.field) == ("org_name_without_place", "ORG-3", "name")
    assert "全称" in refused.value.message


@pytest.mark.parametrize("name", ["平凉一中", "崆峒区三小", "平凉市职改办", "平凉市卫健委", "泾川县人社局"])
def test_ORG_3_a_short_form_naming_its_place_is_still_refused(name: str) -> None:
    """ORG-3: the notice's own short forms (职改办, 卫健委, 人社局) and a school by its number are no seal's."""
    with pytest.raises(InvalidInput) as refused:
        check_facts(replace(SCHOOL, name=name))
    assert (refused.value.code, refused.value.rule, refused.value.field) == ("org_name_abbreviated", "ORG-3", "name")


FULL_NAMES = [
    "平凉市第一中学",
    "市场监管（平凉）服务中心",
    "区块链科技（华亭）有限公司",
    "静宁县人民医院",
    "甘肃医学院",
    "中国人民银行平凉市中心支行",
    "平凉市职称改革工作领导小组办公室",
]


@pytest.mark.parametrize("name", FULL_NAMES)
def test_org_3_a_full_name_naming_its_place_is_accepted(name: str) -> None:
    """ORG-3: a name that opens with a level word but names its place is not taken for a short form."""
    full = NewOrganization(
        name, OrgKind.STATE_UNIT, Level.CITY, "620800", credit_code=SCHOOL_CODE, unit_type=UnitType.SCHOOL
    )
    assert check_facts(full)


def test_ORG_3_an_organization_a_user_creates_needs_its_credit_code_a_seeded_root_may_have_none() -> None:
    """ORG-3: "validate the unified social credit code" — refused naming ORG-3 when missing or wrong."""
    office = _city_office()  # seeded: founded without a code
    assert office.parent_id is None
    without = replace(SCHOOL, credit_code=None)
    with pytest.raises(InvalidInput) as missing:
        office.create_child(without, uuid.uuid4(), "6208000002", uuid.uuid4())
    assert (missing.value.code, missing.value.rule, missing.value.field) == (
        "credit_code_required",
        "ORG-3",
        "credit_code",
    )
    assert "统一社会信用代码" in missing.value.message
    wrong = replace(SCHOOL, credit_code=SCHOOL_CODE[:17] + ("0" if SCHOOL_CODE[17] != "0" else "1"))
    with pytest.raises(InvalidInput) as invalid:
        office.create_child(wrong, uuid.uuid4(), "6208000002", uuid.uuid4())
    assert (invalid.value.code, invalid.value.rule) == ("credit_code_invalid", "ORG-3")
    created, _admin = office.create_child(SCHOOL, uuid.uuid4(), "6208000002", uuid.uuid4())
    assert isinstance(created, OrganizationCreated) and created.credit_code == SCHOOL_CODE


def test_a_deactivated_organization_creates_nothing_and_is_not_deactivated_twice() -> None:
    office = _city_office()
    created, _ = office.create_child(SCHOOL, uuid.uuid4(), "6208000002", uuid.uuid4())
    school = Organization.from_events([created])
    with pytest.raises(Forbidden) as not_parent:
        school.deactivate(str(uuid.uuid4()), "撤并", has_active_children=False)
    assert not_parent.value.code == "not_parent_admin"
    with pytest.raises(Conflict) as has_children:
        school.deactivate(str(office.org_id), "撤并", has_active_children=True)
    assert has_children.value.code == "org_has_active_children"
    (deactivated,) = school.deactivate(str(office.org_id), "撤并", has_active_children=False)
    assert isinstance(deactivated, OrganizationDeactivated) and deactivated.reason == "撤并"
    school = Organization.from_events([created, deactivated])
    assert not school.active and school.version == 2
    with pytest.raises(Forbidden) as inactive:
        school.create_child(SCHOOL, uuid.uuid4(), "6208000003", uuid.uuid4())
    assert inactive.value.code == "org_inactive"
    with pytest.raises(Conflict):
        school.deactivate(str(office.org_id), "撤并", has_active_children=False)


def _business_admin(org_id: uuid.UUID) -> Account:
    return Account.from_events(
        accounts.create_business_admin(uuid.uuid4(), org_id, "6208000002-yw01", "王芳", ["unit_review"])
    )


def test_ORG_6_roles_go_to_the_own_organizations_business_admins_only() -> None:
    org_id = uuid.uuid4()
    clerk = _business_admin(org_id)
    assert clerk.roles == ("unit_review",) and clerk.version == 2
    (assigned,) = clerk.assign_roles(str(org_id), ["push", "unit_review", "push"])
    assert isinstance(assigned, RolesAssigned) and assigned.roles == ["push", "unit_review"]
    with pytest.raises(Forbidden) as outside:
        clerk.assign_roles(str(uuid.uuid4()), ["push"])
    assert outside.value.rule == "ORG-6"
    with pytest.raises(InvalidInput) as not_business:
        clerk.assign_roles(str(org_id), ["system_admin"])
    assert not_business.value.rule == "ORG-6"


def test_an_account_folds_roles_passwords_and_deactivation_from_its_events() -> None:
    org_id = uuid.uuid4()
    clerk = _business_admin(org_id)
    history = [
        *accounts.create_business_admin(clerk.account_id, org_id, clerk.username, "王芳", ["unit_review"]),
        PasswordChanged(account_id=clerk.account_id),
        RolesAssigned(account_id=clerk.account_id, org_id=org_id, roles=["auditor"]),
    ]
    now = Account.from_events(history)
    assert not now.must_change_password and now.roles == ("auditor",) and now.version == 4
    reset = Account.from_events([*history, PasswordReset(account_id=clerk.account_id)])
    assert reset.must_change_password
    (gone,) = now.deactivate(str(uuid.uuid4()), str(org_id), "调离")
    assert isinstance(gone, AccountDeactivated)
    with pytest.raises(Conflict):
        Account.from_events([*history, gone]).deactivate(str(uuid.uuid4()), str(org_id), "调离")
    with pytest.raises(NotFound):
        now.deactivate(str(uuid.uuid4()), str(uuid.uuid4()), "调离")


def test_a_system_admin_is_not_deactivated_on_its_own() -> None:
    _created, admin = found(SCHOOL, _city_office(), uuid.uuid4(), "6208000002", uuid.uuid4())
    system_admin = Account.from_events([admin])
    with pytest.raises(Forbidden):
        system_admin.deactivate(str(uuid.uuid4()), str(system_admin.org_id), "调离")


def test_an_applicant_is_registered_with_a_valid_id_card_number_that_is_not_the_username() -> None:
    created, _admin = _city_office().create_child(SCHOOL, uuid.uuid4(), "6208000002", uuid.uuid4())
    school = Organization.from_events([created])
    number = id_card_with_check("62080219850101001")
    username = accounts.applicant_username(school.code, 1)
    assert username == "6208000002-sq0001"
    (registered,) = accounts.register_applicant(uuid.uuid4(), school, username, "李明", number, True, TODAY)
    assert isinstance(registered, ApplicantRegistered)
    assert registered.id_card_number == number and registered.username == username != number
    assert registered.org_path == school.path
    assert Account.from_events([registered]).username == username
    with pytest.raises(InvalidInput) as invalid:
        accounts.register_applicant(uuid.uuid4(), school, username, "李明", number[:17] + "Y", True, TODAY)
    assert invalid.value.field == "id_card_number"
    with pytest.raises(DomainError) as not_an_office:
        accounts.register_expert(uuid.uuid4(), school, "zj62080000001", "赵建国", ["卫生系列"], "senior")
    assert not_an_office.value.code == "title_office_only"


def _applicant_of(org: Organization, on_staff: bool = True) -> list[ApplicantRegistered]:
    number = id_card_with_check("62080219850101001")
    registered = accounts.register_applicant(uuid.uuid4(), org, "6208000002-sq0001", "李明", number, on_staff, TODAY)
    return [event for event in registered if isinstance(event, ApplicantRegistered)]


def test_POL_EN_4_the_employer_corrects_the_on_staff_status_it_registered_with_a_reason() -> None:
    office = _city_office()
    created, _admin = office.create_child(SCHOOL, uuid.uuid4(), "6208000002", uuid.uuid4())
    school = Organization.from_events([created])
    history: list[DomainEvent] = [*_applicant_of(school, on_staff=True)]
    applicant = Account.from_events(history)
    assert applicant.on_staff is True and applicant.org_path == school.path
    # The school's own administrator and the city office's above it may correct it; the reason is kept.
    for by_path in (school.path, office.path):
        (changed,) = applicant.change_staff_status("admin-1", by_path, False, "  登记有误：编外聘用  ")
        assert isinstance(changed, ApplicantStaffStatusChanged)
        assert (changed.on_staff, changed.reason, changed.org_id) == (False, "登记有误：编外聘用", school.org_id)
        assert changed.changed_by == "admin-1"
    history.append(changed)
    corrected = Account.from_events(history)
    assert corrected.on_staff is False and corrected.version == 2
    # Unchanged: no event.
    assert corrected.change_staff_status("admin-1", school.path, False, "再次确认编外") == []


def test_POL_EN_4_a_staff_status_correction_is_refused_outside_the_subtree_and_without_a_reason() -> None:
    office = _city_office()
    created, admin = office.create_child(SCHOOL, uuid.uuid4(), "6208000002", uuid.uuid4())
    school = Organization.from_events([created])
    registered = _applicant_of(school)
    applicant = Account.from_events(registered)
    sibling = f"{office.path}{uuid.uuid4()}/"
    for outside in (sibling, ""):
        with pytest.raises(Forbidden) as refused:
            applicant.change_staff_status("admin-2", outside, False, "登记有误")
        assert (refused.value.code, refused.value.field) == ("outside_scope", "account_id")
    for reason, code in (("", "reason_required"), (" 错 ", "reason_required"), ("理" * 201, "reason_too_long")):
        with pytest.raises(InvalidInput) as invalid:
            applicant.change_staff_status("admin-1", school.path, False, reason)
        assert (invalid.value.code, invalid.value.field) == (code, "reason")
    with pytest.raises(NotFound):
        Account.from_events([admin]).change_staff_status("admin-1", office.path, False, "不是申报人")
    gone = AccountDeactivated(account_id=applicant.account_id, reason="调离")
    with pytest.raises(Conflict):
        Account.from_events([*registered, gone]).change_staff_status("admin-1", school.path, False, "登记有误")


def test_version_1_applicant_events_are_read_with_the_id_card_number_from_the_username() -> None:
    number = id_card_with_check("62080219850101001")
    old = envelope(
        "org-service",
        "ApplicantRegistered",
        {
            "account_id": str(uuid.uuid4()),
            "username": number,
            "org_id": str(uuid.uuid4()),
            "org_path": "/x/",
            "display_name": "李明",
            "on_staff": True,
        },
        schema_version=1,
    )
    parsed = CATALOGUE.parse(old)
    assert isinstance(parsed, ApplicantRegistered) and parsed.id_card_number == parsed.username == number
    assert Account.from_events([parsed]).username == number  # such an account still logs in as before


def test_no_event_class_has_a_field_for_a_secret() -> None:
    secrets = {"password", "password_hash", "initial_password", "refresh_token", "failed_logins", "locked_until"}
    for cls in CATALOGUE.classes.values():
        assert secrets.isdisjoint(cls.model_fields), cls.event_type
