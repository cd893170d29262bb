"""Subject-aware framing: the subject is found where it is, stays inside every frame, zooms go toward it;
photos far from the output's shape are shown whole over a backdrop; panoramas are swept end to end;
transparent images never become blank video."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from nemo_mcp.local.render import framing, scene, subject
from nemo_mcp.local.render.clip import ClipSpec, render_clip
from nemo_mcp.local.render.spec import CameraMotion
from tests.local import synthetic


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union


def _rgb_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _red(frame: np.ndarray) -> np.ndarray:
    r, g, b = (frame[..., i].astype(np.int16) for i in range(3))
    mask: np.ndarray = (r > 150) & (g < 90) & (b < 90)
    return mask


# --- finding the subject ----------------------------------------------------------------------------


def test_a_small_off_centre_subject_is_found_quickly_on_a_12_mp_photo() -> None:
    photo, truth = synthetic.ladybird(4000, 3000, 3000, 900, 220)
    subject.find(Image.new("RGB", (64, 48)))  # imports OpenCV and loads its cascades (once per process)
    elapsed = []
    for _ in range(2):  # the better of two: the machine is shared
        started = time.perf_counter()
        found = subject.find(photo)
        elapsed.append(time.perf_counter() - started)
    assert found.kind == "salient"
    assert _iou(found.box, truth) > 0.6, f"found {found.box}, truth {truth}"
    assert min(elapsed) < 0.6, f"{min(elapsed):.2f} s"


def test_a_face_is_found_by_the_cascade_that_ships_in_the_wheel() -> None:
    photo, truth = synthetic.face(2000, 2000, 1000, 800, 300)
    found = subject.find(photo)
    assert found.kind == "face"
    assert _iou(found.box, truth) > 0.5, f"found {found.box}, truth {truth}"


def test_a_photo_without_a_subject_has_none() -> None:
    assert subject.find(synthetic.natural_texture(800, 600)).kind == "centre"
    assert subject.find(Image.new("RGB", (640, 480), (90, 120, 150))).kind == "centre"


def test_a_transparent_images_subject_is_its_opaque_part() -> None:
    found = subject.find(synthetic.white_logo(800, 400))
    assert found.kind == "shape"
    assert found.box == pytest.approx((48, 48, 752, 352), abs=2)


# --- the plan ---------------------------------------------------------------------------------------

sizes = st.sampled_from([(1280, 720), (720, 1280), (720, 720), (1080, 1350), (1920, 1080)])
motions = st.sampled_from(
    ["zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "ken_burns", "static"]
)


@settings(max_examples=200, deadline=None)
@given(
    motion=motions,
    width=st.integers(200, 9000),
    height=st.integers(200, 9000),
    out=sizes,
    corner=st.tuples(st.floats(0, 0.9), st.floats(0, 0.9)),
    extent=st.tuples(st.floats(0.02, 0.5), st.floats(0.02, 0.5)),
    speed=st.sampled_from([0.25, 0.6, 1.0, 1.6, 2.5]),
    loop=st.booleans(),
)
def test_the_subject_is_inside_every_box_and_every_box_inside_the_picture(
    motion: CameraMotion,
    width: int,
    height: int,
    out: tuple[int, int],
    corner: tuple[float, float],
    extent: tuple[float, float],
    speed: float,
    loop: bool,
) -> None:
    x0, y0 = corner[0] * width, corner[1] * height
    box = (x0, y0, min(width, x0 + extent[0] * width), min(height, y0 + extent[1] * height))
    aspect = out[0] / out[1]
    boxes = framing.plan(motion, width, height, out[0], out[1], 90, subject=box, speed=speed, loop=loop)
    fits = max(box[2] - box[0], (box[3] - box[1]) * aspect) <= min(width, height * aspect) * (1 - 1e-9)
    for bx0, by0, bx1, by1 in boxes:
        assert 0.0 <= bx0 < bx1 <= width
        assert 0.0 <= by0 < by1 <= height
        assert (bx1 - bx0) / (by1 - by0) == pytest.approx(aspect, rel=1e-6)
        if fits:
            assert bx0 <= box[0] + 1e-6, "the subject is cut on the left"
            assert box[2] <= bx1 + 1e-6, "the subject is cut on the right"
            assert by0 <= box[1] + 1e-6, "the subject is cut at the top"
            assert box[3] <= by1 + 1e-6, "the subject is cut at the bottom"


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_a_zoom_goes_toward_the_subject_and_a_static_frame_centres_it() -> None:
    subject_box = (2600.0, 500.0, 3000.0, 900.0)  # upper right of a 4000x3000 photo
    target = _centre(subject_box)
    boxes = framing.plan("zoom_in", 4000, 3000, 1280, 720, 60, subject=subject_box)
    assert boxes[-1][2] - boxes[-1][0] == pytest.approx((boxes[0][2] - boxes[0][0]) / 1.2)
    # Where the subject sits in the frame, as a fraction of the frame from its centre: nearer every frame.
    offsets = [np.hypot(*(np.subtract(target, _centre(b)) / (b[2] - b[0]))) for b in boxes]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(offsets)), "always toward the subject"
    assert offsets[-1] < 0.75 * offsets[0]
    # ... and at the end as near the middle as the picture's edges allow (here: against the top right).
    assert boxes[-1][2] == pytest.approx(4000.0)
    assert boxes[-1][1] == pytest.approx(0.0, abs=1e-6)
    centred = framing.plan("zoom_in", 4000, 3000, 1280, 720, 60, subject=(1900.0, 1300, 2300, 1700))
    assert _centre(centred[-1]) == pytest.approx((2100.0, 1500.0))
    still = framing.plan("static", 4000, 3000, 1280, 720, 10, subject=subject_box)
    assert len(set(still)) == 1
    assert still[0] == (0.0, 0.0, 4000.0, 2250.0), "as near centred as the picture allows: at the top"


@pytest.mark.parametrize(("speed", "zoom"), [(0.6, 1.2**0.6), (1.0, 1.2), (1.6, 1.2**1.6)])
def test_speed_scales_the_travel(speed: float, zoom: float) -> None:
    boxes = framing.plan(
        "zoom_in", 4000, 3000, 1280, 720, 60, subject=(1900.0, 1400, 2100, 1600), speed=speed
    )
    assert (boxes[0][2] - boxes[0][0]) / (boxes[-1][2] - boxes[-1][0]) == pytest.approx(zoom)


def test_a_loop_goes_out_and_comes_back_without_a_jolt() -> None:
    boxes = np.array(framing.plan("pan_right", 4000, 3000, 1280, 720, 90, loop=True))
    steps = np.abs(np.diff(boxes[:, 0]))
    wrap = abs(boxes[0, 0] - boxes[-1, 0])
    assert wrap <= steps.max(), "the last frame leads into the first"
    assert wrap < 0.05 * steps.max(), "at rest at the loop point"
    assert boxes[45, 0] == pytest.approx(boxes[:, 0].max()), "the far end at mid-clip"


@pytest.mark.parametrize(
    ("size", "out", "kind", "motion", "mode", "sweep"),
    [
        ((3000, 2000), (720, 1280), "salient", "zoom_in", "fit", False),  # the ladybird made 9:16
        ((2000, 2000), (1280, 720), "face", "zoom_in", "crop", False),  # a square portrait made 16:9
        ((2000, 3000), (1280, 720), "centre", "ken_burns", "fit", False),  # a vertical photo made 16:9
        ((8000, 2000), (1280, 720), "centre", "pan_right", "crop", True),  # a panorama panned
        ((8000, 2000), (1280, 720), "centre", "zoom_in", "fit", False),  # ... or zoomed
        ((4000, 3000), (1280, 720), "salient", "zoom_in", "crop", False),  # close enough: crop
        ((800, 400), (1280, 720), "shape", "zoom_in", "fit", False),  # a transparent logo
    ],
)
def test_crop_or_fit_is_chosen_by_how_much_a_crop_would_lose(
    size: tuple[int, int], out: tuple[int, int], kind: subject.Kind, motion: str, mode: str, sweep: bool
) -> None:
    found = subject.Subject((size[0] * 0.45, size[1] * 0.2, size[0] * 0.55, size[1] * 0.3), kind, 0.9)
    choice = framing.decide("auto", size[0], size[1], out[0], out[1], found, motion)
    assert (choice.mode, choice.sweep) == (mode, sweep)
    assert framing.decide("crop", size[0], size[1], out[0], out[1], found, motion).mode == "crop"
    assert framing.decide("fit", size[0], size[1], out[0], out[1], found, motion).mode == "fit"


# --- the video --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fit", "motion"), [("crop", "zoom_in"), ("crop", "pan_left"), ("auto", "ken_burns")]
)
def test_the_subject_is_whole_in_every_frame_of_the_video(tmp_path: Path, fit: str, motion: str) -> None:
    photo, _ = synthetic.ladybird(3000, 2000, 2500, 500, 170)
    path = tmp_path / "ladybird.jpg"
    photo.save(path, quality=92)
    out = tmp_path / "clip.mp4"
    spec = ClipSpec(image=path, width=360, height=640, duration_s=2.0, motion=motion, fit=fit)  # type: ignore[arg-type]
    result = render_clip(spec, out)
    assert result.framing is not None
    assert (
        ("toward" in result.framing or "kept in frame" in result.framing)
        if fit == "crop"
        else "whole photo" in result.framing
    )
    frames = _rgb_frames(out)
    areas = []
    for index, frame in enumerate(frames):
        red = _red(frame)
        assert red.sum() > 0, f"frame {index} lost the subject"
        ys, xs = np.nonzero(red)
        assert xs.min() > 1, f"frame {index} cuts the subject on the left"
        assert ys.min() > 1, f"frame {index} cuts the subject at the top"
        assert xs.max() < frame.shape[1] - 2, f"frame {index} cuts the subject on the right"
        assert ys.max() < frame.shape[0] - 2, f"frame {index} cuts the subject at the bottom"
        areas.append(red.sum())
    assert min(areas) > 0.5 * max(areas) / 1.25**2, "never partly out of view"


def test_a_panorama_is_swept_from_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "panorama.jpg"
    synthetic.panorama(4000, 1000).save(path, quality=92)
    out = tmp_path / "clip.mp4"
    result = render_clip(ClipSpec(image=path, width=320, height=180, duration_s=5.0, motion="pan_right"), out)
    assert result.framing == "sweeping across the whole panorama"
    frames = _rgb_frames(out)
    first, last = frames[0], frames[-1]
    assert _red(first).sum() > 100, "the left end is in the first frame"
    blue = (last[..., 2] > 150) & (last[..., 0] < 90)
    assert blue.sum() > 100, "the right end is in the last frame"


@pytest.mark.parametrize("background", [None, "navy", "#336699"])
def test_no_frame_of_a_transparent_image_is_blank(tmp_path: Path, background: str | None) -> None:
    path = tmp_path / "logo.png"
    synthetic.white_logo().save(path)
    out = tmp_path / "clip.mp4"
    result = render_clip(
        ClipSpec(image=path, width=320, height=180, duration_s=1.0, background=background), out
    )
    frames = _rgb_frames(out)
    for index, frame in enumerate(frames):
        luma = frame.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
        assert luma.std() > 40, f"frame {index} is blank"
        assert luma.max() > 220, "the white logo shows"
    corner = frames[0][2:12, 2:12].reshape(-1, 3).mean(axis=0)
    expected = {None: (24, 25, 28), "navy": (0, 0, 128), "#336699": (51, 102, 153)}[background]
    assert np.abs(corner - expected).max() < 12, f"backdrop {corner}"
    assert result.framing is not None
    assert "whole image" in result.framing


def test_a_transparent_image_cropped_keeps_a_contrasting_backdrop(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    synthetic.white_logo(640, 360).save(path)
    out = tmp_path / "clip.mp4"
    result = render_clip(ClipSpec(image=path, width=320, height=180, duration_s=0.5, fit="crop"), out)
    assert result.framing is not None
    assert "transparent parts over a dark backdrop" in result.framing
    assert _rgb_frames(out)[0].std() > 40


def test_a_plain_bordered_photo_shown_whole_continues_into_its_border_colour(tmp_path: Path) -> None:
    photo = Image.new("RGB", (600, 1200), (250, 250, 250))
    photo.paste((200, 40, 40), (200, 400, 400, 800))
    path = tmp_path / "product.png"
    photo.save(path)
    out = tmp_path / "clip.mp4"
    result = render_clip(ClipSpec(image=path, width=320, height=180, duration_s=0.5), out)
    assert result.framing is not None
    assert "its own border colour" in result.framing
    corner = _rgb_frames(out)[0][2:12, 2:12].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - 250).max() < 8


@pytest.mark.parametrize(("width", "height"), [(720, 900), (1080, 1350), (1080, 1920)])
def test_four_by_five_and_full_hd_vertical_render(tmp_path: Path, width: int, height: int) -> None:
    out = tmp_path / "clip.mp4"
    result = render_clip(
        ClipSpec(image=scene_photo(tmp_path), width=width, height=height, duration_s=0.2), out
    )
    assert (result.width, result.height) == (width, height)
    assert len(_rgb_frames(out)) == 6


def scene_photo(folder: Path) -> Path:
    path = folder / "photo.jpg"
    synthetic.ladybird(1600, 1200, 800, 600, 120)[0].save(path, quality=90)
    return path


def test_the_camera_does_not_need_more_source_pixels_than_before(tmp_path: Path) -> None:
    camera = scene.Camera("zoom_in", 1280, 720, 150, 30)
    # 12 MP to 720p: the tightest crop is 3333 px wide; 1.2x of 1280 output pixels fits in a half-size
    # JPEG decode (2000 px), which is what keeps the render's time near what it was.
    width, _ = scene._needed(4000, 3000, camera)
    assert width <= 2000
