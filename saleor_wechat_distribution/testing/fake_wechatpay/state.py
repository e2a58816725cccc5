"""What the fake WeChat Pay keeps, like the real merchant account would, and the rules it enforces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: v3 商家转账 rules (pay.weixin.qq.com, 商家转账 > 发起转账)
MIN_TRANSFER_FEN = 10  # 0.1 CNY
USER_NAME_REQUIRED_FROM_FEN = 200_000  # 2,000 CNY: user_name (encrypted) becomes mandatory
USER_NAME_ALLOWED_FROM_FEN = 30  # 0.3 CNY: below that user_name must not be sent
MAX_REMARK_CHARS = 32
#: v2 企业付款到零钱 minimum
V2_MIN_TRANSFER_FEN = 30

#: transfer scenes the fake merchant has opened, with the report info types WeChat requires for each
DEFAULT_SCENES: dict[str, tuple[str, ...]] = {
    "1000": ("活动名称", "奖励说明"),  # 现金营销
    "1005": ("岗位类型", "报酬说明"),  # 佣金报酬
}

#: what ``next_transfer_outcome`` may say: a state the new bill takes...
BILL_OUTCOMES = frozenset({"WAIT_USER_CONFIRM", "ACCEPTED", "PROCESSING", "TRANSFERING", "SUCCESS", "FAIL"})
#: ...or an error answer (HTTP status, v3 code, v2 err_code, message); no bill is created
ERROR_OUTCOMES: dict[str, tuple[int, str, str, str]] = {
    "NOT_ENOUGH": (403, "NOT_ENOUGH", "NOTENOUGH", "资金不足"),
    "SYSTEM_ERROR": (500, "SYSTEM_ERROR", "SYSTEMERROR", "系统错误，请使用相同参数稍后重新调用"),
    "FREQUENCY_LIMITED": (429, "FREQUENCY_LIMITED", "FREQ_LIMIT", "频率超限，请降低频率后原单重试"),
    "PARAM_ERROR": (400, "PARAM_ERROR", "PARAM_ERROR", "参数错误"),
    "NO_AUTH": (403, "NO_AUTH", "NO_AUTH", "商户无权限"),
}
#: WeChat processed the request (bill created, money locked) but the answer was a 500: the caller must
#: retry with the same out_bill_no and get the existing bill back, never a second one
AFTER_ACCEPT_OUTCOME = "SYSTEM_ERROR_AFTER_ACCEPT"
ALL_OUTCOMES = BILL_OUTCOMES | ERROR_OUTCOMES.keys() | {AFTER_ACCEPT_OUTCOME}


# --- world state ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeMerchant:
    """The merchant's credentials, as its settings form would hold them."""

    mchid: str
    appid: str
    private_key_pem: str
    cert_serial_no: str
    apiv3_key: str
    api_key_v2: str


@dataclass(frozen=True)
class FakePlatform:
    """WeChat Pay's side: the public key (new merchants) and the platform certificate (older ones)."""

    public_key_pem: str
    public_key_id: str
    certificate_pem: str
    certificate_serial_no: str


@dataclass
class TransferBill:
    """A v3 商家转账 bill as WeChat Pay keeps it."""

    out_bill_no: str
    transfer_bill_no: str
    appid: str
    openid: str
    amount_fen: int
    remark: str
    scene_id: str
    user_name: str
    state: str
    create_time: str
    update_time: str
    package_info: str = ""
    fail_reason: str = ""
    notify_url: str = ""
    #: the fields whose change makes a re-sent out_bill_no a conflict instead of a re-entry
    fingerprint: tuple[Any, ...] = ()


@dataclass
class V2Transfer:
    """A v2 企业付款 as WeChat Pay keeps it (query status SUCCESS / FAILED / PROCESSING)."""

    partner_trade_no: str
    payment_no: str
    appid: str
    openid: str
    amount_fen: int
    desc: str
    status: str
    reason: str
    err_code: str
    transfer_time: str
    payment_time: str
    fingerprint: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Payment:
    """Money that reached a user's wallet (``api`` is "v3" or "v2")."""

    bill_no: str
    openid: str
    amount_fen: int
    api: str
