"""The parser's pieces: numbers in words, quotes, directions, clauses, typos, negation, limits, leftovers."""

from __future__ import annotations

import time

import pytest

from nemo_mcp.local.agent.understanding import parse
from nemo_mcp.local.agent.understanding.numbers import cjk_value
from nemo_mcp.local.agent.understanding.text import clauses, prepare
from tests.local.corpus.check import load


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("eight seconds", 8.0),
        ("a twenty-five second clip", 25.0),
        ("twenty five seconds", 25.0),
        ("make it 8s", 8.0),
        ("an 8-second video", 8.0),
        ("7.5 secs", 7.5),
        ("8 segundos", 8.0),
        ("ocho segundos", 8.0),
        ("veinticinco segundos", 25.0),
        ("treinta y cinco segundos", 30.0),  # clamped
        ("7,5 segundos", 7.5),
        ("dix secondes", 10.0),
        ("vingt et une secondes", 21.0),
        ("fünfzehn Sekunden", 15.0),
        ("fuenfundzwanzig Sekunden", 25.0),
        ("vinte e cinco segundos", 25.0),
        ("十秒", 10.0),
        ("二十五秒", 25.0),
        ("兩秒半", 2.5),
        ("十秒鐘", 10.0),
        ("三十秒くらい", 30.0),
        ("half a minute", 30.0),
        ("une demi-minute", 30.0),
        ("medio minuto", 30.0),
        ("半分钟", 30.0),
        ("two and a half seconds", 2.5),
        ("时长6", 6.0),
        ("duration: 12", 12.0),
    ],
)
def test_durations_in_every_language(text: str, seconds: float) -> None:
    assert parse(text).duration_s == seconds


def test_number_words_need_a_unit() -> None:
    assert parse("make this one vertical").duration_s is None
    assert parse("快一点").duration_s is None  # 一点 is "a little", not 1
    assert prepare("dos segundos").low == "2 segundos"
    assert cjk_value("二十五") == 25
    assert cjk_value("两") == 2


def test_durations_beyond_the_range_are_clamped_and_said() -> None:
    request = parse("make a 2 minute video")
    assert request.duration_s == 30.0
    assert any("30 s" in sentence for sentence in request.cannot)
    assert parse("0.5 seconds").duration_s == 1.0


@pytest.mark.parametrize(
    "text",
    [
        'title "Summer"',
        "title “Summer”",
        "título «Summer»",
        "Titel „Summer“",
        "標題「Summer」",
        "标题『Summer』",
        "title 'Summer'",
        "titre ‹Summer›",
        "title: Summer",
        "titled Summer",
        "标题Summer",
        "标题为Summer",
        "タイトルはSummer",
        "with the caption Summer",
    ],
)
def test_titles_in_every_kind_of_quote_and_without(text: str) -> None:
    assert parse(text).title == "Summer"


def test_titles_keep_what_was_typed() -> None:
    assert parse("make a clip titled Beach Party").title == "Beach Party"
    assert parse('title "Été à Paris"').title == "Été à Paris"
    assert parse("標題「畢業快樂」").title == "畢業快樂"  # traditional characters stay traditional
    assert parse("title: Grandma's 90th, ken burns").title == "Grandma's 90th"
    assert parse('say "hello"').title is None  # a quote alone is not a title


@pytest.mark.parametrize(
    ("text", "motion"),
    [
        ("pan from left to right", "pan_right"),
        ("pan right to left", "pan_left"),
        ("pan left", "pan_left"),
        ("tilt up", "pan_up"),
        ("from the top down to the bottom", "pan_down"),
        ("de izquierda a derecha", "pan_right"),
        ("de gauche à droite", "pan_right"),
        ("von rechts nach links", "pan_left"),
        ("da esquerda para a direita", "pan_right"),
        ("de bas en haut", "pan_up"),
        ("从左到右", "pan_right"),
        ("從右往左移動", "pan_left"),
        ("由下往上", "pan_up"),
        ("左から右へパン", "pan_right"),
        ("dolly in", "zoom_in"),
        ("push in", "zoom_in"),
        ("pull back", "zoom_out"),
        ("zoom avant", "zoom_in"),
        ("zoom arrière", "zoom_out"),
        ("拉远", "zoom_out"),
        ("ズームイン", "zoom_in"),
        ("zoom and pan", "ken_burns"),
        ("no movement", "static"),
        ("don't zoom", "static"),
        ("don't zoom, pan left", "pan_left"),
    ],
)
def test_camera_moves_read_the_right_way(text: str, motion: str) -> None:
    assert parse(text).motion == motion


def test_the_last_camera_move_named_wins_and_it_is_said() -> None:
    request = parse("zoom in, then pan left")
    assert request.motion == "pan_left"
    assert request.notes


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("9x16", "9:16"),
        ("9 by 16", "9:16"),
        ("九比十六", "9:16"),
        ("for TikTok", "9:16"),
        ("a story", "9:16"),
        ("YouTube Shorts", "9:16"),
        ("YouTube", "16:9"),
        ("square for Instagram", "1:1"),
        ("for Instagram", "1:1"),
        ("4:5", "4:5"),
        ("1:1 for Xiaohongshu", "1:1"),  # a named format beats what a platform suggests
        ("not vertical, landscape", "16:9"),
        ("animate this portrait", None),  # the photo, not the format
        ("Hochformat", "9:16"),
        ("竖屏", "9:16"),
        ("縦長", "9:16"),
    ],
)
def test_formats(text: str, aspect: str | None) -> None:
    assert parse(text).aspect == aspect


def test_full_hd_vertical_and_4k() -> None:
    request = parse("full HD vertical")
    assert (request.aspect, request.resolution) == ("9:16", "1080p")
    request = parse("in 4K at 60fps")
    assert request.resolution == "1080p"
    assert request.cannot


def test_clauses_split_on_punctuation_and_joining_words() -> None:
    pieces = [c.low.strip() for c in clauses(prepare("zoom in, 8 seconds and vertical; 然后加标题。"))]
    assert pieces == ["zoom in", "8 seconds", "vertical", "加标题"]
    assert [c.low for c in clauses(prepare("7,5 segundos"))] == [
        "7.5 segundos"
    ]  # a decimal comma is not a clause
    assert [c.low for c in clauses(prepare("use beach.mp3"))] == [
        "use beach.mp3"
    ]  # nor the dot of a file name


def test_relative_edits() -> None:
    assert parse("make it faster").speed_change == "faster"
    assert parse("más lento").speed_change == "slower"
    assert parse("make it 3 seconds longer").duration_delta_s == 3.0
    assert parse("make it 3 seconds longer").duration_s is None
    assert parse("cut 2 seconds").duration_delta_s == -2.0
    assert parse("twice as long").duration_factor == 2.0
    assert parse("turn the music down a bit").volume_change == "quieter"
    assert parse("make the title bigger").title_size_change == "bigger"
    assert parse("标题小一点").title_size_change == "smaller"
    assert parse("undo").undo
    assert parse("zoom out instead").motion == "zoom_out"
    assert parse("loop it").loop is True


def test_music() -> None:
    assert parse("add some calm music").music == "calm"
    assert parse("música alegre").music == "upbeat"
    assert parse("add music").music == "any"
    assert parse("use the song I uploaded").music == "uploaded"
    assert parse("use beach.mp3 as the music").music == "beach.mp3"
    assert parse("music at 30%").music_volume == 0.3
    assert parse("音量百分之三十").music_volume == 0.3
    assert parse("remove the music and the title").remove_title


def test_vague_wishes_become_choices_that_are_said() -> None:
    request = parse("make it cinematic")
    assert (request.motion, request.motion_speed, request.music) == ("ken_burns", "slow", "cinematic")
    assert request.choices[0].startswith("cinematic:")
    explicit = parse("cinematic, zoom out")
    assert explicit.motion == "zoom_out"  # what is named wins over the wish


@pytest.mark.parametrize(
    "text",
    [
        "make the water ripple",
        "turn it into anime style",
        "render in 4K",
        "add a voiceover",
        "compose a song for it",
        "让水面动起来",
        "アニメ風にして",
    ],
)
def test_what_cannot_be_done_is_said(text: str) -> None:
    assert parse(text).cannot


def test_typos_in_key_words() -> None:
    assert parse("make it vertcal").aspect == "9:16"
    assert parse('add a tittle "Hello"').title == "Hello"


def test_parts_nobody_understood_are_quoted_back_and_filler_is_not() -> None:
    assert parse("animate this and add a lens flare").not_understood == ("lens flare",)
    assert parse("做个视频，加个转场特效").not_understood == ("加个转场特效",)
    assert parse("please make a video of this photo, thanks!").not_understood == ()
    assert parse("帮我用低显存模式把这张图做成视频").not_understood == ()
    request = parse("hello")
    assert not request.understood


def test_parsing_is_fast_and_deterministic() -> None:
    texts = [step["say"] for case in load() for step in case["steps"]]
    rounds = []
    for _ in range(3):
        start = time.perf_counter()
        results = [parse(text) for text in texts]
        rounds.append((time.perf_counter() - start) / len(texts))
    assert min(rounds) < 0.002
    assert results == [parse(text) for text in texts]


def test_what_the_photo_shows_is_not_a_request() -> None:
    assert parse("turn this pic of my dog at the beach into a video").not_understood == ()
    assert parse("把这张海边的照片做成视频").not_understood == ()


def test_questions_do_not_ask_for_a_video() -> None:
    assert not parse("how long can the video be?").understood
    assert parse("can you make a video?").intent


def test_title_duration_and_words_between_a_pan_and_its_direction() -> None:
    request = parse("show the title only for the first 3 seconds")
    assert (request.title_duration_s, request.duration_s) == (3.0, None)
    request = parse("un paneo lento hacia la derecha")
    assert (request.motion, request.motion_speed) == ("pan_right", "slow")


def test_go_back_to_something_sets_it_rather_than_undoing() -> None:
    request = parse("can we go back to the calm music?")
    assert (request.undo, request.music) == (False, "calm")
    assert parse("go back").undo


@pytest.mark.parametrize(
    "text",
    [
        "the people in the photo should wave",
        "quiero que las personas de la foto saluden",
        "die Leute auf dem Foto sollen winken",
        "quero que as pessoas da foto acenem",
        "讓照片裡的人揮手",
        "写真の人たちに手を振らせて",
    ],
)
def test_things_in_the_picture_that_would_have_to_move(text: str) -> None:
    assert any("move" in sentence for sentence in parse(text).cannot)


def test_one_unfamiliar_word_in_an_understood_clause_is_not_billed_as_a_miss() -> None:
    assert parse("turn my wedding photo into a slow clip").not_understood == ()
    assert parse("mach aus meinem Hochzeitsfoto ein Video").not_understood == ()
    assert parse("zoom in and add a lens flare").not_understood == ("lens flare",)  # a clause of its own
    assert parse("add confetti").not_understood == ("confetti",)


def test_an_article_is_not_someone_in_the_picture() -> None:
    assert parse("mueve el título arriba").cannot == ()  # "el" is the article here, not "él"
    assert parse("que el niño sonría").cannot


def test_chained_title_markers_and_a_colon_after_the_verb() -> None:
    assert parse("adiciona um título escrito Boas Festas").title == "Boas Festas"
    assert parse("füge einen Titel hinzu: Frohe Feiertage").title == "Frohe Feiertage"
