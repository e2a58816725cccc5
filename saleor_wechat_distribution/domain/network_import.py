"""The rows of a network import file: columns and the cleaning of each cell. Pure Python.

A file has one header row; the columns below may come in any order (English names or the Chinese
aliases). Columns the import does not read (the export's levels, counts and balances) are ignored, so an
export re-imports as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .distributors import DISPLAY_NAME_MAX_LENGTH, DistributorKind, DistributorStatus
from .errors import NetworkImportErrorCode as Code
from .i18n import gettext_noop as _
from .storefronts import slug_problem

#: the columns the import reads, in the order the export writes them
IMPORT_COLUMNS = (
    "external_id",
    "parent_external_id",
    "kind",
    "display_name",
    "email",
    "phone",
    "referral_code",
    "status",
    "storefront_slug",
    "inviter_external_id",
)
REQUIRED_COLUMNS = ("external_id", "parent_external_id", "display_name")
ALIASES = {
    "外部编号": "external_id",
    "编号": "external_id",
    "上级编号": "parent_external_id",
    "上级外部编号": "parent_external_id",
    "类型": "kind",
    "名称": "display_name",
    "姓名": "display_name",
    "邮箱": "email",
    "手机": "phone",
    "手机号": "phone",
    "电话": "phone",
    "推荐码": "referral_code",
    "邀请码": "referral_code",
    "状态": "status",
    "店铺": "storefront_slug",
    "店铺标识": "storefront_slug",
    "邀请人编号": "inviter_external_id",
    "推荐人编号": "inviter_external_id",
}
KIND_ALIASES = {
    "enterprise": DistributorKind.ENTERPRISE,
    "企业": DistributorKind.ENTERPRISE,
    "individual": DistributorKind.INDIVIDUAL,
    "个人": DistributorKind.INDIVIDUAL,
}
STATUS_ALIASES = {
    "active": DistributorStatus.ACTIVE,
    "正常": DistributorStatus.ACTIVE,
    "启用": DistributorStatus.ACTIVE,
    "pending": DistributorStatus.PENDING,
    "待审核": DistributorStatus.PENDING,
    "suspended": DistributorStatus.SUSPENDED,
    "暂停": DistributorStatus.SUSPENDED,
    "rejected": DistributorStatus.REJECTED,
    "已拒绝": DistributorStatus.REJECTED,
}
EXTERNAL_ID_MAX_LENGTH = 64
#: what a spreadsheet would run as a formula; the export prefixes such text with "'" (and we strip it)
FORMULA_STARTS = ("=", "+", "-", "@")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_INTL_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
_CODE = re.compile(r"^[A-Z0-9]{4,16}$")


@dataclass(frozen=True)
class RowError:
    code: Code
    field: str | None
    message: str
    #: the earlier row a duplicate repeats (or the parent row with errors)
    other_line: int | None = None


class HeaderError(ValueError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def map_header(cells: Iterable[object]) -> dict[str, int]:
    """Column name -> position; raises ``HeaderError`` naming the required columns that are missing."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        raw = str(cell or "").strip().lstrip("\ufeff").strip()
        name = ALIASES.get(raw) or raw.lower().replace(" ", "_").replace("-", "_")
        if name in IMPORT_COLUMNS and name not in positions:
            positions[name] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise HeaderError(missing)
    return positions


def cell_text(value: object) -> str:
    """A cell as text: spreadsheet numbers without a trailing ".0", whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_formula(text: str) -> bool:
    return text.startswith("=")


def unquote(text: str) -> str:
    """Undo the export's neutralisation: "'=x" -> "=x" is refused later as a formula, "'+86…" -> "+86…"."""
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


@dataclass(slots=True)
class CleanRow:
    """One row after cleaning; ``errors`` empty means it can be imported (as far as the row alone says)."""

    line: int
    external_id: str
    parent_external_id: str
    kind: str
    display_name: str
    email: str
    phone: str
    referral_code: str
    status: str
    storefront_slug: str
    #: who recruited this distributor (fission); empty: its parent, for a new row
    inviter_external_id: str = ""
    errors: list[RowError] = field(default_factory=list)


def normalize_phone(raw: str) -> str | None:
    """Mainland mobiles as +86XXXXXXXXXXX, other numbers in E.164; None when it is not a phone number."""
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("0086"):
        digits = "+86" + digits[4:]
    national = digits[3:] if digits.startswith("+86") else digits
    if _CN_MOBILE.match(national):
        return "+86" + national
    if _INTL_PHONE.match(digits):
        return digits
    return None


def clean_row(line: int, cells: Mapping[str, str]) -> CleanRow:
    """Clean one row's cells (already text, formula cells still in). Never raises."""
    errors: list[RowError] = []

    def err(code: Code, field_: str | None, message: str) -> None:
        errors.append(RowError(code, field_, message))

    values: dict[str, str] = {}
    formulas: set[str] = set()
    for column in IMPORT_COLUMNS:
        text = cells.get(column, "")
        if is_formula(text):
            err(Code.FORMULA, column, _("Formulas are not imported; paste the values instead."))
            formulas.add(column)
            text = ""
        values[column] = unquote(text)

    external_id = values["external_id"]
    if not external_id and "external_id" not in formulas:
        err(Code.REQUIRED, "external_id", _("Enter an external id."))
    elif len(external_id) > EXTERNAL_ID_MAX_LENGTH or not external_id.isprintable():
        err(Code.INVALID, "external_id", _("The external id is too long or contains invalid characters."))
    parent = values["parent_external_id"]
    if len(parent) > EXTERNAL_ID_MAX_LENGTH:
        err(Code.INVALID, "parent_external_id", _("The parent's external id is too long."))

    kind = values["kind"] or DistributorKind.INDIVIDUAL.value
    kind_ = KIND_ALIASES.get(kind.lower())
    if kind_ is None:
        err(Code.INVALID_KIND, "kind", _("Unknown distributor kind; use enterprise or individual."))
    status = values["status"] or DistributorStatus.ACTIVE.value
    status_ = STATUS_ALIASES.get(status.lower())
    if status_ is None:
        err(Code.INVALID_STATUS, "status", _("Unknown status; use active, pending, suspended or rejected."))

    name = " ".join(values["display_name"].split())
    if not name and "display_name" not in formulas:
        err(Code.REQUIRED, "display_name", _("Enter a display name."))
    elif len(name) > DISPLAY_NAME_MAX_LENGTH or not name.isprintable():
        err(Code.INVALID, "display_name", _("The display name is too long or contains invalid characters."))

    email = values["email"].lower()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        err(Code.INVALID_EMAIL, "email", _("This is not a valid e-mail address."))
    phone = ""
    if values["phone"]:
        phone = normalize_phone(values["phone"]) or ""
        if not phone:
            err(Code.INVALID_PHONE, "phone", _("This is not a valid mobile phone number."))
    code = values["referral_code"].upper()
    if code and not _CODE.match(code):
        err(Code.INVALID_CODE, "referral_code", _("A referral code is 4 to 16 letters or digits."))
    slug = values["storefront_slug"].lower()
    problem = slug_problem(slug) if slug else None
    if problem == "reserved":
        err(Code.SLUG_RESERVED, "storefront_slug", _("This storefront address is reserved."))
    elif problem:
        err(
            Code.INVALID_SLUG,
            "storefront_slug",
            _("A storefront address is 3 to 50 lower-case letters, digits and single hyphens."),
        )
    inviter = values["inviter_external_id"]
    if len(inviter) > EXTERNAL_ID_MAX_LENGTH:
        err(Code.INVALID, "inviter_external_id", _("The inviter's external id is too long."))

    return CleanRow(
        line=line,
        external_id=external_id,
        parent_external_id=parent,
        kind=(kind_ or DistributorKind.INDIVIDUAL).value,
        display_name=name,
        email=email,
        phone=phone,
        referral_code=code,
        status=(status_ or DistributorStatus.ACTIVE).value,
        storefront_slug=slug,
        inviter_external_id=inviter,
        errors=errors,
    )
