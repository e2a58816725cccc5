"""Verifying an installation in plugin mode: Saleor posts the App's token to our ``tokenTargetUrl`` from
inside the same deployment, so the token is checked against Saleor's own records (what app-sdk learns by
asking Saleor ``{ app { id } }`` with it): an App token (Saleor's hash) of a not-removed App with our
identifier, installed in *this* Saleor (the ``Saleor-Api-Url`` is this deployment's API URL). Saleor has
created the App and its token (committed) before it posts.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.urls import reverse
from graphql_relay import to_global_id
from saleor.app.models import AppToken
from saleor.core.utils import build_absolute_uri

from ..console.manifest import APP_IDENTIFIER
from ..console.register import Registration, RegistrationRefused


def own_api_url() -> str:
    return build_absolute_uri(reverse("api"))


def verify_in_saleor(api_url: str, token: str) -> Registration:
    if api_url.rstrip("/") != own_api_url().rstrip("/"):
        raise RegistrationRefused(
            "SALEOR_URL_PROHIBITED", "This app can only be installed in the Saleor it is a plugin of.", 403
        )
    candidates = AppToken.objects.filter(
        token_last_4=token[-4:], app__identifier=APP_IDENTIFIER, app__removed_at__isnull=True
    ).select_related("app")
    for candidate in candidates:
        if check_password(token, candidate.auth_token):
            return Registration(app_id=to_global_id("App", candidate.app.pk))
    raise RegistrationRefused("UNKNOWN_APP_ID", "The token is not the token of this app in this Saleor.", 401)
