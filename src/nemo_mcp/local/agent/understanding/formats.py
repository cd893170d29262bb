"""What people call the format of a clip and its framing, in en, zh, ja, es, fr, de and pt: sizes,
aspect ratios, the platforms that imply one, resolution, fitting or filling the frame, the backdrop.

Written as people type (accents, traditional characters): `compile_` folds them like the text.
"""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, either, words
from nemo_mcp.local.agent.understanding.reading import Aspect

# ---- formats ----------------------------------------------------------------------------------------
SIZE = compile_(r"(?<!\d)(?P<w>\d{3,4})\s*[x×*]\s*(?P<h>\d{3,4})(?!\d)")
RATIO = compile_(
    r"(?<![\d.])(?P<a>\d{1,2})\s*(?::|x|×|/|by|比|対|対|:)\s*(?P<b>\d{1,2})(?![\d.])(?!\s*(?:s|sec|秒))"
)
# "portrait"/"landscape" are also what a photo shows ("this portrait", "photo de paysage"): not after an
# article or "of", unless a format word follows.
_NOT_THE_PHOTO = r"(?<!this )(?<!the )(?<!my )(?<!a )(?<!de )(?<!du )(?<!da )(?<!do )(?<!of )(?<!ce )(?<!cette )(?<!esta )(?<!este )(?<!essa )(?<!dieses )(?<!das )"
_FORMAT_NOUN = r"(?:\s+(?:mode|format|orientation|video|clip|modus|formato|modo))"
VERTICAL = compile_(
    _NOT_THE_PHOTO + words("portrait") + r"|" + words("portrait") + _FORMAT_NOUN,
    words(
        "vertical(?:ly)?|verticle|vertikal\\w*|verticale?s?|upright|phone format|for (?:my |the |a )?(?:phone|mobile)|"
        "hochformat|hochkant|senkrecht\\w*|retrato|en pie|em pe|celular|movil|handy|telephone"
    ),
    chars(
        "竖屏|竖版|竖向|竖的|竖着|竖幅|竖式|直式|直向|直的|纵向|手机屏|手机版|縦長|縦型|縦向き|縦動画|縦に|縦で"
    ),
)
SQUARE = compile_(
    words("square(?:d)?|cuadrad[oa]|carree?|quadratisch\\w*|quadrat|quadrad[oa]|1 to 1"),
    chars("方形|正方形|方屏|正方|スクエア|真四角|四角"),
)
FOUR_FIVE = compile_(words("portrait post|4 by 5|4 to 5"), chars("4比5"))
LANDSCAPE = compile_(
    _NOT_THE_PHOTO
    + words("landscape|paysage|paisagem")
    + r"|"
    + words("landscape|paysage|paisagem")
    + _FORMAT_NOUN,
    words(
        "horizontal\\w*|widescreen|wide ?screen|wide|apaisado|panoramico|querformat|breitbild|deitado|"
        "format paysage|modo paisagem|en paysage|em paisagem"
    ),
    chars("横屏|横版|横向|宽屏|横式|横的|横着|横長|横型|横向き|ワイド"),
)
# Where the clip will be posted: the format it suggests, when no format is named.
PLATFORMS: dict[Aspect, re.Pattern[str]] = {
    "9:16": compile_(
        words(
            "tik ?tok|tik-tok|douyin|reels?|shorts|youtube short|stories|historias|formato historia|"
            # "a story" (Instagram's) but not "narrating the story"
            "(?:a|an|my|for|as|into|in|una|en|para|um|uma|une|pour|als|eine) (?:story|historia)|story (?:format|size|video|mode)|"
            # the English word in other languages is Instagram's: "ma story", "pro story", "meine Story"
            "(?:ma|mon|mes|mi|mis|tu|ta|meine|deine|minha|meu|pro|pra|no|na|do|da|la) stor(?:y|ies)|"
            "(?:insta(?:gram)?|ig)[- ]?stor(?:y|ies)|(?:format|formato) (?:de )?(?:story|stories|historia|reels?)|snapchat|whatsapp status|(?:status|estado)(?: do| de| del)? whats(?:app)?"
        ),
        chars("抖音|快手|视频号|限时动态|ストーリー|リール|ショート動画|ショーツ|ティックトック"),
    ),
    "4:5": compile_(
        words("xiaohongshu|rednote|pinterest|instagram portrait|ig portrait|insta portrait|instagram feed"),
        chars("小红书"),
    ),
    "1:1": compile_(words("instagram post|feed post"), chars("インスタ投稿")),
    "16:9": compile_(
        words("youtube(?! ?shorts?)|tv|television|desktop|presentation|slides?"),
        chars("b站|哔哩哔哩|ユーチューブ"),
    ),
}
INSTAGRAM = compile_(words("instagram|insta|ig"), chars("インスタ"))
HD = compile_(
    words(
        "1080p?|full ?-?hd|fhd|hd|high res(?:olution)?|high quality|"
        "alta (?:definicion|resolucion|calidad)|haute (?:definition|resolution|qualite)|"
        "hohe aufl(?:o|oe)sung|alta resolucao|alta qualidade|hochaufgelost"
    ),
    chars("高清|超清|全高清|蓝光|フルhd|高画質|高解像度"),
)
SD = compile_(
    words("720p?|sd|standard definition|low res(?:olution)?|smaller file"),
    chars("标清|低画质|低画質"),
)

# ---- framing ----------------------------------------------------------------------------------------
FIT = compile_(
    words(
        "(?:sin|no|que no) (?:se )?(?:la |le )?(?:recort|cort)\\w*|(?:sem|nao) (?:a )?cort\\w*|(?:show|keep|see|fit) (?:the )?(?:whole|entire|full|complete) (?:photo|picture|image|pic)|"
        "(?:whole|entire|full) (?:photo|picture|image)|don'?t crop|do not crop|no crop(?:ping)?|"
        "without crop(?:ping)?|uncropped|not cropped|letterbox\\w*|pillarbox\\w*|"
        "fit (?:it|the (?:photo|picture|image))(?: (?:in|inside|into) the frame)?|fit|sin recortar|"
        "no (?:la )?recortes|no (?:la )?cortes|(?:imagen|foto) (?:entera|completa)|"
        "que se vea (?:toda|entera|completa)|sans (?:la )?recadr\\w*|sans (?:la )?coup\\w*|"
        "ne (?:la )?(?:recadre|coupe) pas|(?:image|photo) entiere|toute l'image|"
        "ohne(?:\\s+\\w+){0,3}\\s+zu ?zuschneiden|ohne (?:zu )?zuschneiden|"
        "nicht(?:\\s+\\w+)?\\s+(?:zu)?(?:zu|be|ab)schneiden|nicht croppen|nichts abschneiden|ganze(?:s|n)? (?:bild|foto)|"
        "sem cortar|nao cort\\w*|(?:foto|imagem) inteira|sem recortar"
    ),
    chars(
        "(?:不要|别|不|勿)(?:裁|切|剪)(?:掉|到[^\\s,，、。]{0,3})?|不要裁剪|不裁剪|别裁剪|不要裁切|不裁切|完整显示|完整的照片|完整照片|全部显示|留黑边|不要切|全体を表示|トリミングしない|トリミングなし|切らないで|全体が見え|写真全体"
    ),
)
CROP = compile_(
    words(
        "fill (?:the )?(?:whole |entire |full )?(?:frame|screen)|crop(?: it)?(?: to fill)?|full ?screen|"
        "no (?:black )?(?:bars|borders)|without (?:black )?(?:bars|borders)|llen(?:ar|a) la pantalla|"
        "rellena\\w*|sin (?:bordes|barras)|recorta\\w*|remplir (?:l'ecran|le cadre)|"
        "sans (?:bandes|bordures)|plein ecran|recadre\\w*|bildfullend|"
        "ohne (?:schwarze )?(?:balken|rander)|vollbild|zuschneiden|preencher a tela|"
        "sem (?:barras|bordas)|tela cheia|cortar"
    ),
    chars("铺满|填满|充满画面|不要黑边|全屏|裁剪|裁切|画面いっぱい|黒帯なし|全画面|トリミング"),
)
_BACKDROP = either(
    words("background|backdrop|bars|borders|fondo|fond|hintergrund|balken|rander|fundo|bordas|barras|bandes"),
    chars("背景|底色|边框|黑边|边"),
)
_COLOURS = {
    "black": (words("black|negr[oa]|noire?|schwarz\\w*|pret[oa]"), chars("黑色|黑|黒")),
    "white": (words("white|blanc[oa]|blanche?|wei(?:ß|ss)\\w*|branc[oa]"), chars("白色|白")),
    "grey": (words("gr[ae]y|gris|grau\\w*|cinza"), chars("灰色|灰|グレー")),
    "blue": (words("blue|azul|bleue?|blau\\w*"), chars("蓝色|蓝|青")),
    "red": (words("red|roj[oa]|rouge|rot\\w*|vermelh[oa]"), chars("红色|红|赤")),
    "green": (words("green|verde|verte?|grun\\w*"), chars("绿色|绿|緑")),
    "yellow": (words("yellow|amarill[oa]|jaune|gelb\\w*|amarel[oa]"), chars("黄色|黄")),
    "pink": (words("pink|rosa|rose"), chars("粉色|粉红|ピンク")),
    "purple": (words("purple|morad[oa]|violette?|lila|rox[oa]"), chars("紫色|紫")),
    "blur": (
        words("blur(?:red|ry)?|desenfocad[oa]|borros[oa]|floue?|unscharf\\w*|verschwommen\\w*|desfocad[oa]"),
        chars("模糊|虚化|ぼかし|ぼかした"),
    ),
}
# "black background", "fondo negro", "schwarzer Hintergrund", "黑色背景", "背景は黒", "on a white backdrop".
BACKGROUNDS = {
    name: compile_(
        either(*colour) + r"\s*(?:\S+\s*)?" + _BACKDROP,
        _BACKDROP + r"\s*(?:\S+\s*){0,2}?" + either(*colour),
        _BACKDROP + r"[^,，、。\s]{0,3}?" + either(*colour),
        # "on a white backdrop": the colour words as one group (a bare "blanco" is not a backdrop)
        words("on (?:a |an )?(?:" + colour[0][len("(?<![a-zß0-9])(?:") : -len(")(?![a-zß0-9])")] + ")"),
    )
    for name, colour in _COLOURS.items()
}
