import pytest

from app.accounts.roles import CompanyKind, Role, RoleError, is_company_admin, validate_roles
from app.accounts.services import normalize_email
from app.errors import InvalidInput


def test_each_kind_of_company_has_its_own_roles():
    assert validate_roles(CompanyKind.BUYER, ["purchaser", "approver"]) == {Role.PURCHASER, Role.APPROVER}
    assert validate_roles(CompanyKind.VENDOR, ["vendor_sales"]) == {Role.VENDOR_SALES}
    assert validate_roles(CompanyKind.OPERATOR, ["operator"]) == {Role.OPERATOR}


@pytest.mark.parametrize(
    ("kind", "roles", "message"),
    [
        (CompanyKind.BUYER, ["vendor_admin"], "buyer company's users cannot be vendor_admin"),
        (CompanyKind.VENDOR, ["operator"], "vendor company's users cannot be operator"),
        (CompanyKind.BUYER, ["boss"], "unknown role 'boss'"),
        (CompanyKind.BUYER, [], "at least one role"),
    ],
)
def test_roles_that_do_not_fit_the_company_are_refused_with_the_allowed_ones(kind, roles, message):
    with pytest.raises(RoleError, match=message):
        validate_roles(kind, roles)


def test_admin_roles_manage_their_company():
    assert is_company_admin({Role.BUYER_ADMIN})
    assert is_company_admin({Role.VENDOR_ADMIN, Role.VENDOR_SALES})
    assert not is_company_admin({Role.PURCHASER, Role.APPROVER})


def test_emails_are_one_identity_whatever_their_case():
    assert normalize_email("  Ana.Buyer@ACME.example ") == "ana.buyer@acme.example"


@pytest.mark.parametrize("raw", ["", "ana", "ana@", "@acme.example", "ana @acme.example", "ana@acme"])
def test_malformed_emails_are_refused(raw):
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        normalize_email(raw)
