"""Frames straight into Y'CbCr: the picture is converted to BT.709 limited-range planes once, then every
frame is three single-channel resizes (luma at full size, chroma at half size) of those planes.

That is both faster and more exact than resizing RGB (Pillow keeps RGB as four bytes a pixel) and
converting each frame with swscale: the colour matrix runs once, in floating point, and resampling
commutes with it (both are linear).
"""

from __future__ import annotations

from collections.abc import Sequence

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc
from PIL import Image

from nemo_mcp.local.render.motion import Box
from nemo_mcp.local.render.title import TitleLayer

Planes = tuple[Image.Image, Image.Image, Image.Image]

# BT.709 luma coefficients.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
_ROWS_PER_CHUNK = 256  # keeps the float32 temporaries small for tall pictures


def rgb_to_planes(img: Image.Image) -> Planes:
    """RGB (full range, as JPEG/PNG store it) to BT.709 limited-range Y', Cb, Cr planes, full resolution."""
    rgb = np.asarray(img.convert("RGB"))
    height, width = rgb.shape[:2]
    out = np.empty((3, height, width), dtype=np.uint8)
    for top in range(0, height, _ROWS_PER_CHUNK):
        chunk = rgb[top : top + _ROWS_PER_CHUNK].astype(np.float32) * (1.0 / 255.0)
        r, g, b = chunk[..., 0], chunk[..., 1], chunk[..., 2]
        luma = _KR * r + _KG * g + _KB * b
        rows = slice(top, top + chunk.shape[0])
        out[0, rows] = np.clip(np.rint(16.0 + 219.0 * luma), 0, 255)
        out[1, rows] = np.clip(np.rint(128.0 + 224.0 * (b - luma) / (2.0 * (1.0 - _KB))), 0, 255)
        out[2, rows] = np.clip(np.rint(128.0 + 224.0 * (r - luma) / (2.0 * (1.0 - _KR))), 0, 255)
    y, cb, cr = (Image.fromarray(plane) for plane in out)
    return y, cb, cr


class FrameMaker:
    """Makes frame `i` as (Y, Cb, Cr) Pillow images; safe to call from one worker thread."""

    def __init__(
        self,
        source: Image.Image,
        boxes: Sequence[Box],
        out_w: int,
        out_h: int,
        title: TitleLayer | None = None,
        title_opacity: Sequence[float] = (),
        *,
        chroma_size: tuple[int, int] | None = None,
    ) -> None:
        luma, cb, cr = rgb_to_planes(source)
        # Chroma is kept at half resolution (averaged once), so each frame resamples it by about the same
        # small factor as luma instead of filtering twice as many source pixels.
        # (A caller may keep chroma smaller still: it resamples less detail per frame, and chroma does not
        # shimmer visibly, so it needs none of the headroom luma gets.)
        half_size = chroma_size or ((luma.width + 1) // 2, (luma.height + 1) // 2)
        self._luma = luma
        self._chroma = (
            cb.resize(half_size, Image.Resampling.BOX),
            cr.resize(half_size, Image.Resampling.BOX),
        )
        self._chroma_scale = (half_size[0] / luma.width, half_size[1] / luma.height)
        self._boxes = boxes
        self._size = (out_w, out_h)
        self._half = (out_w // 2, out_h // 2)
        self._title = title
        self._opacity = title_opacity
        self._masks: dict[int, tuple[Image.Image, Image.Image]] = {}
        if title is not None:
            layer = title.image
            ty, tcb, tcr = rgb_to_planes(layer.convert("RGB"))
            alpha = layer.getchannel("A")
            half = (layer.width // 2, layer.height // 2)
            self._title_planes = (
                ty,
                tcb.resize(half, Image.Resampling.BOX),
                tcr.resize(half, Image.Resampling.BOX),
            )
            self._alpha = (alpha, alpha.resize(half, Image.Resampling.BOX))

    def __len__(self) -> int:
        return len(self._boxes)

    def frame(self, index: int) -> Planes:
        x0, y0, x1, y1 = self._boxes[index]
        luma = self._luma.resize(self._size, Image.Resampling.BICUBIC, box=(x0, y0, x1, y1))
        # H.264's default chroma siting is "left": a chroma sample sits on the left luma column of its
        # pair, half an output luma pixel left of where a plain half-size resize would put it.
        sx, sy = self._chroma_scale
        cb_src, cr_src = self._chroma
        shift = min(x0 * sx, 0.5 * (x1 - x0) * sx / self._size[0])
        chroma_box = (
            x0 * sx - shift,
            y0 * sy,
            min(x1 * sx - shift, float(cb_src.width)),
            min(y1 * sy, float(cb_src.height)),
        )
        cb = cb_src.resize(self._half, Image.Resampling.BICUBIC, box=chroma_box)
        cr = cr_src.resize(self._half, Image.Resampling.BICUBIC, box=chroma_box)
        self._draw_title(index, luma, cb, cr)
        return luma, cb, cr

    def _draw_title(self, index: int, luma: Image.Image, cb: Image.Image, cr: Image.Image) -> None:
        title = self._title
        if title is None:
            return
        opacity = self._opacity[index] if index < len(self._opacity) else 1.0
        level = round(opacity * 255)
        if level <= 0:
            return
        full, half = self._mask(level)
        ty, tcb, tcr = self._title_planes
        luma.paste(ty, (title.x, title.y), full)
        cb.paste(tcb, (title.x // 2, title.y // 2), half)
        cr.paste(tcr, (title.x // 2, title.y // 2), half)

    def _mask(self, level: int) -> tuple[Image.Image, Image.Image]:
        masks = self._masks.get(level)
        if masks is None:
            full, half = self._alpha
            if level < 255:
                scale = level / 255.0
                full, half = full.point(lambda v: v * scale), half.point(lambda v: v * scale)
            masks = self._masks[level] = (full, half)
        return masks


def to_video_frame(planes: Planes, index: int) -> av.VideoFrame:
    """Copy the planes into a yuv420p frame tagged BT.709, limited range (the encoder's line sizes may pad)."""
    luma = planes[0]
    frame = av.VideoFrame(luma.width, luma.height, "yuv420p")
    for plane, img in zip(frame.planes, planes, strict=True):
        view = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
        view[:, : plane.width] = np.asarray(img)
    frame.pts = index
    frame.colorspace = Colorspace.ITU709
    frame.color_range = ColorRange.MPEG
    frame.color_primaries = ColorPrimaries.BT709
    frame.color_trc = ColorTrc.BT709
    return frame
