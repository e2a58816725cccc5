"""Share posters (推广海报): a PNG with the product's image, title and price, the distributor's name, and a
QR code of the distributor's referral link to the product. Pillow + qrcode.

Posters are stored once in Django's default storage under a name derived from everything drawn on them
(``wechat_distribution/posters/<sha256>.png``), so the same poster is never drawn twice and a changed
price or title draws a new one. The font (Noto Sans CJK from a dependency, or
``WECHAT_DISTRIBUTION_POSTER_FONT``) is chosen in ``poster_fonts.py``.
"""

from __future__ import annotations

import hashlib
import io
import urllib.request
from decimal import Decimal
from urllib.error import URLError

import qrcode
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, UnidentifiedImageError

from ..ports import ProductSnapshot
from .poster_fonts import poster_font, poster_font_choice

#: "2": drawn with a CJK font (posters of "1" showed Chinese as boxes and are not reused)
LAYOUT_VERSION = "2"
WIDTH, HEIGHT = 750, 1200
IMAGE_BOX = 750
QR_SIZE = 260
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
FETCH_TIMEOUT = 5
CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


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


def price_text(price: Decimal, currency: str) -> str:
    return f"{CURRENCY_SIGNS.get(currency, currency + ' ')}{price.quantize(Decimal('0.01'))}"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int, lines: int) -> list[str]:
    out: list[str] = []
    current = ""
    for char in text:
        if draw.textlength(current + char, font=font) > width:
            out.append(current)
            current = char
            if len(out) == lines:
                break
        else:
            current += char
    if len(out) < lines and current:
        out.append(current)
    if len(out) == lines and "".join(out) != text:
        out[-1] = out[-1][:-1] + "…"
    return out


def draw_poster(
    *,
    product: ProductSnapshot,
    image: Image.Image,
    distributor_name: str,
    link: str,
    code_png: bytes | None = None,
) -> bytes:
    """``code_png``: a Mini Program code (小程序码) drawn instead of the QR code of ``link``."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    picture = image.copy()
    picture.thumbnail((IMAGE_BOX, IMAGE_BOX))
    canvas.paste(picture, ((IMAGE_BOX - picture.width) // 2, (IMAGE_BOX - picture.height) // 2))
    draw = ImageDraw.Draw(canvas)
    title_font, price_font, small = poster_font(34), poster_font(44, weight=700), poster_font(26)
    y = IMAGE_BOX + 30
    for line in _wrap(draw, product.title, title_font, WIDTH - QR_SIZE - 90, 3):
        draw.text((40, y), line, fill="#222222", font=title_font)
        y += 46
    draw.text((40, y + 16), price_text(product.price, product.currency), fill="#e02e24", font=price_font)
    draw.text((40, HEIGHT - 110), distributor_name[:40], fill="#555555", font=small)
    draw.text((40, HEIGHT - 70), "长按识别二维码 / Scan to buy", fill="#999999", font=small)
    if code_png is not None:
        qr_image = Image.open(io.BytesIO(code_png)).convert("RGB").resize((QR_SIZE, QR_SIZE))
    else:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=8)
        code.add_data(link)
        code.make(fit=True)
        qr_image = code.make_image(fill_color="black", back_color="white").convert("RGB")
        qr_image = qr_image.resize((QR_SIZE, QR_SIZE), Image.Resampling.NEAREST)
    canvas.paste(qr_image, (WIDTH - QR_SIZE - 30, HEIGHT - QR_SIZE - 30))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def poster_name(*, product: ProductSnapshot, distributor_name: str, link: str) -> str:
    fingerprint = "\x1f".join(
        [LAYOUT_VERSION, poster_font_choice().fingerprint, product.product_id, product.title,
         str(product.price), product.currency, product.image_url, distributor_name, link]
    )  # fmt: skip
    return f"wechat_distribution/posters/{hashlib.sha256(fingerprint.encode()).hexdigest()}.png"


def poster_url(
    *, product: ProductSnapshot, distributor_name: str, link: str, code_png: bytes | None = None
) -> str:
    """The stored poster's URL, drawing and storing it on first request. With ``code_png`` (a Mini
    Program code), ``link`` names that code (``miniprogram:<scene>``) so that the name differs."""
    name = poster_name(product=product, distributor_name=distributor_name, link=link)
    if not default_storage.exists(name):
        image = fetch_image(product.image_url)
        png = draw_poster(
            product=product, image=image, distributor_name=distributor_name, link=link, code_png=code_png
        )
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(png))
    return default_storage.url(name)
