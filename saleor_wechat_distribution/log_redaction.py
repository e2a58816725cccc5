"""Keep WeChat's secrets out of logs.

WeChat puts secrets in query strings (``/cgi-bin/token?grant_type=...&appid=...&secret=...``, every
call's ``access_token=...``, the Open Platform's ``component_access_token=...``, OAuth's ``secret`` and
``code``), and urllib3 logs each request's URL at DEBUG (``urllib3.connectionpool``), its retries and
redirects too. A host that turns DEBUG logging on would write them all to its logs. ``apps.ready``
attaches ``RedactSecrets`` to those loggers: it rewrites a record's message with the values of secret
parameters (query string or JSON) replaced by ``[redacted]`` before any handler sees it.
"""

from __future__ import annotations

import logging
import re

SECRET_NAMES = (
    "secret",
    "appsecret",
    "app_secret",
    "component_appsecret",
    "access_token",
    "component_access_token",
    "authorizer_access_token",
    "refresh_token",
    "authorizer_refresh_token",
    "component_verify_ticket",
    "pre_auth_code",
    "authorization_code",
    "auth_code",
    "code",
    "js_code",
    "ticket",
    "encoding_aes_key",
    "session_key",
)
REDACTED = "[redacted]"
_NAMES = "|".join(sorted(SECRET_NAMES, key=len, reverse=True))
#: ``name=value`` in a query string (not ``errcode=``: the name must not follow a letter, digit or _)
_QUERY = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_NAMES})=([^&\s\"'#]+)")
#: ``"name": "value"`` in JSON (a body or a dict's repr)
_JSON = re.compile(rf"(?i)([\"']({_NAMES})[\"']\s*:\s*[\"'])([^\"']+)")
#: the loggers that see WeChat's URLs: urllib3's (requests logs through them) and wechatpy's
LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.util.retry",
    "requests",
    "wechatpy.client.base",
    "wechatpy.component",
    "wechatpy.oauth",
)


def redact(text: str) -> str:
    text = _QUERY.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _JSON.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrites the record's message (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction() -> None:
    """Attach the filter to every logger in ``LOGGERS`` (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
