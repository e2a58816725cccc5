from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...models import Distributor
from ...ports import Principal
from ...selectors.distributors import distributor_get_for_user
from .error_log import RequestLog


@dataclass
class GraphQLContext:
    """What resolvers see as ``info.context``: the caller, the route's channel and per-request dataloaders.

    ``channel`` is the channel of the address the request came to (Saleor's plugin route
    ``/plugins/channel/<channel>/…``), None where the address names none (the sandbox): where it is set,
    it decides, and an operation about another channel is refused (``core/channels.py``).
    """

    principal: Principal
    request: Any = None
    channel: str | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    #: how this request's errors are logged (``error_log.py``)
    log: RequestLog = field(default_factory=RequestLog)

    @cached_property
    def viewer_distributor(self) -> Distributor | None:
        return (
            distributor_get_for_user(user_id=self.principal.user_id)
            if self.principal.is_authenticated
            else None
        )
