"""Rules added after the parser met instructions nobody had tuned it on (corpus heldout2/heldout3).

Each test is a general rule, checked on more than the sentence that revealed it.
"""

from __future__ import annotations

import pytest

from nemo_mcp.local.agent.understanding import parse
from nemo_mcp.local.agent.understanding.fold import fold


@pytest.mark.parametrize(
    ("text", "motion"),
    [
        ("doch lieber nach rechts", "pan_right"),
        ("mejor a la derecha", "pan_right"),
        ("melhor para a direita", "pan_right"),
        ("plutôt vers la gauche", "pan_left"),
        ("to the left instead", "pan_left"),
        ("还是往右吧", "pan_right"),
        ("やっぱり左へ", "pan_left"),
    ],
)
def test_a_side_alone_is_where_the_camera_goes(text: str, motion: str) -> None:
    assert parse(text).motion == motion


def test_a_side_that_is_refused_or_about_the_title_is_not_a_pan() -> None:
    assert parse("not to the left").motion is None
    assert parse("标题往右").motion is None


@pytest.mark.parametrize(
    ("text", "motion"),
    [
        ("anima a foto com a câmera subindo devagar", "pan_up"),
        ("que la cámara baje despacio", None),  # "baje" is not one of the forms: nothing is invented
        ("la cámara bajando lentamente", "pan_down"),
        ("the camera slowly rises", "pan_up"),
        ("Kamera fährt hoch", "pan_up"),
        ("镜头缓缓上升", "pan_up"),
    ],
)
def test_the_camera_rising_or_sinking_is_a_vertical_pan(text: str, motion: str | None) -> None:
    assert parse(text).motion == motion


def test_a_cjk_pan_verb_after_from_to_belongs_to_it() -> None:
    request = parse("做一个十二秒的横屏视频 从右往左平移 加上标题“西湖之春”")
    assert (request.motion, request.title, request.not_understood) == ("pan_left", "西湖之春", ())


@pytest.mark.parametrize(
    "text", ["et deux fois plus longue", "dos veces más largo", "zwei Mal so lang", "two times as long"]
)
def test_twice_as_long_with_the_number_in_words(text: str) -> None:
    assert parse(text).duration_factor == 2.0


@pytest.mark.parametrize(
    "text",
    ["keine Kamerabewegung", "ohne Kamerafahrt", "no camera movement", "sem movimento de câmera"],
)
def test_no_camera_move_said_with_compounds(text: str) -> None:
    assert parse(text).motion == "static"


@pytest.mark.parametrize("text", ["Musik doch weglassen", "die Musik rausnehmen", "Musik aus"])
def test_german_ways_to_drop_the_music(text: str) -> None:
    assert parse(text).remove_music


def test_music_named_without_a_mood_takes_the_wishs_mood() -> None:
    assert parse("配有活力的音樂").music == "upbeat"
    request = parse("make it dreamy with music")
    assert (request.music, request.motion) == ("calm", "zoom_in")


@pytest.mark.parametrize(
    "text",
    [
        "make my dog wag his tail",
        "让水面泛起涟漪",
        "树叶也飘动起来",
        "小狗一直摇尾巴",
        "水面がキラキラ揺れるようにして",
        "髪が風になびくように",
    ],
)
def test_more_ways_to_ask_for_things_in_the_picture_to_move(text: str) -> None:
    request = parse(text)
    assert any("move" in sentence for sentence in request.cannot)
    assert not request.intent  # "动起来" inside such a wish is not a request for a video


def test_a_horizontal_camera_move_is_not_water() -> None:
    assert parse("镜头水平移动").cannot == ()


def test_everyday_traditional_characters_fold_like_their_simplified_forms() -> None:
    assert fold("剛剛那個") == "刚刚那个"
    assert parse("剛剛那個改回來").not_understood == ()
    assert len(fold("這張照片裡的")) == len("這張照片裡的")


def test_what_the_photo_shows_in_more_words() -> None:
    request = parse("hey so I've got this pic from our trip to Iceland, make it a 10 second clip")
    assert (request.duration_s, request.not_understood) == (10.0, ())
    assert parse("人が写っている写真を動画に").not_understood == ()


def test_chat_filler_and_a_common_misspelling() -> None:
    assert parse("make it vertical lol").not_understood == ()
    assert parse("verticle video").aspect == "9:16"
    assert parse("un video de 5 segundos xfa").not_understood == ()
    assert parse("faz um vídeo de 5 segundos pfv").not_understood == ()


@pytest.mark.parametrize(
    "text",
    [
        "haz zoom out en vez de zoom in",
        "fais un zoom arrière au lieu du zoom avant",
        "Zoom raus statt rein",
        "zoom out em vez de zoom in",
        "zoom out instead of zoom in",
        "ズームインじゃなくてズームアウト",
        "不是拉近，是拉远",
    ],
)
def test_instead_of_refuses_the_move_after_it(text: str) -> None:
    request = parse(text)
    assert (request.motion, request.not_understood, request.notes) == ("zoom_out", (), ())


@pytest.mark.parametrize(
    "text", ["quita el zoom", "enlève le zoom", "tira o zoom", "kein Zoom mehr", "take out the zoom"]
)
def test_removing_the_zoom_keeps_the_camera_still(text: str) -> None:
    assert parse(text).motion == "static"


def test_a_speed_change_of_the_camera_move_is_not_a_new_pan() -> None:
    assert (parse("Kamerafahrt langsamer").motion, parse("运镜慢一点").speed_change) == (None, "slower")


def test_what_a_move_passes_is_not_a_request() -> None:
    request = parse("a slow tilt down from the sky to the beach")
    assert (request.motion, request.not_understood) == ("pan_down", ())


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("sube el título", "top"),
        ("baja el título un poco", "bottom"),
        ("remonte le titre", "top"),
        ("sobe o título", "top"),
        ("标题往上移一点", "top"),
        ("coloca o título lá em cima", "top"),
    ],
)
def test_moving_the_title_by_a_verb(text: str, side: str) -> None:
    assert parse(text).title_position == side


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("标题字太小了，放大一点", "bigger"),
        ("le titre un peu plus petit stp", "smaller"),
        ("Titel bitte etwas größer", "bigger"),
    ],
)
def test_size_words_around_a_title_word_are_not_the_title(text: str, change: str) -> None:
    request = parse(text)
    assert (request.title, request.title_size_change) == (None, change)
    assert parse("标题：在路上").title == "在路上"  # after a colon, the same words are a title


def test_a_colour_alone_is_not_a_backdrop_or_a_title() -> None:
    assert parse("weiß").background is None
    assert parse("el título en blanco y arriba").title is None
    assert parse("on a black background").background == "black"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("une quinzaine de secondes", 15.0), ("a dozen seconds", 12.0), ("10 segunditos", 10.0)],
)
def test_about_so_many_seconds(text: str, seconds: float) -> None:
    assert parse(text).duration_s == seconds


@pytest.mark.parametrize(
    ("text", "delta"), [("再长两秒", 2.0), ("缩短3秒", -3.0), ("rajoute 3 secondes", 3.0)]
)
def test_more_ways_to_add_or_cut_time(text: str, delta: float) -> None:
    assert parse(text).duration_delta_s == delta


@pytest.mark.parametrize(
    "text",
    ["reviens à la version d'avant", "regresa al anterior", "撤回上一步", "go back to the previous version"],
)
def test_more_ways_to_undo(text: str) -> None:
    request = parse(text)
    assert (request.undo, request.not_understood) == (True, ())


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("エモい感じにして", "nostalgic"),
        ("make it look like an old film", "nostalgic"),
        ("deixa mais animado", "energetic"),
        ("keep it professional", "elegant"),
        ("做得高级一点", "elegant"),
    ],
)
def test_more_vague_wishes(text: str, wish: str) -> None:
    assert any(choice.startswith(wish) for choice in parse(text).choices)


def test_limits_in_more_words() -> None:
    for text in ("bitte mit 60 Bildern pro Sekunde", "フレームレートを60にして"):
        assert any("fps" in sentence for sentence in parse(text).cannot)
    assert any("restyle" in sentence for sentence in parse("ponle un filtro vintage").cannot)
    assert any("move" in sentence for sentence in parse("lass das Baby lachen").cannot)


def test_more_platform_and_framing_words() -> None:
    assert parse("Insta-Story, ca. 12 Sekunden").aspect == "9:16"
    assert parse("pro status do whats de 15s").aspect == "9:16"
    assert parse("en format story").aspect == "9:16"
    assert parse("que no se corte la foto").fit == "fit"
    assert parse("画面别裁掉").fit == "fit"
    assert parse("Bild nicht beschneiden").fit == "fit"


def test_lowering_it_with_nothing_named_is_the_sound() -> None:
    assert parse("et baisse-la un peu").volume_change == "quieter"
    assert parse("e abaixa um pouco").volume_change == "quieter"
    assert parse("music up a bit pls").volume_change == "louder"


def test_a_spanish_no_refuses_a_camera_move_but_portuguese_no_is_not_a_refusal_of_a_format() -> None:
    assert parse("el zoom hacia dentro, no hacia fuera").motion == "zoom_in"
    assert parse("zoom no centro").motion == "zoom_in"


def test_removing_everything_of_the_title() -> None:
    assert parse("enlève tout le texte").remove_title
    assert parse("remove all the text").remove_title


def test_a_video_of_someone_describes_the_photo_even_after_intent_took_video() -> None:
    assert parse("Quiero un video de mi abuela con su perro, slow zoom").not_understood == ()


def test_japanese_mood_stems_normal_speed_and_the_previous_one() -> None:
    assert parse("BGMは明るめで").music == "upbeat"
    assert parse("速さは普通で").motion_speed == "normal"
    assert parse("やっぱりさっきの方がいい").undo


def test_clear_bugs_heldout3_revealed() -> None:
    # the masculine of "rêveuse" was never matched
    assert any(choice.startswith("dreamy") for choice in parse("un truc rêveur").choices)
    # Instagram's "story" after a possessive or preposition in other languages
    assert parse("pour ma story insta").aspect == "9:16"
    assert parse("pro story do insta").aspect == "9:16"
    assert parse("la historia de mi abuela").aspect is None
    # a French elision before a filler word is a filler
    assert parse("c'est une photo de mon chien, en vidéo").not_understood == ()
    # German plurals next to their singulars
    assert any("move" in sentence for sentence in parse("lass die Kinder auf dem Foto tanzen").cannot)
