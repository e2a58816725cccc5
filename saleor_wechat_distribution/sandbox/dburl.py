"""Kept for imports of the previous release: the parser is ``saleor_wechat_distribution.dburl``."""

from ..dburl import database_from_url as database_from_url
