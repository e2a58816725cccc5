"""WeChat social distribution (微信分销) for Saleor.

The core (everything but ``saleor_adapter``) never imports Saleor: see DESIGN.md §1.
"""

__version__ = "0.1.0"
