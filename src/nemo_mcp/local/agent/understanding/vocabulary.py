"""What people call the camera moves of a clip and its duration, in en, zh, ja, es, fr, de and pt (speed
and loops are in speed.py, formats and framing in formats.py).

Written as people type (accents, traditional characters): `compile_` folds them like the text. Latin
alternatives go through `words` (whole words only), CJK ones through `chars`.
"""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, either, units, words
from nemo_mcp.local.agent.understanding.reading import Motion

NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
SECONDS = either(
    units("s|secs?|seconds?|segundos?|segundit[oa]s|segs?|secondes?|sekunden?|sek|sec"),
    chars("秒钟|秒間|秒|びょう"),
)
MINUTES = either(units("mins?|minutes?|minutos?|minuten?"), chars("分钟|分間|分"))
# A number and its unit: "8 seconds", "8s", "8-second", "8 segundos", "8秒", "2 minutes", "2分钟".
AMOUNT = r"(?<![\d.])" + NUMBER + r"\s*-?\s*(?:(?P<sec>" + SECONDS + r")|(?P<min>" + MINUTES + r"))"
# "8 seconds long", "8 Sekunden lang", "de 8 secondes de long": the length word belongs to the amount.
DURATION = compile_(
    AMOUNT + r"(?:\s*" + words("long|lang|in length|de long|de duracion|de duree|de duracao") + r")?"
)
# The same without groups, for patterns that hold an amount somewhere (read it again with DURATION).
_AMOUNT = r"(?<![\d.])\d+(?:\.\d+)?\s*-?\s*(?:" + SECONDS + "|" + MINUTES + ")"
DURATION_WORD = compile_(
    either(
        words("duration|length|duracion|duree|dauer|lange|duracao|runtime"),
        chars("时长|长度|時間の長さ|長さ|尺"),
    )
    + r"\s*(?:of|is|to|at|:|=|de|a|auf|von|sera|be|为|是|改成|改为|设为|设成|调成|调到|は|を)?\s*"
    + r"(?<![\d.])"
    + NUMBER
    + r"\s*-?\s*(?:(?P<sec>"
    + SECONDS
    + r")|(?P<min>"
    + MINUTES
    + r"))?"
    + r"(?!\s*(?:%|x|p|\d))"
)
# Before a number: it is where the duration goes, not how much it changes ("extend it to 10 s").
TO_BEFORE = compile_(r"(?:" + words("to|a|auf|para|pra|ate|zu|en|sur|on") + r"|到|成|为|に|至)\s*$")
# After an amount: it is where the duration goes ("6秒に短くして", "6秒まで").
TO_AFTER = compile_(r"\s*(?:に|まで|へ)")
LONGER = compile_(
    words(
        "too short|demasiado cort[oa]|trop court(?:e)?|zu kurz|muito curt[oa]|longer|lengthen|extend(?:ed)?|last longer|more time|mas larg[oa]|alarga\\w*|prolonga\\w*|"
        "dure (?:un poco |algo )?mas|dura (?:un poco )?mas|dure un peu plus|dure um pouco mais|mas tiempo|mas duracion|plus long(?:ue)?|rallonge\\w*|allonge\\w*|prolonge\\w*|"
        "dure plus|plus de temps|langer|verlanger\\w*|langer machen|mais long[oa]|mais comprid[oa]|"
        "alonga\\w*|aumenta a duracao|mais tempo|dure mais"
    ),
    chars(
        "太短|短すぎ|长一点|长一些|长些|更长|加长|延长|拉长|长点|久一点|时间长|長く|長め|延ばし|伸ばし|延長"
    ),
)
SHORTER = compile_(
    words(
        "too long|demasiado larg[oa]|trop long(?:ue)?|zu lang|muito long[oa]|shorter|shorten|trim(?: it)?(?: down)?|cut (?:it )?down|less time|mas cort[oa]|acorta\\w*|"
        "menos tiempo|menos duracion|plus court(?:e)?|raccourci\\w*|moins long(?:ue)?|moins de temps|"
        "kurzer|verkurz\\w*|kurzen|mais curt[oa]|encurta\\w*|menos tempo|diminui a duracao"
    ),
    chars("太长|長すぎ|短一点|短一些|短些|更短|缩短|短点|剪短|时间短|短く|短め|縮め"),
)
ADD_TIME = compile_(
    r"(?:"
    + words(
        "add|plus|another|extra|anade\\w*|agrega\\w*|r?ajoute\\w*|fuge|adiciona|acrescenta|mais|mas|aumenta\\w*|suma|sumale|rallonge\\w*(?: de)?|verlanger\\w*(?: um)?|extend(?: it)? by"
    )
    + r"|\+|加|多加|增加|再加|追加|多|再长|延长|加长|拉长)\s*(?:"
    + words("un|une|um|otros|unos|encore|noch")
    + r"\s*)?"
    + _AMOUNT
    + r"|"
    + _AMOUNT
    + r"\s*"
    + either(
        words(
            "mas larg[oa]s?|mais long[oa]s?|mais comprid[oa]s?|plus longue?s?|langer|longer|more|extra|mas|de plus|a mais|mehr|dazu"
        ),
        chars("更长|长"),
    )
)
CUT_TIME = compile_(
    r"(?:"
    + words("cut|trim|remove|take off|minus|quita|recorta|enleve|retire|kurze um|nimm|tira|corta")
    + r"|减|减少|去掉|少|再短|缩短|剪掉|削って|-)\s*"
    + _AMOUNT
    + r"|"
    + _AMOUNT
    + r"\s*"
    + either(words("less|fewer|de moins|menos|a menos|weniger|shorter"), chars("更短|短"))
)
TWICE = compile_(
    words(
        "twice as long|double (?:the )?(?:length|duration|it)|2x (?:longer|as long)|el doble|"
        "deux fois plus long\\w*|le double|doppelt so lang|(?:die )?doppelte (?:lange|dauer)|o dobro|"
        "duas vezes mais long\\w*",
        # "deux fois", "two times", "zwei Mal" are digits by now: "2 fois plus longue", "2 veces más largo"
        "2 ?(?:x|times|fois|veces|vezes|mal) (?:as |so |plus |mas |mais )?(?:long\\w*|lang\\w*|larg[oa]s?|comprid[oa]s?)",
    ),
    chars("两倍|加倍|2倍の長さ|2倍"),
)
HALF_AS_LONG = compile_(
    words("half as long|half the (?:length|duration)|la mitad|(?:la )?moitie|halb so lang|a metade"),
    chars("一半|半分"),
)

# ---- camera moves -----------------------------------------------------------------------------------
LEFT = either(words("left|leftwards?|izquierda|gauche|links|esquerda"), chars("左"))
RIGHT = either(words("right|rightwards?|derecha|droite|rechts|direita"), chars("右"))
UP = either(words("up|upwards?|top|arriba|haut|oben|cima|hoch|rauf|herauf|hinauf"), chars("上"))
DOWN = either(words("down|downwards?|bottom|abajo|bas|unten|baixo|runter|herunter|hinunter"), chars("下"))
_FROM = (
    r"(?:" + words("from|de|desde|da|do|von|vom") + r"|从|由)?\s*(?:" + words("the|la|le|el|a|o") + r"\s*)?"
)
# "from the top (side) (down) to the bottom"
_SIDE = (
    r"(?:\s*" + words("side|edge|lado|cote|seite") + r")?(?:边|侧|面|方)?"
    r"(?:\s*" + words("down|up|across|over|all the way") + r")?"
)
_TO = (
    r"\s*(?:"
    + words("to|towards?|into|a|hacia|vers|en|nach|zu|para|pra|ate")
    + r"|到|往|向|至|から)\s*(?:"
    + words("the|la|le|el|a|o")
    + r"\s*)?"
)
# A CJK verb right after the directions belongs to them: "从右往左平移", "左から右へパン".
_THEN_PAN = r"(?:\s*(?:へ|に)?\s*(?:平移|移动|平摇|横移|滑动|摇|移|パン|チルト|スライド))?"
# "from left to right": the view travels from the left part of the picture to the right part.
FROM_TO: dict[Motion, re.Pattern[str]] = {
    "pan_right": compile_(_FROM + LEFT + _SIDE + _TO + RIGHT + _THEN_PAN),
    "pan_left": compile_(_FROM + RIGHT + _SIDE + _TO + LEFT + _THEN_PAN),
    "pan_up": compile_(_FROM + DOWN + _SIDE + _TO + UP + _THEN_PAN),
    "pan_down": compile_(_FROM + UP + _SIDE + _TO + DOWN + _THEN_PAN),
}
_PAN = either(
    words(
        "pan(?:s|ning|ned)?|tilt(?:s|ing)?|move|moving|slide|sliding|track|glide|drift|sweep|camera|"
        "paneo|panea\\w*|panoramica|panoramique|panorama|schwenk\\w*|kameraschwenk|kamerafahrt|desliza\\w*|mueve|"
        "move|bouge|glisse|beweg(?:e|en|t)|fahr(?:e|en|t)|gleite\\w*|gleiten"
    ),
    chars("平移|移动|平摇|横移|摇|移|パン|チルト|動かし|スライド"),
)
_TOWARDS = (
    r"\s*(?:"
    + words("to|towards?|to the|towards the|hacia|hacia la|a la|vers|vers la|a|nach|para|para a|pra")
    + r"\s*)?"
)
_DIRECTIONS: tuple[tuple[Motion, str], ...] = (
    ("pan_left", LEFT),
    ("pan_right", RIGHT),
    ("pan_up", UP),
    ("pan_down", DOWN),
)
# "pan (slowly) (to the) left": the words between the verb and the direction are left for other rules.
PAN_TO: dict[Motion, re.Pattern[str]] = {
    name: compile_(r"(?P<verb>" + _PAN + r")(?P<gap>(?:\s+[^\s\0]+){0,2}?)" + _TOWARDS + direction)
    for name, direction in _DIRECTIONS
}
_CAMERA = either(words("camera|camara|kamera"), chars("镜头|カメラ"))
_GAP = r"(?:(?:\s+[^\s\0]+){0,2}?\s*|[^\s\0、。,]{0,4}?)"
# The camera rising or sinking, with no direction word: "a câmera subindo", "la cámara baja", "镜头上升".
_RISE_SINK: dict[Motion, str] = {
    "pan_up": either(
        words(
            "rises?|rising|climbs?|climbing|ascends?|ascending|cranes? up|sube|subiendo|asciende|"
            "monte|montant|s'eleve|steigt|sobe|subindo|suba"
        ),
        chars("上升|升起|上昇|上がって|上がる"),
    ),
    "pan_down": either(
        words(
            "sinks?|sinking|descends?|descending|lowers?|lowering|baja|bajando|desciende|descend|"
            "descendant|sinkt|senkt sich|desce|descendo|desca"
        ),
        chars("下降|下沉|下がって|下がる"),
    ),
}
PAN_DIRECTION: dict[Motion, re.Pattern[str]] = {
    name: compile_(
        *(
            [_CAMERA + _GAP + _RISE_SINK[name], _RISE_SINK[name] + _GAP + _CAMERA]
            if name in _RISE_SINK
            else []
        ),
        r"(?:向|往|朝)" + direction + r"(?:边|方|侧)?(?:移|走|拉|滑)",
        r"(?:向|往|朝)?"
        + direction
        + r"(?:边|方|侧)?\s*(?:へ|に|を)?\s*"
        + either(chars("平移|移动|平摇|横移|摇|パン|チルト|スライド")),
        # German puts the verb last: "(langsam) nach rechts schwenken".
        words("nach|zur|zum") + r"\s*" + direction + r"\s*" + _PAN,
    )
    for name, direction in _DIRECTIONS
}
# "(rather) to the right", "mejor a la derecha", "doch lieber nach rechts", "往右": a side alone is where
# the camera goes (a title is placed only at the top, centre or bottom).
_SIDES: tuple[tuple[Motion, str, str, str], ...] = (
    ("pan_left", LEFT, "left", "左"),
    ("pan_right", RIGHT, "right", "右"),
)
PAN_SIDEWAYS: dict[Motion, re.Pattern[str]] = {
    name: compile_(
        words("to the|towards the|more to the|a la|hacia la|vers la|a|nach|para a|para|pra|pra a|ao")
        + r"\s*"
        + side,
        words(latin + "wards?"),
        r"(?:向|往|朝)" + cjk + r"(?:边|方|侧)?",
        cjk + r"(?:へ|方向)",
    )
    for name, side, latin, cjk in _SIDES
}
_DET = (
    r"(?:"
    + words("the|la|le|el|les|l'|der|die|das|dem|den|o|a|os|as|my|mi|ma|mon|meinem|minha|meu")
    + r"\s*)?"
)
# What a camera move travels between, named by what is there: "tilt down from the sky to the beach",
# "del cielo a la playa", "vom Himmel zum Strand", "从天空到沙滩", "空から海へ" (read only next to a move).
PAN_SPAN = compile_(
    words("from|desde|del|de|du|des|von|vom|do|da")
    + r"\s*"
    + _DET
    + r"[a-zß']+(?:\s+[a-zß']+)?\s+"
    + words(
        "to|down to|up to|over to|until|towards|a|al|hasta|hacia|jusqu'?a|vers|zum|zur|bis zum|bis zur|ate|para|pro|pra|ao"
    )
    + r"\s*"
    + _DET
    + r"[a-zß']+",
    r"从[^\s\0,，、。]{1,6}?(?:到|往|向)[^\s\0,，、。]{1,6}?(?=$|\s|\0|[,，、。])",
    r"[^\s\0,，、。]{1,6}?から[^\s\0,，、。]{1,6}?(?:へ|まで)",
)
# Just before a setting: the person does not want it ("not vertical", "don't pan", "不要竖屏").
NEGATED = compile_(
    r"(?:"
    + words(
        "not|don'?t|do not|never|nicht|kein\\w*|nao|pas|ni|instead of|rather than|en vez de|en lugar de|"
        "au lieu d[eu]?|au lieu d'|plutot que|(?:an)?statt|em vez de|em lugar de|ao inves de"
    )
    + r"|不要|别|不是|不)\s*"
    r"(?:" + words("a|an|the|in|un|una|le|la|el|en|du|des|o|um|uma|dem|den|der|einem|einen") + r"\s*)?$"
)
# Before a camera move only, Spanish "no" says no too ("hacia dentro, no hacia fuera"); before a format it
# is too often Portuguese "in the" ("no formato vertical").
NO_BEFORE_MOVE = compile_(words("no") + r"\s*$")
# Just after a setting, in Japanese: "ズームインじゃなくて" (not a zoom in).
NEGATED_AFTER = compile_(r"\s*(?:じゃなくて|じゃなく|ではなくて|ではなく|でなく)")
# A clause with one of these is about the camera: "top" or "left" in it is where the camera goes.
MOTION_CONTEXT = compile_(
    _PAN,
    words("from|desde|von|vom|tilt|zoom\\w*|camera|kamera\\w*|camara|push\\w*|pull\\w*|dolly|travelling"),
    chars("从|由|から|镜头|カメラ|ズーム|推|拉"),
)
PAN_ONLY = compile_(
    words(
        "pan(?:ning)?|a pan|paneo|panoramica|panoramique|schwenk|kameraschwenk|kamerafahrt|camera move(?:ment)?"
    ),
    chars("平移|移动|横移|运镜|摇镜头|パン|カメラを動か"),
)
ZOOM_OUT = compile_(
    # "make the zoom go out", "que el zoom sea hacia fuera"
    r"(?<![a-z])zoom\w*(?:\s+[^\s\0]+){0,4}?\s+"
    + words("out|hacia (?:a)?fuera|para fora|arriere|raus|heraus|nach au(?:ß|ss)en"),
    words(
        "zoom arriere|zoom de alejamiento|zoom de afastamento|zoom(?:ing)?[- ]?out|"
        "pull(?:ing)?[- ]?(?:back|out)|dolly[- ]?out|move (?:back|away)|back away|widen|zoom away|"
        "reveal|alej\\w*|zoom hacia afuera|travelling (?:hacia |para )?a?tras|travelling arriere|elargi\\w*|zoom arriere|dezoom\\w*|recul\\w*|eloigne\\w*|herauszoom\\w*|"
        "rauszoom\\w*|auszoom\\w*|wegzoom\\w*|zoom raus|zoom heraus|afast\\w*|zoom para fora"
    ),
    words("hacia (?:a)?fuera|para fora|nach au(?:ß|ss)en|vers l'exterieur"),
    chars("拉远|缩小|拉出|后拉|推远|远离|ズームアウト|引いて|引き|遠ざか|縮小"),
)
ZOOM_IN = compile_(
    words(
        "zoom avant|zoom de acercamiento|zoom de aproximacao|zoom hacia adentro|zoom para dentro|"
        "zoom rein|zoom hinein|zoom(?:ing)?[- ]?inn?(?:to|wards)?|push(?:ing)?[- ]?in|"
        "dolly(?:[- ]?in)?|move (?:in|closer)|get closer|close[- ]?up|zoom (?:on|towards)|"
        "punch[- ]?in|zoom(?:s|ed|ing)?|acerca\\w*|zoom hacia adentro|zoom avant|zoome\\w*|"
        "rapproche\\w*|travelling avant|travelling (?:hacia |para )?(?:adelante|frente)|resserr\\w*|reinzoom\\w*|hineinzoom\\w*|heranzoom\\w*|ranzoom\\w*|einzoom\\w*|"
        "zoom rein|zoom hinein|zoomen|aproxima\\w*|zoom para dentro"
    ),
    words("hacia (?:a)?dentro|para dentro|nach innen|vers l'interieur"),
    chars(
        "推进去|推过去|推近|推进|拉近|放大|推镜头|镜头推(?:进去|过去|进|近)?|推镜|缩放|ズームイン|ズーム|寄って|寄り|寄る|近づ|拡大"
    ),
)
KEN_BURNS = compile_(words("ken ?-?burns?|kenburns"), chars("肯伯恩斯|肯·伯恩斯|ケンバーンズ|ケン・バーンズ"))
STATIC = compile_(
    words(
        "no (?:camera )?(?:motion|movements?|moves?|animation)|without (?:any )?(?:camera )?(?:motion|movement)|static|"
        "(?:keine\\w*|ohne) (?:kamera)?(?:bewegung|fahrt|schwenk)\\w*|kamera (?:bleibt )?(?:still|fest|ruhig)|"
        "(?:sich )?nicht (?:bewegen|bewegt)|bewegt sich nicht|(?:que )?no se mueva|ne bouge pas|sans bouger|"
        "nao se mex\\w*|sem mexer|"
        "(?:sin|sem|sans) (?:movimiento|movimento|mouvement) de (?:camara|camera)|"
        "still image|keep it still|don'?t move|stationary|sin movimiento|estatic[oa]|fij[oa]|"
        "quiet[oa]|immobile|sans mouvement|statique|fixe|ohne bewegung|keine bewegung|statisch|sem movimento|parad[oa]|"
        "fixo"
    ),
    chars("動かないで|動かさないで|不要动|静止|不动|固定镜头|不要运镜|别动|无运镜|動きなし|動かさない|固定"),
)
# Right after a zoom: where to ("on the face", "sur le visage"): the renderer zooms on the centre only.
ZOOM_TARGET = compile_(
    r"\s*" + words("on|onto|into|towards?|at|sur|vers|en|hacia|auf|no|na|em") + r"\s+"
    r"(?:"
    + words("the|her|his|their|my|a|le|la|les|l'|el|los|las|das|die|den|dem|o|a|os|as|su|sa|son")
    + r"\s*)?"
    r"(?P<what>[a-zß']+)"
)
CENTRE = compile_(words("cent(?:er|re)|middle|centro|milieu|mitte|meio|zentrum"))
NO_ZOOM = compile_(
    words(
        "don'?t zoom|do not zoom|no (?:more )?zoom(?:ing)?|without zoom(?:ing)?|sin zoom|sans zoom|ohne zoom|sem zoom|"
        "(?:remove|take out|get rid of|drop|lose|turn off) (?:the )?zoom|(?:quita\\w*|elimina\\w*) el zoom|"
        "(?:enleve\\w*|supprime\\w*|retire\\w*) (?:le )?zoom|plus de zoom|kein\\w* zoom(?: mehr)?|zoom (?:weg|entfernen)|"
        "(?:tira\\w*|remove\\w*|retira\\w*) o zoom|nada de zoom"
    ),
    chars("不要缩放|不要推拉|去掉缩放|不要放大|ズームなし|ズームはいらない|ズームをやめ"),
)
