"""The text checks live with the services (which must refuse bad input whoever calls them)."""

from ...services.inputs import (
    CHANNEL_MAX_LENGTH,
    HOST_ID_MAX_LENGTH,
    REASON_MAX_LENGTH,
    clean_channel,
    clean_text,
)

__all__ = ["CHANNEL_MAX_LENGTH", "HOST_ID_MAX_LENGTH", "REASON_MAX_LENGTH", "clean_channel", "clean_text"]
