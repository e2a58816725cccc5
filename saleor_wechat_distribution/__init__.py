"""WeChat social distribution (微信分销) for Saleor.

The core (everything but ``saleor_adapter``) never imports Saleor: see docs/architecture.md.
"""

__version__ = "0.1.0"
