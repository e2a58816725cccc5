from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import CommissionErrorCode, DistributionError
from ...domain.permissions import Permission
from ...selectors.programs import program_for_channel
from ...services.programs import RULES_PER_CHANNEL_MAX, RuleInput, commission_rules_set
from ..core.channels import channel_argument
from ..core.inputs import HOST_ID_MAX_LENGTH, clean_text
from ..core.money import parse_decimal
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum, DistributorKindEnum
from ..programs.types import CommissionRule

CommissionRulesSetError = mutation_error_type(
    "CommissionRulesSetError", CommissionErrorCodeEnum, indexed=True
)


class CommissionRuleInput(graphene.InputObjectType):
    level = graphene.Int(required=True, description="1 or 2, within the channel's commissionDepth.")
    rate = graphene.String(
        description='Percent of the line\'s base, 0 to 100, as a decimal string ("10" is 10 %). Give '
        "either a rate or a fixedAmount."
    )
    fixed_amount = graphene.String(
        description='Per unit sold, in the channel\'s currency, as a decimal string ("5.00").'
    )
    product_id = graphene.String(description="Only for this product (the host's id).")
    category_id = graphene.String(description="Only for products of this category (the host's id).")
    distributor_kind = DistributorKindEnum(description="Only for distributors of this kind.")


class CommissionRulesSet(BaseMutation):
    """Staff: replace all commission rules of a channel. Requires MANAGE_PLUGINS.

    The whole set is validated, and nothing changes when any rule is refused: levels beyond the program's
    depth (never more than 2), rates outside 0-100, rates of all levels together above 100 %, a rule
    with both or neither of rate and fixed amount, two rules for the same level and scope. The error's
    ``index`` is the position of the rule it is about.
    """

    permissions = (Permission.MANAGE_PLUGINS,)
    error_type = CommissionRulesSetError
    invalid_code = CommissionErrorCode.INVALID
    error_fields = {"fixed_amount": "fixedAmount", "product_id": "productId", "category_id": "categoryId"}

    rules = graphene.List(graphene.NonNull(CommissionRule), description="The channel's rules now.")
    errors = graphene.List(graphene.NonNull(CommissionRulesSetError), required=True)

    class Arguments:
        channel = graphene.String(required=True, description="Channel slug.")
        rules = graphene.List(
            graphene.NonNull(CommissionRuleInput),
            required=True,
            description=f"The complete new rule set; at most {RULES_PER_CHANNEL_MAX} rules. An empty list "
            "removes every rule (nothing is paid).",
        )

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, channel: str, rules: list[dict]) -> Any:
        code = CommissionErrorCode
        channel = channel_argument(info, channel)
        if len(rules) > RULES_PER_CHANNEL_MAX:
            raise DistributionError(
                code.INVALID,
                _("At most %(max)d rules per channel.") % {"max": RULES_PER_CHANNEL_MAX},
                field="rules",
            )
        parsed = []
        for index, rule in enumerate(rules):
            try:
                parsed.append(cls.parse_rule(rule))
            except DistributionError as error:
                error.index = index
                raise
        created = commission_rules_set(actor=info.context.principal, channel=channel, rules=parsed)
        currency = program_for_channel(channel=channel).currency
        for rule in created:  # fixed amounts are in the channel's currency
            rule.currency = currency
        return cls(rules=created, errors=[])

    @staticmethod
    def parse_rule(rule: dict) -> RuleInput:
        code = CommissionErrorCode
        return RuleInput(
            level=rule["level"],
            rate=parse_decimal(rule.get("rate"), field="rate", code=code.INVALID),
            fixed_amount=parse_decimal(
                rule.get("fixed_amount"), field="fixedAmount", code=code.AMOUNT_INVALID
            ),
            product_id=clean_text(
                rule.get("product_id"),
                field="productId",
                code=code.INVALID,
                max_length=HOST_ID_MAX_LENGTH,
            ),
            category_id=clean_text(
                rule.get("category_id"),
                field="categoryId",
                code=code.INVALID,
                max_length=HOST_ID_MAX_LENGTH,
            ),
            distributor_kind=rule.get("distributor_kind"),
        )
