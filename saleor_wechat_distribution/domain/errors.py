"""Error codes shared by services and the GraphQL layer.

The enums live here (not in ``graphql/``) so that services raise the same codes that the API shows.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class DistributorErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    ALREADY_APPLIED = "already_applied"
    INVITER_NOT_FOUND = "inviter_not_found"
    INVITER_INACTIVE = "inviter_inactive"
    SELF_INVITE = "self_invite"
    INVALID_KIND = "invalid_kind"
    INVALID_STATUS = "invalid_status"
    KIND_NOT_ALLOWED_UNDER_PARENT = "kind_not_allowed_under_parent"
    MOVE_INTO_OWN_SUBTREE = "move_into_own_subtree"
    INVALID_MOVE_TARGET = "invalid_move_target"
    TREE_TOO_DEEP = "tree_too_deep"
    NOT_A_CUSTOMER = "not_a_customer"


class DistributionError(Exception):
    """A business rule refused an operation; nothing was changed.

    ``message`` is a translatable, user-facing string (lazy under Django); ``field`` names the input;
    ``index`` the item of an input list it is about (a rule of a rule set), when there is one.
    """

    def __init__(
        self, code: Enum, message: str, *, field: str | None = None, index: int | None = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.index = index


class CommissionErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    DEPTH_NOT_ALLOWED = "depth_not_allowed"
    RATE_OUT_OF_RANGE = "rate_out_of_range"
    RATES_EXCEED_TOTAL = "rates_exceed_total"
    AMOUNT_INVALID = "amount_invalid"
    CURRENCY_MISMATCH = "currency_mismatch"
    RULE_CONFLICT = "rule_conflict"
    CODE_NOT_FOUND = "code_not_found"
    CODE_INACTIVE = "code_inactive"
    CHANNEL_MISMATCH = "channel_mismatch"
    SELF_REFERRAL = "self_referral"
    ALREADY_ATTRIBUTED = "already_attributed"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BELOW_MINIMUM = "below_minimum"
    DAILY_LIMIT_EXCEEDED = "daily_limit_exceeded"
    BALANCE_IN_DEBT = "balance_in_debt"
    INVALID_STATUS = "invalid_status"
    PAYOUT_FAILED = "payout_failed"
    NOT_A_DISTRIBUTOR = "not_a_distributor"
    #: no program runs in the channel (none saved, or the host's plugin is not active there)
    UNKNOWN_CHANNEL = "unknown_channel"
    #: no payout app id or no WeChat Pay merchant for the channel's payout method
    PAYOUT_NOT_CONFIGURED = "payout_not_configured"
    #: the distributor has no openid in the channel's payout app yet
    WECHAT_IDENTITY_REQUIRED = "wechat_identity_required"
    #: WeChat Pay could not be reached or answered "try later"; nothing was decided
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    #: WeChat Pay has (or may soon have) a bill that can still pay: the withdrawal cannot fail now
    PAYOUT_IN_PROGRESS = "payout_in_progress"


class CouponErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNSUPPORTED_DISCOUNT = "unsupported_discount"
    UNSUPPORTED_CURRENCY = "unsupported_currency"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"
    INVALID_DATES = "invalid_dates"
    INVALID_CODE = "invalid_code"
    NO_CODES = "no_codes"
    NOT_CONFIGURED = "not_configured"
    NOT_SYNCED = "not_synced"
    #: the host's vouchers cannot be read right now (App mode: Saleor's API unreachable or refusing)
    HOST_UNAVAILABLE = "host_unavailable"


class CouponStockAttachErrorCode(StrEnum):
    """Why a WeChat Pay stock cannot be attached to a voucher (``voucherCouponStockAttach``)."""

    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_CONFIGURED = "not_configured"
    #: the voucher has no stock waiting for its id (only a failed ``STOCK_EXISTS`` stock can take one)
    NOT_AWAITING_STOCK = "not_awaiting_stock"
    #: WeChat Pay has no stock with that id
    STOCK_NOT_FOUND = "stock_not_found"
    #: the stock belongs to (or is only visible to) another merchant
    OTHER_MERCHANT = "other_merchant"
    #: the host's vouchers cannot be read right now (App mode: Saleor's API unreachable or refusing)
    HOST_UNAVAILABLE = "host_unavailable"
    #: the stock's type, discount, validity, code mode, app or comment differ from the voucher's request
    SHAPE_MISMATCH = "shape_mismatch"
    #: another voucher (or another stock row) already has that stock
    STOCK_TAKEN = "stock_taken"
    #: WeChat Pay could not answer now (try again later)
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    #: WeChat Pay refused the query (its code is in the message)
    WECHAT_ERROR = "wechat_error"


class StorefrontErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    SLUG_RESERVED = "slug_reserved"
    SLUG_TAKEN = "slug_taken"
    PRODUCT_NOT_ALLOWED = "product_not_allowed"
    NOT_A_DISTRIBUTOR = "not_a_distributor"
    INACTIVE = "inactive"
    STOREFRONT_EXISTS = "storefront_exists"
    APP_ID_TAKEN = "app_id_taken"
    ACCOUNT_VERIFICATION_FAILED = "account_verification_failed"
    ACCOUNT_NOT_BOUND = "account_not_bound"
    COMPONENT_NOT_CONFIGURED = "component_not_configured"
    AUTHORIZATION_FAILED = "authorization_failed"
    WECHAT_ERROR = "wechat_error"
    #: WeChat could not be reached (connection refused, timeout, DNS, an HTTP error): nothing changed
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    OAUTH_FAILED = "oauth_failed"
    PRODUCT_NOT_FOUND = "product_not_found"
    #: the host registered no product lookup (``Host.product_lookup``, see host.py) and names no product
    #: catalog (``WECHAT_DISTRIBUTION_PRODUCT_CATALOG``): posters cannot describe products
    PRODUCT_LOOKUP_MISSING = "product_lookup_missing"
    IMAGE_UNAVAILABLE = "image_unavailable"


class NetworkImportErrorCode(StrEnum):
    """Per-row and per-file errors of a network import (services/network_import/)."""

    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    UNREADABLE_FILE = "unreadable_file"
    UNKNOWN_ENCODING = "unknown_encoding"
    MISSING_COLUMNS = "missing_columns"
    FILE_TOO_LARGE = "file_too_large"
    FORMULA = "formula"
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
    DUPLICATE_CODE = "duplicate_code"
    DUPLICATE_PERSON = "duplicate_person"
    DUPLICATE_SLUG = "duplicate_slug"
    INVALID_KIND = "invalid_kind"
    INVALID_STATUS = "invalid_status"
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_CODE = "invalid_code"
    INVALID_SLUG = "invalid_slug"
    CONTACT_REQUIRED = "contact_required"
    NO_CUSTOMER = "no_customer"
    UNKNOWN_PARENT = "unknown_parent"
    SELF_PARENT = "self_parent"
    CYCLE = "cycle"
    TWO_ROOTS = "two_roots"
    PARENT_INVALID = "parent_invalid"
    PARENT_NOT_APPROVED = "parent_not_approved"
    KIND_NOT_ALLOWED_UNDER_PARENT = "kind_not_allowed_under_parent"
    TREE_TOO_DEEP = "tree_too_deep"
    UNKNOWN_INVITER = "unknown_inviter"
    SELF_INVITER = "self_inviter"
    SLUG_RESERVED = "slug_reserved"
    SLUG_TAKEN = "slug_taken"
    CHANNEL_REQUIRED = "channel_required"
    #: the shop's customer accounts could not be reached (App mode: Saleor's API); nothing was imported
    HOST_UNAVAILABLE = "host_unavailable"


class DisputeErrorCode(StrEnum):
    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    ORDER_NOT_FOUND = "order_not_found"
    ALREADY_OPEN = "already_open"
    NOT_OPEN = "not_open"
    AMOUNT_INVALID = "amount_invalid"


class CenterErrorCode(StrEnum):
    """The distributor center's own operations: WeChat sign-in and JS-SDK signatures."""

    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    #: the page's address is not on one of the storefront's domains
    URL_NOT_ALLOWED = "url_not_allowed"
    #: no Official Account serves the storefront (or the app id is not one we hold)
    ACCOUNT_NOT_BOUND = "account_not_bound"
    #: WeChat refused the call (its errcode is in the message)
    WECHAT_ERROR = "wechat_error"
    #: WeChat could not be reached; nothing was decided, try again
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    #: WeChat refused the OAuth code (used, expired, another account's)
    OAUTH_FAILED = "oauth_failed"
    #: the host has no way to turn a WeChat sign-in into a customer session
    SIGN_IN_NOT_CONFIGURED = "sign_in_not_configured"
