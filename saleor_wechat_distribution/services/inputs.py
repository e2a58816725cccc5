"""Shape checks of free-text input (lengths of the columns it is compared with or stored in; PostgreSQL
text cannot hold a NUL byte), shared by the services and the GraphQL layer."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _

from ..domain.errors import DistributionError

#: ``ChannelProgram.channel`` and friends
CHANNEL_MAX_LENGTH = 100
#: host ids we store (order, line, checkout, product and category ids)
HOST_ID_MAX_LENGTH = 64
REASON_MAX_LENGTH = 500


def clean_text(
    raw: str | None, *, field: str, code: Enum, max_length: int, required: bool = False
) -> str | None:
    """``raw`` stripped; ``None`` (or blank, unless ``required``) stays ``None``."""
    text = (raw or "").strip()
    if not text:
        if required:
            raise DistributionError(code, _("This field cannot be blank."), field=field)
        return None
    if "\x00" in text:
        raise DistributionError(code, _("The value contains a NUL character."), field=field)
    if len(text) > max_length:
        raise DistributionError(
            code, _("The value can be at most %(max)d characters long.") % {"max": max_length}, field=field
        )
    return text


def clean_channel(raw: str | None, *, code: Enum, field: str = "channel") -> str:
    channel = clean_text(raw, field=field, code=code, max_length=CHANNEL_MAX_LENGTH, required=True)
    assert channel is not None
    return channel
