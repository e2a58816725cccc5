"""Every Celery task name of the package, in one place.

Tasks are declared with these names (``tasks.py``, ``saleor_adapter/tasks.py``) and queued by them
(``jobs.enqueue``), so a name is written once. Celery routes messages by name: a renamed task must keep its
old name registered (a deprecated shim that forwards to the new task) for one release, or messages already
queued in a running deployment are lost; the ``DEPRECATED`` names below are those shims.
"""

from __future__ import annotations

PREFIX = "saleor_wechat_distribution."

# --- the inbound event log -----------------------------------------------------------------------------
#: periodic: processed events older than the retention window deleted (``services/inbound_event_retention``)
INBOUND_EVENTS_PRUNE = PREFIX + "inbound_events_prune"

# --- payouts and commissions --------------------------------------------------------------------------
WITHDRAWAL_SEND = PREFIX + "withdrawal_send"
WITHDRAWAL_RECONCILE = PREFIX + "withdrawal_reconcile"
WITHDRAWALS_RESUME = PREFIX + "withdrawals_resume"
COMMISSIONS_SETTLE_DUE = PREFIX + "commissions_settle_due"
COMMISSIONS_NOTIFY = PREFIX + "commissions_notify"
DISTRIBUTOR_IMPORT = PREFIX + "distributor_import"

# --- order events (one task per service call; the sandbox's way in is ``host_events``) ------------------
ORDER_PLACED = PREFIX + "order_placed"
ORDER_PAID = PREFIX + "order_paid"
ORDER_FULFILLED = PREFIX + "order_fulfilled"
ORDER_CANCELLED = PREFIX + "order_cancelled"
ORDER_REFUND_RECEIVED = PREFIX + "order_refund_received"
ORDER_HOLD_OPEN = PREFIX + "order_hold_open"
ORDER_HOLD_CLOSE = PREFIX + "order_hold_close"
ORDER_DISPUTE_OPEN = PREFIX + "order_dispute_open"
ORDER_DISPUTE_RESOLVE = PREFIX + "order_dispute_resolve"

# --- customers ----------------------------------------------------------------------------------------
REFERRAL_TOUCH = PREFIX + "referral_touch"
CUSTOMER_BINDINGS_FORGET = PREFIX + "customer_bindings_forget"

# --- coupons (商家券) -----------------------------------------------------------------------------------
COUPON_SYNC = PREFIX + "coupon_sync"
COUPON_ORDER_USED = PREFIX + "coupon_order_used"
COUPON_ORDER_CANCELLED = PREFIX + "coupon_order_cancelled"
COUPON_VOUCHER_DELETED = PREFIX + "coupon_voucher_deleted"
COUPON_CODES_DELETED = PREFIX + "coupon_codes_deleted"
COUPON_WITHDRAW = PREFIX + "coupon_withdraw"
COUPONS_RECONCILE = PREFIX + "coupons_reconcile"

# --- WeChat Official Accounts -------------------------------------------------------------------------
WECHAT_IDENTITY_REFRESH = PREFIX + "wechat_identity_refresh"
WECHAT_ACCOUNT_AUTHORIZED = PREFIX + "wechat_account_authorized"
WECHAT_AUTHORIZER_TOKENS_REFRESH = PREFIX + "wechat_authorizer_tokens_refresh"
NOTIFICATION_SEND = PREFIX + "notification_send"

# --- WeChat Mini Programs -----------------------------------------------------------------------------
SUBSCRIBE_MESSAGE_SEND = PREFIX + "subscribe_message_send"

# --- Saleor's adapter: the hooks queue Saleor ids; the task reads Saleor and calls one service ------------
SALEOR_ORDER_CREATED = PREFIX + "saleor_order_created"
SALEOR_ORDER_PAID = PREFIX + "saleor_order_paid"
SALEOR_ORDER_CREATED_PAID = PREFIX + "saleor_order_created_paid"
SALEOR_ORDER_FULFILLED = PREFIX + "saleor_order_fulfilled"
SALEOR_ORDER_CANCELLED = PREFIX + "saleor_order_cancelled"
SALEOR_ORDER_REFUNDED = PREFIX + "saleor_order_refunded"
SALEOR_CHECKOUT_REFERRAL = PREFIX + "saleor_checkout_referral"
SALEOR_AFTER_SALES = PREFIX + "saleor_after_sales"
#: the plugin hooks' order event kinds -> their tasks
SALEOR_ORDER_TASKS = {
    "created": SALEOR_ORDER_CREATED,
    "paid": SALEOR_ORDER_PAID,
    "created_paid": SALEOR_ORDER_CREATED_PAID,
    "fulfilled": SALEOR_ORDER_FULFILLED,
    "cancelled": SALEOR_ORDER_CANCELLED,
    "refunded": SALEOR_ORDER_REFUNDED,
}

# --- App mode (``app/``): a verified webhook's stored event -> the task of its kind reads Saleor's API and
# calls one service -------------------------------------------------------------------------------------
APP_ORDER_CREATED = PREFIX + "app_order_created"
APP_ORDER_PAID = PREFIX + "app_order_paid"
APP_ORDER_FULFILLED = PREFIX + "app_order_fulfilled"
APP_ORDER_CANCELLED = PREFIX + "app_order_cancelled"
APP_ORDER_REFUNDED = PREFIX + "app_order_refunded"
APP_VOUCHER_DELETED = PREFIX + "app_voucher_deleted"
APP_VOUCHER_CHANGED = PREFIX + "app_voucher_changed"
APP_VOUCHER_CODES_CREATED = PREFIX + "app_voucher_codes_created"
APP_VOUCHER_CODES_DELETED = PREFIX + "app_voucher_codes_deleted"
APP_CUSTOMER_DELETED = PREFIX + "app_customer_deleted"
#: ORDER_UPDATED: the order's after-sales cases (granted refunds, returns) -> its dispute
APP_ORDER_UPDATED = PREFIX + "app_order_updated"
#: periodic: orders Saleor updated since the last run (grants and failed refunds send no webhook)
APP_ORDERS_POLL = PREFIX + "app_orders_poll"
#: periodic: stored events whose task never ran (the broker was down) or gave up, queued again
APP_EVENTS_RESUME = PREFIX + "app_events_resume"
#: periodic (beat): a periodic job queued once per installed instance, in its schema (``app/task_scope``)
APP_FOR_EACH_INSTANCE = PREFIX + "app_for_each_instance"

# --- deprecated (kept registered for one release: they forward to the tasks above) ------------------------
DEPRECATED_ORDER_EVENT = PREFIX + "order_event"
DEPRECATED_COUPON_EVENT = PREFIX + "coupon_event"
DEPRECATED_CUSTOMER_EVENT = PREFIX + "customer_event"
DEPRECATED_SALEOR_ORDER_EVENT = PREFIX + "saleor_order_event"
DEPRECATED_SALEOR_CHECKOUT_EVENT = PREFIX + "saleor_checkout_event"

#: every current name above: ``jobs.enqueue`` refuses any other (a typo would otherwise only be logged), and
#: the deprecated ones (nothing new is queued under them)
ALL = frozenset(
    v
    for k, v in dict(globals()).items()
    if k.isupper() and isinstance(v, str) and k != "PREFIX" and not k.startswith("DEPRECATED_")
)

