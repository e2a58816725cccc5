"""Each Saleor instance's own WeChat settings in App mode: ``WECHAT_DISTRIBUTION_INSTANCES``.

One App server serves several Saleor instances (``schemas.py``), and two brands may well both have a
channel ``default-channel``: with only the server's settings, both would pay out and issue coupons through
one WeChat Pay merchant. So each instance may have its own, keyed by its API URL as it installed the App
(one of ``WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS``)::

    {"https://shop-b.example.com/graphql/": {
        "payouts": {"<channel or *>": {"v3": {...}, "v2": {...}}},    # WECHAT_DISTRIBUTION_PAYOUTS
        "coupons": {"<channel or *>": [{"v3": {...}, ...}]},           # WECHAT_DISTRIBUTION_COUPONS
        "component": {"app_id", "app_secret", "token", "encoding_aes_key"},  # WECHAT_DISTRIBUTION_COMPONENT
        "program": {"auto_approve": true},                             # WECHAT_DISTRIBUTION
        "mini_programs": {"<channel or *>": {"app_id": "wx…", "app_secret_sealed": "…"}}
                                                                 # WECHAT_DISTRIBUTION_MINI_PROGRAMS
    }}

A key given replaces the server's setting of that name for the instance, whole (``{}``: none, e.g. no
coupon merchant rather than the server's); a key left out, or an instance without an entry, uses the
server's setting. The core reads these settings through ``conf.setting``, which App mode's host answers
with :func:`setting`: the entry of the instance in scope (``instance_scope``), else Django's settings.

Everything is checked when the settings load (:func:`parse`, :func:`json_setting`,
:func:`mini_program_secrets_check`): bad JSON, a URL that is not allowed, an unknown key, a merchant
missing a key, a Mini Program secret the server's key cannot open stop the server and the worker at
start-up with a message naming the instance and the place, instead of failing a withdrawal, a voucher or
a sign-in later.

A Mini Program's WeChat access token is cached under its AppID (wechatpy's ``<appid>_access_token``) and,
in App mode's cache, the instance's schema: two instances' Mini Programs never use each other's token,
whatever their channels are called.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..instance_scope import current

ENV = "WECHAT_DISTRIBUTION_INSTANCES"
#: an entry's keys -> the setting each one replaces
KEYS = {
    "payouts": "WECHAT_DISTRIBUTION_PAYOUTS",
    "coupons": "WECHAT_DISTRIBUTION_COUPONS",
    "component": "WECHAT_DISTRIBUTION_COMPONENT",
    "program": "WECHAT_DISTRIBUTION",
    "mini_programs": "WECHAT_DISTRIBUTION_MINI_PROGRAMS",
}


def _checks() -> dict[str, Callable[[object], None]]:
    """Each setting's check (imported when used: settings load before Django's apps)."""
    from ..conf import program_defaults_check
    from ..miniprogram_settings import mini_programs_configuration_check
    from ..wechat.coupon_gateways import coupons_configuration_check
    from ..wechat.gateways import payouts_configuration_check

    return {
        "WECHAT_DISTRIBUTION_PAYOUTS": payouts_configuration_check,
        "WECHAT_DISTRIBUTION_COUPONS": coupons_configuration_check,
        "WECHAT_DISTRIBUTION_COMPONENT": component_check,
        "WECHAT_DISTRIBUTION": program_defaults_check,
        "WECHAT_DISTRIBUTION_MINI_PROGRAMS": mini_programs_configuration_check,
    }


def component_check(values: object) -> None:
    from ..wechat.mp import COMPONENT_KEYS

    if not isinstance(values, dict):
        raise ValueError("must be an object")
    if not values:
        return  # no component
    missing = [key for key in COMPONENT_KEYS if not isinstance(values.get(key), str) or not values[key]]
    if missing:
        raise ValueError(f"missing {', '.join(map(repr, missing))}")
    unknown = sorted(set(values) - set(COMPONENT_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}")


def _check(where: str, name: str, value: object) -> None:
    try:
        _checks()[name](value)
    except ValueError as error:
        said = str(error)  # "['<channel>']['v3']: ..." goes on the path, anything else after it
        raise ImproperlyConfigured(f"{where}{'' if said.startswith('[') else ': '}{said}") from None


def json_setting(name: str, raw: str | None) -> Any:
    """The JSON of environment variable ``name`` (None when unset or empty), checked as that setting."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from None
    _check(name, name, value)
    return value


def parse(
    raw: str | None, allowed: Iterable[str], shared: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """``WECHAT_DISTRIBUTION_INSTANCES`` (JSON) as ``{API URL: {setting name: value}}``; raises
    ``ImproperlyConfigured`` saying what is wrong, where. ``shared``: the server's own settings by name
    (checked with the instances' for merchants sharing a certificate directory)."""
    if not raw:
        platform_cert_dirs_apart({}, shared or {})
        return {}
    try:
        configured = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{ENV} is not valid JSON: {error}") from None
    if not isinstance(configured, dict):
        raise ImproperlyConfigured(f'{ENV} must be an object: {{"<Saleor API URL>": {{"payouts": ...}}}}')
    allowed = list(allowed)
    parsed: dict[str, dict[str, Any]] = {}
    for url, entry in configured.items():
        where = f"{ENV}[{url!r}]"
        if url not in allowed:
            raise ImproperlyConfigured(
                f"{where}: not one of WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS (give the API URL exactly as "
                f"there: {', '.join(allowed)})"
            )
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"{where} must be an object with {', '.join(KEYS)}")
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise ImproperlyConfigured(
                f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (known: {', '.join(KEYS)})"
            )
        values = {KEYS[key]: {} if value is None else value for key, value in entry.items()}
        for key, value in entry.items():
            _check(f"{where}[{key!r}]", KEYS[key], {} if value is None else value)
        parsed[url] = values
    platform_cert_dirs_apart(parsed, shared or {})
    return parsed


def platform_cert_dirs_apart(parsed: Mapping[str, Mapping[str, Any]], shared: Mapping[str, Any]) -> None:
    """Two merchants must not share a ``platform_cert_dir``: wechatpayv3 reads every certificate in it (and
    downloads new ones there), so one merchant's client would use another's platform certificates."""
    owners: dict[str, tuple[str, str]] = {}
    sources = [("the server's settings", shared)]
    sources += [(f"{ENV}[{url!r}]", entry) for url, entry in parsed.items()]
    for where, values in sources:
        for v3 in _v3_settings_in(values):
            directory, mchid = str(v3.get("platform_cert_dir") or ""), str(v3.get("mchid") or "")
            if not directory:
                continue
            seen = owners.setdefault(directory, (mchid, where))
            if seen[0] != mchid:
                raise ImproperlyConfigured(
                    f"{where}: platform_cert_dir {directory!r} is merchant {seen[0]}'s too ({seen[1]}); "
                    "give each merchant a directory of its own"
                )


def mini_program_secrets_check(
    parsed: Mapping[str, Mapping[str, Any]], shared: Mapping[str, Any], *, key: str
) -> None:
    """Every sealed Mini Program secret opens with the server's sealing ``key`` (``WECHAT_DISTRIBUTION_
    SECRET_KEY``, else ``SECRET_KEY``), and one AppID has one secret wherever it is configured: a secret
    sealed under another key, or a stale copy, would otherwise surface as "no Mini Program" at sign-in."""
    from ..miniprogram_settings import SETTING
    from ..sealing import SealingError, unseal

    secrets: dict[str, tuple[str, str]] = {}
    sources = [(SETTING, shared.get(SETTING))]
    sources += [(f"{ENV}[{url!r}]['mini_programs']", entry.get(SETTING)) for url, entry in parsed.items()]
    for where, configured in sources:
        for channel, values in (configured or {}).items():
            place = f"{where}[{channel!r}]"
            secret = values.get("app_secret") or ""
            if values.get("app_secret_sealed"):
                try:
                    secret = unseal(values["app_secret_sealed"], key=key)
                except SealingError:
                    raise ImproperlyConfigured(
                        f"{place}['app_secret_sealed']: does not open with this server's key "
                        "(WECHAT_DISTRIBUTION_SECRET_KEY, else SECRET_KEY); seal it with that key"
                    ) from None
            seen = secrets.setdefault(values["app_id"], (secret, place))
            if seen[0] != secret:
                raise ImproperlyConfigured(
                    f"{place}: AppID {values['app_id']} has another AppSecret in {seen[1]}; one Mini "
                    "Program has one secret"
                )


def _v3_settings_in(values: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for merchant in (values.get("WECHAT_DISTRIBUTION_PAYOUTS") or {}).values():
        if isinstance(merchant.get("v3"), dict):
            yield merchant["v3"]
    for entries in (values.get("WECHAT_DISTRIBUTION_COUPONS") or {}).values():
        for entry in entries:
            yield entry["v3"]


# --- at run time ----------------------------------------------------------------------------------------


def _api_url_in_scope() -> str | None:
    """The API URL of the instance in scope; outside any, of the only installation (as the host lookups
    do, ``instances.installation_in_scope``), else None."""
    from ..models import SaleorAppInstallation
    from .instances import allowed_saleor_urls, only_installation

    schema = current()
    if schema is None:
        only = only_installation()
        return only.saleor_api_url if only is not None else None
    # whether it is still trusted is the entry's business (requests, tasks); here only whose schema it is
    # (public may also be named by an installation of plugin mode's console, never an allowed one)
    urls = SaleorAppInstallation.objects.filter(schema=schema).order_by("pk")
    urls = urls.values_list("saleor_api_url", flat=True)
    listed = allowed_saleor_urls()
    allowed = [url for url in urls if not listed or url in listed]
    return allowed[0] if allowed else None


def entry_in_scope() -> dict[str, Any] | None:
    """The settings the instance in scope has of its own (``WECHAT_DISTRIBUTION_INSTANCES``), or None."""
    configured: dict[str, dict[str, Any]] = getattr(settings, "WECHAT_DISTRIBUTION_INSTANCES", None) or {}
    if not configured:
        return None
    url = _api_url_in_scope()
    return configured.get(url) if url is not None else None


def setting(name: str, default: Any = None) -> Any:
    """``Host.setting`` in App mode: the instance in scope's own value of ``name``, else the server's."""
    entry = entry_in_scope()
    if entry is not None and name in entry:
        return entry[name]
    return getattr(settings, name, default)
