"""WeChat callback endpoints: ``wechat/<app id>/`` per Official Account, ``wechat/component/`` for the
Open Platform. Plain Django views taking ``(request, app_id)`` / ``(request)``: the sandbox and Saleor's
adapter route to them; App mode's un-prefixed ones first find the instance (``app/wechat_routes.py``).

Before anything is written: the body size is bounded, the account must be known, the timestamp must be
within ``WINDOW_SECONDS``, the signature must verify, the message must come the way the account's
``message_encryption`` says (a safe-mode account refuses plaintext, a plain-mode one encrypted messages),
an encrypted message's signature and AES envelope must verify (wechatpy's crypto), and the XML is parsed
with defusedxml (no DTD, no entities).
Only then is the nonce remembered (a replay of it is refused) and the event handed to ``handlers``,
which log it raw with a dedupe key and process it once. Answers come well within WeChat's 5 seconds:
anything slow (``user/info``, ``api_query_auth``) goes to Celery.
"""

from __future__ import annotations

import logging
import time

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from ..domain.storefronts import MessageEncryption
from ..models import OfficialAccount
from ..selectors.storefronts import official_account_get
from ..services.official_accounts import account_callback_keys
from . import handlers
from .mp import component_settings

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 1024
WINDOW_SECONDS = 300
NONCE_MAX_LENGTH = 64
SUCCESS = "success"


class Refused(Exception):
    """``wrong_keys``: the message does not verify under the keys tried (another component's, maybe)."""

    def __init__(self, status: int, reason: str, *, wrong_keys: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.wrong_keys = wrong_keys


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def parse_xml(raw: bytes | str) -> dict[str, str]:
    """A WeChat message (flat ``<xml>``) as a dict; no DTD, no entity, no external reference."""
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise Refused(400, f"malformed XML ({type(error).__name__})") from None
    if root.tag != "xml":
        raise Refused(400, "not a WeChat message")
    return {child.tag: (child.text or "").strip() for child in root}


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "bad Content-Length") from None
    if declared > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    return body


def _check_time_and_signature(request: HttpRequest, token: str) -> tuple[str, str]:
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    signature = request.GET.get("signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise Refused(400, "bad timestamp")
    if not nonce or len(nonce) > NONCE_MAX_LENGTH or not nonce.isascii():
        raise Refused(400, "bad nonce")
    if abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
        raise Refused(403, "stale timestamp")
    if not token:
        raise Refused(404, "no callback token")
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Refused(403, "bad signature", wrong_keys=True) from None
    return timestamp, nonce


def signed_with(request: HttpRequest, token: str) -> bool:
    """Whether ``request`` carries a fresh, valid signature made with ``token`` (nothing remembered)."""
    try:
        _check_time_and_signature(request, token)
    except Refused:
        return False
    return True


def _remember_nonce(scope: str, timestamp: str, nonce: str) -> None:
    """The last check, once everything else verified: a (timestamp, nonce) seen before is a replay."""
    if not cache.add(f"wd:wx-nonce:{scope}:{timestamp}:{nonce}", 1, timeout=WINDOW_SECONDS * 2 + 60):
        raise Refused(403, "replayed nonce")


def _account_keys(account: OfficialAccount) -> tuple[str, str, str]:
    """(token, EncodingAESKey, the app id the AES envelope names)."""
    if account.mode == OfficialAccount.Mode.COMPONENT:
        component = component_settings()
        return component.get("token", ""), component.get("encoding_aes_key", ""), component.get("app_id", "")
    token, aes_key = account_callback_keys(account)
    return token, aes_key, account.app_id


def _decrypt(
    crypto_args: tuple[str, str, str], body: bytes, request: HttpRequest, ts: str, nonce: str
) -> str:
    token, aes_key, envelope_app_id = crypto_args
    if not aes_key:
        raise Refused(403, "safe mode without an EncodingAESKey")
    envelope = parse_xml(body)
    if not envelope.get("Encrypt"):
        raise Refused(400, "no Encrypt element")
    try:
        crypto = WeChatCrypto(token, aes_key, envelope_app_id)
        return crypto.decrypt_message(
            {"Encrypt": envelope["Encrypt"]}, request.GET.get("msg_signature", ""), ts, nonce
        )
    except (InvalidSignatureException, InvalidAppIdException):
        raise Refused(403, "bad message signature", wrong_keys=True) from None
    except Exception as error:  # a corrupt envelope: bad base64, bad padding, bad UTF-8 (or another key)
        raise Refused(400, f"undecryptable message ({type(error).__name__})", wrong_keys=True) from None


def _check_encryption(account: OfficialAccount, *, encrypted: bool) -> None:
    """The message must come as the account's mode says (Open Platform accounts: always encrypted)."""
    component = account.mode == OfficialAccount.Mode.COMPONENT
    mode = MessageEncryption.SAFE if component else MessageEncryption(account.message_encryption)
    if not mode.accepts(encrypted=encrypted):
        if encrypted:
            raise Refused(403, "encrypted message for an account in plain mode")
        raise Refused(403, "plaintext message for an account in safe mode")


@csrf_exempt
def official_account_callback(request: HttpRequest, app_id: str) -> HttpResponse:
    try:
        return _official_account_callback(request, app_id)
    except Refused as refused:
        logger.warning("refused a WeChat callback for %s: %s", app_id[:32], refused.reason)
        return _plain(refused.status, refused.reason)


def _official_account_callback(request: HttpRequest, app_id: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        raise Refused(405, "GET or POST")
    body = _read_body(request)
    account = official_account_get(app_id=app_id)
    if account is None or account.status != OfficialAccount.Status.ACTIVE:
        raise Refused(404, "unknown account")
    keys = _account_keys(account)
    timestamp, nonce = _check_time_and_signature(request, keys[0])
    if request.method == "GET":
        echostr = request.GET.get("echostr", "")
        if not echostr or len(echostr) > 128:
            raise Refused(400, "no echostr")
        _remember_nonce(account.app_id, timestamp, nonce)
        return _plain(200, echostr)
    safe = request.GET.get("encrypt_type", "raw") == "aes"
    _check_encryption(account, encrypted=safe)
    plaintext = _decrypt(keys, body, request, timestamp, nonce) if safe else body
    message = parse_xml(plaintext)
    if not message.get("MsgType") or not message.get("FromUserName"):
        raise Refused(400, "incomplete message")
    _remember_nonce(account.app_id, timestamp, nonce)
    reply = handlers.handle_message(
        account=account, message=message, raw=body, query=dict(request.GET.items())
    )
    if not reply:
        return _plain(200, SUCCESS)
    if safe:
        token, aes_key, envelope_app_id = keys
        reply = WeChatCrypto(token, aes_key, envelope_app_id).encrypt_message(reply, nonce, timestamp)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


def component_notice(request: HttpRequest, values: dict[str, str]) -> dict[str, str]:
    """The Open Platform notice of ``request``, verified with component ``values`` (its token's signature,
    its AES envelope, its app id in the message, a fresh nonce); raises ``Refused``."""
    if request.method != "POST":
        raise Refused(405, "POST only")
    body = _read_body(request)
    if not values:
        raise Refused(404, "no Open Platform component configured")
    keys = (values.get("token", ""), values.get("encoding_aes_key", ""), values.get("app_id", ""))
    timestamp, nonce = _check_time_and_signature(request, keys[0])
    message = parse_xml(_decrypt(keys, body, request, timestamp, nonce))
    if message.get("AppId") != values.get("app_id") or not message.get("InfoType"):
        raise Refused(400, "not for this component", wrong_keys=True)
    _remember_nonce(f"component:{values.get('app_id', '')}", timestamp, nonce)
    return message


@csrf_exempt
def component_callback(request: HttpRequest) -> HttpResponse:
    """Open Platform notices: component_verify_ticket, authorized, updateauthorized, unauthorized."""
    try:
        message = component_notice(request, component_settings())
        handlers.handle_component_notice(message=message, raw=request.body, query=dict(request.GET.items()))
    except Refused as refused:
        logger.warning("refused an Open Platform notice: %s", refused.reason)
        return _plain(refused.status, refused.reason)
    return _plain(200, SUCCESS)
