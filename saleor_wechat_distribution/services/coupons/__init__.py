"""Vouchers synced with WeChat Pay merchant coupons (商家券), and coupons redeemed both ways.

Sync (``coupon_sync_voucher``) reconciles our stock rows with the host's voucher *now* (events only
trigger it), per configured merchant / app id:

1. one ``CouponStock`` row per (voucher, merchant, app id), unique: retries and concurrent workers share
   it; a lease (``lease_until``) lets one worker at a time talk to WeChat for it;
2. the stock is created once: the request body is stored before it is sent and re-sent unchanged, under
   an ``out_request_no`` derived from the triple. WeChat Pay's docs do not say how a repeated 创建商家券 is
   answered: a 200 with the first stock is taken as that stock; RESOURCE_ALREADY_EXISTS (no stock id) is
   recorded as ``failed`` / ``STOCK_EXISTS``; either way no second stock is ever made for the voucher
   (staff attach the existing stock by id: ``stock_attach.coupon_stock_attach``);
3. voucher edits after that (``stock_changes.reconcile_edits``): the usage limit moves the budget up or
   down (修改批次预算, never below the coupons already handed out); the merchant's goods name is pushed
   (修改商家券基本信息);
   WeChat cannot change a stock's discount or validity (``failed``: VOUCHER_CHANGED / DATES_CHANGED,
   healthy again once the voucher is back) nor its name (a ``NAME_NOT_UPDATABLE`` notice: the coupons
   still work, the card pack keeps the old name);
4. codes are uploaded in batches of 200 (the API's maximum) streamed from the host's ascending iterator,
   after the cursor of the last confirmed batch: resumable, never all in memory; each batch's
   ``upload_request_no`` is derived from its codes, so a retried batch is the same request;
5. a stock is ``synced`` only when every code is in WeChat; a refused stock or code is ``failed`` with the
   code and message; a temporary error keeps it ``syncing`` with the error shown, and the Celery task
   retries with exponential backoff, marking it ``failed`` when the retries run out.

Redemption: a voucher code used in an order -> 核销 in WeChat (a linked legacy 卡券: ``card/code/consume``);
the order cancelled -> 退券 when the host takes the code again (``VoucherSource.voucher_code_usable``; a
single-use code or a voucher at its usage limit keeps the coupon used: ``CODE_USED_IN_SALEOR``; a consumed
legacy card cannot be given back: ``CARD_NOT_RETURNABLE``); the voucher deactivated or deleted -> 使券失效
for every coupon still in a card pack; a coupon consumed in a store (a legacy card's ``user_consume_card``)
-> the host marks the voucher code used.

Rooms: ``stock_sync`` (the entry points of a sync and the order of its steps), ``stock_changes`` (the
stock's body, create, edits, budget), ``code_upload`` (codes in batches), ``stocks`` (the stock row's
lease and what a stock's part of the codes is), ``stock_attach`` (staff attach an existing stock),
``voucher_codes`` (codes as attribution sources, deleted codes), ``card_pack`` (coupons handed out,
legacy cards, store redemptions reported by events), ``redemption`` (核销 and 退券 for orders),
``deactivation`` (使券失效), ``reconcile`` (store redemptions WeChat sends no event for).
"""
