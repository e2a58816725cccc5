"""The font share posters are drawn in. Distributor names and product titles are Chinese, so it must have
CJK glyphs, or every character comes out as the same empty box (豆腐, "tofu").

Where it comes from, first found wins:

1. ``WECHAT_DISTRIBUTION_POSTER_FONT``: a TrueType / OpenType file (or collection) path. A path that
   cannot be opened, or a font without Chinese glyphs, is logged as an error and skipped.
2. The ``manimgx-fonts-cjk`` package (this package's optional ``cjk-font`` extra): Noto Sans CJK (SIL
   Open Font License 1.1), unmodified, as Noto publishes it; its Simplified Chinese face is used.
3. A system font: ``fc-match :lang=zh-cn`` where fontconfig is installed, else the usual paths of
   Debian's ``fonts-noto-cjk`` / ``fonts-wqy-*`` and Alpine's ``font-noto-cjk``.
4. Pillow's built-in font, which has no CJK glyphs: Django's system checks report it as the warning
   ``wechat_distribution.W001`` (``checks.py``; ``migrate`` and ``check`` print it, a Celery worker runs the
   checks silently), and the first poster drawn with it logs one WARNING per process. Nothing is logged
   at start-up: the check runs in every process (web, worker, migrate), and an ERROR there each time was
   noise for a choice the operator may have made on purpose.

A candidate counts only if it really draws Chinese: its glyph of 张 must differ from its ``.notdef`` glyph
(what an unmapped character gets) and from its glyph of 王.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources

from django.conf import settings
from PIL import ImageFont

logger = logging.getLogger(__name__)

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont
PACKAGE = "manimgx_fonts_cjk"
PACKAGE_FILE = "NotoSansCJK-VF.otf.ttc"
SYSTEM_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian / Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Alpine font-noto-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
)
#: faces of a collection whose name says Simplified Chinese are preferred (Noto CJK: JP, KR, SC, TC, HK)
SIMPLIFIED_MARKS = (" SC", "GB", "Hans", " CN", "WenQuanYi")
MAX_FACES = 16
#: a private-use code point: no CJK font maps it, so it is drawn with the font's .notdef glyph
UNMAPPED = "\ue000"


@dataclass(frozen=True)
class FontChoice:
    path: str  # empty: Pillow's built-in font
    index: int
    source: str  # "setting", "package", "system" or "builtin"
    name: str

    @property
    def fingerprint(self) -> str:
        """What a cached poster's name depends on (another font draws another poster)."""
        return f"{self.source}:{os.path.basename(self.path)}#{self.index}:{self.name}"


def _mask(font: FontType, text: str) -> bytes:
    return bytes(font.getmask(text))


def draws_chinese(font: FontType) -> bool:
    """True when the font has real glyphs for Chinese (张 is neither .notdef nor the same as 王)."""
    zhang = _mask(font, "张")
    return zhang != _mask(font, UNMAPPED) and zhang != _mask(font, "王")


def _open(path: str, index: int, size: int = 32) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _face_name(font: ImageFont.FreeTypeFont) -> str:
    family, style = font.getname()
    return f"{family or ''} {style or ''}".strip()


def _best_face(path: str, preferred: int | None = None) -> tuple[int, str] | None:
    """(index, name) of the collection's face that draws Chinese, Simplified Chinese first."""
    faces: list[tuple[int, str]] = []
    indexes = [preferred] if preferred is not None else range(MAX_FACES)
    for index in indexes:
        try:
            font = _open(path, index)
        except OSError:
            break  # past the last face (or not a font at all)
        if draws_chinese(font):
            faces.append((index, _face_name(font)))
    if not faces:
        return None
    return next((face for face in faces if any(m in face[1] for m in SIMPLIFIED_MARKS)), faces[0])


def _package_path() -> str:
    try:
        return str(resources.files(PACKAGE).joinpath(PACKAGE_FILE))
    except (ModuleNotFoundError, TypeError):
        return ""


def _fontconfig_paths() -> list[tuple[str, int]]:
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return []
    try:
        answer = subprocess.run(  # noqa: S603 - a fixed command, no shell
            [fc_match, "-f", "%{file}\n%{index}", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    lines = answer.stdout.splitlines()
    if answer.returncode != 0 or not lines or not lines[0]:
        return []
    index = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else 0
    return [(lines[0], index)]


def _system_choice() -> FontChoice | None:
    candidates = _fontconfig_paths() + [(path, -1) for path in SYSTEM_PATHS if os.path.exists(path)]
    for path, index in candidates:
        face = _best_face(path, index if index >= 0 else None)
        if face is not None:
            return FontChoice(path, face[0], "system", face[1])
    return None


@functools.cache
def _choose(setting: str) -> FontChoice:
    if setting:
        face = _best_face(setting) if os.path.isfile(setting) else None
        if face is not None:
            return FontChoice(setting, face[0], "setting", face[1])
        logger.error(
            "WECHAT_DISTRIBUTION_POSTER_FONT=%r cannot be opened or has no Chinese glyphs; looking further",
            setting,
        )
    package = _package_path()
    face = _best_face(package) if package and os.path.isfile(package) else None
    if face is not None:
        return FontChoice(package, face[0], "package", face[1])
    system = _system_choice()
    if system is not None:
        logger.info("share posters use the system font %s (%s)", system.path, system.name)
        return system
    # reported by the system check (W001) at start-up, and logged once when a poster is drawn with it
    return FontChoice("", 0, "builtin", "Pillow default")


@functools.cache
def _warn_no_cjk_font() -> None:
    logger.warning(
        "share posters have no CJK font: Chinese text will show as boxes. Install the extra "
        "saleor-wechat-distribution[cjk-font] or a system CJK font, or set WECHAT_DISTRIBUTION_POSTER_FONT",
    )


def poster_font_choice() -> FontChoice:
    return _choose(str(getattr(settings, "WECHAT_DISTRIBUTION_POSTER_FONT", "") or ""))


def _load(choice: FontChoice, size: int, weight: int) -> FontType:
    if not choice.path:
        return ImageFont.load_default(size=size)
    font = _open(choice.path, choice.index, size)
    try:
        axes = font.get_variation_axes()
    except OSError:  # not a variable font
        return font
    values = [
        max(axis["minimum"], min(axis["maximum"], weight)) if axis["name"] in (b"Weight", "Weight")
        else axis["default"]
        for axis in axes
    ]  # fmt: skip
    font.set_variation_by_axes(values)
    return font


def poster_font(size: int, *, weight: int = 400) -> FontType:
    """The poster font at ``size`` pixels; ``weight`` applies to variable fonts (400 regular, 700 bold).

    Loaded per poster, not shared: a FreeType face is not safe to draw with from two threads at once."""
    choice = poster_font_choice()
    if choice.source == "builtin":
        _warn_no_cjk_font()  # once per process
    return _load(choice, size, weight)
