"""Saleor's GraphQL API with the App's token: the App adapter's only way to read Saleor.

Retries with exponential backoff (and jitter) on what may pass: a 5xx, a 429, a timeout, a refused
connection. Anything else (a 4xx, a GraphQL error, an answer that is not JSON) is final. Reads only: the
tasks read everything first and write our rows in one service call afterwards, so a failed read leaves
nothing half-written (the task is retried, or the stored event stays unprocessed).
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..models import SaleorAppInstallation
from ..sealing import unseal

TIMEOUT_S = 15
ATTEMPTS = 4
BACKOFF_S = 0.5
MAX_ANSWER_BYTES = 8 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SaleorApiError(Exception):
    """A final answer: the query is wrong, or the token refused (retrying will not help)."""


class SaleorGraphQLError(SaleorApiError):
    """Saleor answered, with GraphQL ``errors``: kept, so a caller can tell where they are (``path``)."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors

    def only_at(self, *path: str) -> bool:
        """Every error is on exactly ``path`` (e.g. ``checkout``: the field refused as a whole)."""
        return bool(self.errors) and all(e.get("path") == list(path) for e in self.errors)


class SaleorUnavailable(Exception):
    """Saleor did not answer usefully after every attempt (the Celery task retries later)."""


class SaleorClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        sleep: Callable[[float], None] = time.sleep,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.api_url = api_url
        self._token = token  # "" = anonymous: what a shopper's storefront sees (``catalog.py``)
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._sleep = sleep

    @classmethod
    def of(cls, installation: SaleorAppInstallation, **options: Any) -> SaleorClient:
        return cls(installation.saleor_api_url, unseal(installation.auth_token_sealed), **options)

    def _post(self, body: bytes) -> Any:
        headers = {"Content-Type": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(  # noqa: S310 - the installation's http(s) API URL
            self.api_url, data=body, headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
            # Saleor's amounts are GraphQL Floats: read their JSON text as Decimal, never as binary floats
            return json.loads(answer.read(MAX_ANSWER_BYTES + 1)[:MAX_ANSWER_BYTES], parse_float=Decimal)

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of the answer; :class:`SaleorApiError` or :class:`SaleorUnavailable` otherwise."""
        body = json.dumps({"query": document, "variables": variables or {}}).encode()
        last: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1) * (0.75 + random.random() / 2))  # noqa: S311
            try:
                answer = self._post(body)
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUSES:
                    raise SaleorApiError(f"Saleor answered HTTP {error.code}.") from error
                last = error
                continue
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = error
                continue
            except ValueError as error:
                raise SaleorApiError("Saleor's answer is not JSON.") from error
            if not isinstance(answer, dict):
                raise SaleorApiError("Saleor's answer is not a JSON object.")
            if answer.get("errors"):
                errors = [e for e in answer["errors"] if isinstance(e, dict)]
                messages = "; ".join(str(e.get("message", e)) for e in errors)
                raise SaleorGraphQLError(messages or "Saleor answered with errors.", errors)
            data = answer.get("data")
            if not isinstance(data, dict):
                raise SaleorApiError("Saleor's answer has no data.")
            return data
        raise SaleorUnavailable(f"Saleor did not answer after {self.attempts} attempts: {last}") from last
