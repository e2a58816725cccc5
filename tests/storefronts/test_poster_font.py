"""Share posters draw Chinese with real glyphs (no "tofu" boxes) out of the box, and still carry a QR code
that decodes to the referral link."""

from __future__ import annotations

import io
import logging
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageFont

from saleor_wechat_distribution.ports import ProductSnapshot
from saleor_wechat_distribution.services.posters import fonts as poster_fonts
from saleor_wechat_distribution.services.posters.drawing import HEIGHT, draw_poster, poster_name
from saleor_wechat_distribution.services.posters.fonts import (
    UNMAPPED,
    draws_chinese,
    poster_font,
    poster_font_choice,
)

LINK = "https://shop.example.com/products/p1/?ref=ABCD2345"
#: where draw_poster writes the distributor's name (x 40, HEIGHT - 110, 26 px)
NAME_BOX = (40, HEIGHT - 115, 400, HEIGHT - 75)


def _forget_choice() -> None:
    poster_fonts._choose.cache_clear()
    poster_fonts._warn_no_cjk_font.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_choice():
    _forget_choice()
    yield
    _forget_choice()


def _poster(name: str, title: str = "有机绿茶礼盒") -> Image.Image:
    product = ProductSnapshot("p1", title, Decimal("199.00"), "CNY", "")
    png = draw_poster(product=product, image=Image.new("RGB", (600, 400), "#3366cc"), distributor_name=name,
                      link=LINK)  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def _mask(font, text: str) -> bytes:
    return bytes(font.getmask(text))


def test_the_default_font_is_the_packaged_simplified_chinese_noto_face(settings):
    settings.WECHAT_DISTRIBUTION_POSTER_FONT = ""
    choice = poster_font_choice()
    assert choice.source == "package" and choice.path.endswith("NotoSansCJK-VF.otf.ttc")
    assert "Noto Sans CJK SC" in choice.name
    font = poster_font(34)
    zhang = _mask(font, "张")
    assert zhang != _mask(font, UNMAPPED)  # a real glyph, not .notdef (the box)
    assert zhang != _mask(font, "王") != _mask(font, UNMAPPED)
    assert font.getmask("张").getbbox() is not None
    # the check can fail: Pillow's built-in font draws every Chinese character as the same box
    builtin = ImageFont.load_default(size=34)
    assert not draws_chinese(builtin) and _mask(builtin, "张") == _mask(builtin, UNMAPPED)


def test_chinese_names_are_drawn_with_their_own_glyphs_and_the_qr_still_decodes(settings):
    settings.WECHAT_DISTRIBUTION_POSTER_FONT = ""
    zhang, wang, boxes = _poster("张伟的小店"), _poster("王芳的小店"), _poster(UNMAPPED * 5)
    name_of = [poster.crop(NAME_BOX) for poster in (zhang, wang, boxes)]
    assert ImageChops.difference(name_of[0], name_of[1]).getbbox() is not None
    assert ImageChops.difference(name_of[0], name_of[2]).getbbox() is not None
    assert name_of[0].getbbox() is not None  # something is drawn
    # the title region too: 有机绿茶礼盒 is not a row of boxes
    title_box = (40, 780, 400, 830)
    plain = _poster("张伟的小店", title=UNMAPPED * 6)
    assert ImageChops.difference(zhang.crop(title_box), plain.crop(title_box)).getbbox() is not None
    for poster in (zhang, wang):
        assert [result.text for result in zxingcpp.read_barcodes(poster)] == [LINK]


def test_a_bad_setting_is_logged_and_the_packaged_font_is_used(settings, caplog, tmp_path):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_bytes(b"not a font")
    for value in (str(tmp_path / "missing.otf"), str(not_a_font)):
        poster_fonts._choose.cache_clear()
        settings.WECHAT_DISTRIBUTION_POSTER_FONT = value
        with caplog.at_level(logging.ERROR, logger="saleor_wechat_distribution.services.posters.fonts"):
            choice = poster_font_choice()
        assert choice.source == "package"
        assert any("WECHAT_DISTRIBUTION_POSTER_FONT" in r.getMessage() for r in caplog.records)
        caplog.clear()


def test_the_setting_picks_the_font_and_a_new_font_draws_a_new_poster(settings):
    settings.WECHAT_DISTRIBUTION_POSTER_FONT = ""
    product = ProductSnapshot("p1", "绿茶", Decimal("1"), "CNY", "http://x/p.png")
    packaged = poster_font_choice()
    by_package = poster_name(product=product, distributor_name="张伟", link=LINK)
    poster_fonts._choose.cache_clear()
    settings.WECHAT_DISTRIBUTION_POSTER_FONT = packaged.path
    chosen = poster_font_choice()
    assert (chosen.source, chosen.path, chosen.index) == ("setting", packaged.path, packaged.index)
    assert poster_name(product=product, distributor_name="张伟", link=LINK) != by_package


def test_a_host_without_any_cjk_font_gets_a_system_check_warning(settings, monkeypatch):
    """Without the optional extra, a system font or the setting, `manage.py check` says so (W001)."""
    from django.core import checks

    settings.WECHAT_DISTRIBUTION_POSTER_FONT = ""
    assert [m.id for m in checks.run_checks() if m.id.startswith("wechat_distribution.")] == []
    # this host as if the extra were not installed and it had no CJK system font
    monkeypatch.setattr(poster_fonts, "_package_path", lambda: "")
    monkeypatch.setattr(poster_fonts, "_system_choice", lambda: None)
    poster_fonts._choose.cache_clear()
    found = [m for m in checks.run_checks() if m.id == "wechat_distribution.W001"]
    assert len(found) == 1 and "fonts-noto-cjk" in found[0].hint


def test_no_cjk_font_is_one_check_warning_and_one_log_warning_not_an_error_per_start(
    settings, monkeypatch, caplog
):
    """Every process start (web, worker, migrate) runs the system checks: that is the W001 warning, and
    nothing is logged then; drawing posters with the built-in font logs one WARNING per process."""
    from django.core import checks

    settings.WECHAT_DISTRIBUTION_POSTER_FONT = ""
    monkeypatch.setattr(poster_fonts, "_package_path", lambda: "")
    monkeypatch.setattr(poster_fonts, "_system_choice", lambda: None)
    logger = "saleor_wechat_distribution.services.posters.fonts"
    with caplog.at_level(logging.DEBUG, logger=logger):
        for _ in range(2):  # two "processes" starting (the choice is computed afresh)
            poster_fonts._choose.cache_clear()
            found = [m for m in checks.run_checks() if m.id == "wechat_distribution.W001"]
            assert [m.level for m in found] == [checks.WARNING]
    assert [r for r in caplog.records if r.name == logger] == []
    with caplog.at_level(logging.DEBUG, logger=logger):
        poster_font(20)
        poster_font(30, weight=700)
    records = [r for r in caplog.records if r.name == logger]
    assert [r.levelno for r in records] == [logging.WARNING] and "CJK" in records[0].getMessage()
