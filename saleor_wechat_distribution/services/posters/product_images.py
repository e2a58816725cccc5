"""Fetching a product's picture for a share poster: http(s) only, bounded in time, bytes and pixels."""

from __future__ import annotations

import io
import urllib.request
from urllib.error import URLError

from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
FETCH_TIMEOUT = 5


class PosterImageUnavailable(Exception):
    """The product image could not be fetched or is not an image."""


def fetch_image(url: str) -> Image.Image:
    if not url.startswith(("https://", "http://")):
        raise PosterImageUnavailable("not an http(s) address")
    request = urllib.request.Request(url, headers={"User-Agent": "saleor-wechat-distribution poster"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310 - http(s) only
            data = answer.read(MAX_IMAGE_BYTES + 1)
    except (URLError, OSError, ValueError) as error:
        raise PosterImageUnavailable(type(error).__name__) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise PosterImageUnavailable("image too large")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise PosterImageUnavailable("image too large")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PosterImageUnavailable(type(error).__name__) from None
    return image.convert("RGB")

