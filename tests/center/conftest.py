"""Center tests: the storefront world (fake WeChat over HTTP, a shop bound to its own account, the brand's
account) and the GraphQL client, shared with tests/storefronts and tests/graphql."""

# ruff: noqa: F401 - pytest fixtures imported by name
from __future__ import annotations

from tests.commissions.conftest import payable, program
from tests.graphql.conftest import gql
from tests.storefronts.conftest import BRAND_APP, CHANNEL, SHOP_APP, bind_account, mp, shop
