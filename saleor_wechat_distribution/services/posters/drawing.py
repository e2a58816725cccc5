"""Drawing a share poster (推广海报): a PNG with the product's image, title and price, the distributor's
name, and a QR code of the distributor's referral link to the product. Pillow + qrcode; no I/O here.

``poster_name`` is the poster's name in Django's default storage, derived from everything drawn on it
(``wechat_distribution/posters/<sha256>.png``): the same poster is never drawn twice, and a changed price
or title draws a new one. The font is chosen in ``fonts.py``.
"""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal

import qrcode
from PIL import Image, ImageDraw

from ...ports import ProductSnapshot
from .fonts import poster_font, poster_font_choice

#: "2": drawn with a CJK font (posters of "1" showed Chinese as boxes and are not reused)
LAYOUT_VERSION = "2"
WIDTH, HEIGHT = 750, 1200
IMAGE_BOX = 750
QR_SIZE = 260
CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


def price_text(price: Decimal, currency: str) -> str:
    return f"{CURRENCY_SIGNS.get(currency, currency + ' ')}{price.quantize(Decimal('0.01'))}"


#: a run of Latin letters/digits (with its punctuation) is one word; a CJK character, a space or any
#: other character stands alone
_TOKENS = re.compile(r"[0-9A-Za-z][0-9A-Za-z'’.,:;!?%&/+-]*|\s+|.")


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int, lines: int) -> list[str]:
    """At most ``lines`` lines of ``width``: Chinese breaks between any two characters, English between
    words (a word wider than a line is cut); the last line ends with "…" when the text does not fit."""
    tokens = _TOKENS.findall(text)
    out: list[str] = []
    current = ""
    i = 0
    while i < len(tokens) and len(out) < lines:
        token = tokens[i]
        if not current and token.isspace():  # no line starts with a space
            i += 1
        elif draw.textlength((current + token).rstrip(), font=font) <= width:
            current += token
            i += 1
        elif current:
            out.append(current.rstrip())
            current = ""
        else:  # one word wider than the line: cut it where it overflows
            n = 1
            while n < len(token) and draw.textlength(token[: n + 1], font=font) <= width:
                n += 1
            out.append(token[:n])
            tokens[i] = token[n:]
    rest = any(not token.isspace() for token in tokens[i:])
    if current.strip():
        if len(out) < lines:
            out.append(current.rstrip())
        else:
            rest = True
    if rest and out:
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
