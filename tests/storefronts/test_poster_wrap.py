"""Poster titles wrap as people read them: Chinese between any two characters, English between words."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from saleor_wechat_distribution.services.posters.drawing import _wrap

DRAW = ImageDraw.Draw(Image.new("RGB", (10, 10)))
FONT = ImageFont.load_default(size=20)


def width_of(text: str) -> float:
    return DRAW.textlength(text, font=FONT)


def test_an_english_word_is_not_cut_where_it_fits_on_the_next_line():
    title = "520L Refrigerator"
    width = width_of("520L Refrigerat")  # the old wrap cut the word here
    assert _wrap(DRAW, title, FONT, width, 3) == ["520L", "Refrigerator"]


def test_chinese_wraps_between_characters_and_keeps_words_whole():
    assert _wrap(DRAW, "十字对开门冰箱冰箱", FONT, width_of("十字对开门冰箱"), 3) == [
        "十字对开门冰箱",
        "冰箱",
    ]
    assert _wrap(DRAW, "冰箱 Refrigerator", FONT, width_of("Refrigerator"), 3) == ["冰箱", "Refrigerator"]


def test_a_word_wider_than_the_line_is_cut_and_a_long_text_ends_with_an_ellipsis():
    width = width_of("Refrig")
    lines = _wrap(DRAW, "Refrigerators everywhere", FONT, width, 2)
    assert lines[0] == "Refrig" and lines[1].endswith("…") and len(lines) == 2
    assert all(width_of(line) <= width for line in lines[:1])
    assert _wrap(DRAW, "short", FONT, width, 2) == ["short"]
