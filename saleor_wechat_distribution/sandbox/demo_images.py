"""Pictures of the sandbox's demo products (``/demo-products/<id>.png``): a coloured tile with the
product's name, drawn once per process, so that share posters and the center's lists have an image."""

from __future__ import annotations

import hashlib
import io
from functools import cache

from django.http import Http404, HttpRequest, HttpResponse
from PIL import Image, ImageDraw

from ..services.posters.fonts import poster_font
from .catalog import PRODUCTS

SIZE = 480


@cache
def _png(product_id: str) -> bytes:
    title = next(title for pid, title, _ in PRODUCTS if pid == product_id)
    hue = int(hashlib.sha256(product_id.encode()).hexdigest()[:2], 16)
    image = Image.new("RGB", (SIZE, SIZE), (40 + hue % 120, 120 + hue % 100, 160 + hue % 80))
    draw = ImageDraw.Draw(image)
    name = title.split(" ", 1)[0]
    draw.text((SIZE // 2, SIZE // 2), name, fill="white", anchor="mm", font=poster_font(44))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def demo_product_image(request: HttpRequest, product_id: str) -> HttpResponse:
    if not any(pid == product_id for pid, _, _ in PRODUCTS):
        raise Http404(product_id)
    response = HttpResponse(_png(product_id), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
