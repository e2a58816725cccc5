"""Demo data: a brand's network several levels deep, built through the same services the API uses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ..domain.distributors import DistributorKind
from ..domain.permissions import Permission
from ..models import ChannelProgram, Distributor, Storefront
from ..ports import SYSTEM, Principal
from ..services.distributors import (
    distributor_apply,
    distributor_approve,
    distributor_reject,
    distributor_suspend,
)
from ..services.programs import RuleInput, channel_program_update, commission_rules_set
from ..services.storefronts import storefront_update
from .channels import DEMO_CHANNEL

STAFF = Principal(user_id=1, email="staff@brand.example", is_staff=True, permissions=frozenset(Permission))
#: a staff member who handles orders but not customers: the console's distributor pages refuse them
SUPPORT_STAFF = Principal(
    user_id=2, email="support@brand.example", is_staff=True, permissions=frozenset({Permission.MANAGE_ORDERS})
)
#: a staff member who manages customers but not orders: the console's money pages refuse them
CUSTOMERS_STAFF = Principal(
    user_id=3, email="crm@brand.example", is_staff=True, permissions=frozenset({Permission.MANAGE_USERS})
)
NEW_CUSTOMER = Principal(user_id=9001, email="new.customer@example.com")

# (user id, display name, kind, parent user id or None, final status)
NETWORK: list[tuple[int, str, str, int | None, str]] = [
    (101, "华东区域经销商 East China Trading", "enterprise", None, "active"),
    (102, "华南区域经销商 South China Appliances", "enterprise", None, "active"),
    (103, "杭州门店 Hangzhou Store", "enterprise", 101, "active"),
    (201, "王芳 Wang Fang", "individual", 103, "active"),
    (202, "李娜 Li Na", "individual", 103, "active"),
    (203, "张伟 Zhang Wei", "individual", 101, "active"),
    (204, "刘洋 Liu Yang", "individual", 102, "active"),
    (301, "陈静 Chen Jing", "individual", 201, "active"),
    (302, "杨磊 Yang Lei", "individual", 201, "active"),
    (303, "赵敏 Zhao Min", "individual", 202, "suspended"),
    (401, "孙丽 Sun Li", "individual", 301, "active"),
    (402, "周杰 Zhou Jie", "individual", 301, "pending"),
    (403, "吴刚 Wu Gang", "individual", 302, "rejected"),
    # the applications queue of the console (/dashboard/?page=distributors)
    (404, "郑爽 Zheng Shuang", "individual", 203, "pending"),
    (405, "宁波门店 Ningbo Store", "enterprise", 101, "pending"),
    (406, "冯雪 Feng Xue", "individual", 204, "pending"),
]


@dataclass(frozen=True)
class DemoUser:
    label: str
    principal: Principal


def demo_users() -> list[DemoUser]:
    by_user = {uid: name for uid, name, *_ in NETWORK}
    picks = [101, 201, 301, 402]
    users = [
        DemoUser("staff (all permissions)", STAFF),
        DemoUser("staff without MANAGE_USERS (support)", SUPPORT_STAFF),
    ]
    users += [
        DemoUser(f"distributor {by_user[uid]}", Principal(user_id=uid, email=f"user{uid}@example.com"))
        for uid in picks
    ]
    users.append(DemoUser("customer, not yet a distributor", NEW_CUSTOMER))
    return users


def seed_demo_program() -> None:
    """The demo channel's program: two paid levels (10 % / 3 %, 15 % on refrigerators), 7-day window."""
    if ChannelProgram.objects.filter(channel=DEMO_CHANNEL).exists():
        return
    channel_program_update(
        actor=SYSTEM,
        channel=DEMO_CHANNEL,
        changes={"commission_depth": 2, "freeze_days": 7, "storefront_base_url": "https://shop.example.com/"},
    )
    commission_rules_set(
        actor=SYSTEM,
        channel=DEMO_CHANNEL,
        rules=[
            RuleInput(level=1, rate=Decimal("10")),
            RuleInput(level=2, rate=Decimal("3")),
            RuleInput(level=1, rate=Decimal("15"), category_id="refrigerators"),
        ],
    )


@transaction.atomic
def seed_demo_network() -> bool:
    """Create the demo network once; returns False when data is already there (re-runs keep it)."""
    seed_demo_program()
    if Distributor.objects.exists():
        return False
    codes: dict[int, str] = {}
    for uid, name, kind, parent_uid, status in NETWORK:
        node = distributor_apply(
            principal=Principal(user_id=uid, email=f"user{uid}@example.com"),
            display_name=name,
            kind=DistributorKind(kind),
            inviter_code=codes[parent_uid] if parent_uid else None,
        )
        codes[uid] = node.referral_code
        if status == "rejected":
            distributor_reject(actor=SYSTEM, distributor_id=node.pk, reason="demo")
            continue
        if status == "pending":
            continue
        distributor_approve(actor=SYSTEM, distributor_id=node.pk)
        if status == "suspended":
            distributor_suspend(actor=SYSTEM, distributor_id=node.pk, reason="demo")
    return True


BRAND_STOREFRONT = {
    "slug": "brand-store",
    "title": "品牌官方商城 Brand Store",
    "welcome_text": "欢迎关注品牌官方商城！Welcome to the brand's store.",
}
# (user id of the distributor, slug, title, curated product ids or None for everything the brand offers)
STOREFRONTS: list[tuple[int, str, str, list[str] | None]] = [
    (101, "east-china", "华东区域经销商 East China Trading", None),
    (201, "wangfang", "王芳的家电小店 Wang Fang's Picks", ["fridge-bcd-520", "kettle-sw-15"]),
    (203, "zhangwei", "张伟精选 Zhang Wei's Choice", None),
]


@transaction.atomic
def seed_demo_storefronts() -> list[str]:
    """The brand's storefront and a few distributors' (through the staff API's service), each only when
    missing: re-runs keep what is there, and a sandbox seeded before storefronts existed gets them.
    Returns the slugs of every demo storefront."""
    if (
        not Storefront.objects.filter(slug=BRAND_STOREFRONT["slug"]).exists()
        and not Storefront.objects.filter(channel=DEMO_CHANNEL, distributor__isnull=True).exists()
    ):
        storefront_update(principal=STAFF, brand_channel=DEMO_CHANNEL, values=dict(BRAND_STOREFRONT))
    for uid, slug, title, products in STOREFRONTS:
        distributor = Distributor.objects.filter(user_id=uid).first()
        if distributor is None or Storefront.objects.filter(slug=slug).exists():
            continue
        if Storefront.objects.filter(distributor=distributor).exists():
            continue
        values = {
            "slug": slug,
            "title": title,
            "channel": DEMO_CHANNEL,
            "welcome_text": f"欢迎光临{title.split(' ', 1)[0]}！",
            "all_products": products is None,
            "product_ids": products or [],
        }
        storefront_update(principal=STAFF, distributor_id=distributor.pk, values=values)
    return [BRAND_STOREFRONT["slug"], *(slug for _, slug, _, _ in STOREFRONTS)]
