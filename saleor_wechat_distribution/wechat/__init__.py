"""Everything that talks to WeChat / WeChat Pay: the only package importing wechatpy and wechatpayv3.

Modules are imported directly (``from saleor_wechat_distribution.wechat.payouts_v3 import ...``) so that
using one product does not load the other library.
"""
