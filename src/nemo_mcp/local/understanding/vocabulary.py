"""What people call the settings of a clip, in en, zh, ja, es, fr, de and pt: formats, sizes, camera
moves and their speed, loops, durations, framing.

Written as people type (accents, traditional characters): `compile_` folds them like the text. Latin
alternatives go through `words` (whole words only), CJK ones through `chars`.
"""

from __future__ import annotations

import re

from nemo_mcp.local.understanding.patterns import chars, compile_, either, units, words
from nemo_mcp.local.understanding.reading import Aspect, Motion

NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
SECONDS = either(
    units("s|secs?|seconds?|segundos?|segs?|secondes?|sekunden?|sek|sec"),
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
        "dure mas|mas tiempo|mas duracion|plus long(?:ue)?|rallonge\\w*|allonge\\w*|prolonge\\w*|"
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
    + words("add|plus|another|extra|anade|agrega|ajoute|fuge|adiciona|acrescenta|mais|mas")
    + r"|\+|加|多加|增加|再加|追加|多)\s*(?:"
    + words("un|une|um|otros|unos|encore|noch")
    + r"\s*)?"
    + _AMOUNT
    + r"|"
    + _AMOUNT
    + r"\s*"
    + either(words("more|extra|mas|de plus|a mais|mehr|dazu|longer"), chars("更长|长"))
)
CUT_TIME = compile_(
    r"(?:"
    + words("cut|trim|remove|take off|minus|quita|recorta|enleve|retire|kurze um|nimm|tira|corta")
    + r"|减|减少|去掉|少|削って|-)\s*"
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
        "duas vezes mais long\\w*"
    ),
    chars("两倍|加倍|2倍の長さ|2倍"),
)
HALF_AS_LONG = compile_(
    words("half as long|half the (?:length|duration)|la mitad|(?:la )?moitie|halb so lang|a metade"),
    chars("一半|半分"),
)

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
        "vertical(?:ly)?|vertikal\\w*|verticale?s?|upright|phone format|for (?:my |the |a )?(?:phone|mobile)|"
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
            "insta(?:gram)? stor(?:y|ies)|snapchat|whatsapp status"
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

# ---- camera moves -----------------------------------------------------------------------------------
LEFT = either(words("left|leftwards?|izquierda|gauche|links|esquerda"), chars("左"))
RIGHT = either(words("right|rightwards?|derecha|droite|rechts|direita"), chars("右"))
UP = either(words("up|upwards?|top|arriba|haut|oben|cima"), chars("上"))
DOWN = either(words("down|downwards?|bottom|abajo|bas|unten|baixo"), chars("下"))
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
# "from left to right": the view travels from the left part of the picture to the right part.
FROM_TO: dict[Motion, re.Pattern[str]] = {
    "pan_right": compile_(_FROM + LEFT + _SIDE + _TO + RIGHT),
    "pan_left": compile_(_FROM + RIGHT + _SIDE + _TO + LEFT),
    "pan_up": compile_(_FROM + DOWN + _SIDE + _TO + UP),
    "pan_down": compile_(_FROM + UP + _SIDE + _TO + DOWN),
}
_PAN = either(
    words(
        "pan(?:s|ning|ned)?|tilt(?:s|ing)?|move|moving|slide|sliding|track|glide|drift|sweep|camera|"
        "paneo|panea\\w*|panoramica|panoramique|panorama|schwenk\\w*|kameraschwenk|kamerafahrt|desliza\\w*|mueve|"
        "move|bouge|glisse|bewege|fahre"
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
PAN_DIRECTION: dict[Motion, re.Pattern[str]] = {
    name: compile_(
        r"(?:向|往|朝)?"
        + direction
        + r"(?:边|方|侧)?\s*(?:へ|に|を)?\s*"
        + either(chars("平移|移动|平摇|横移|摇|パン|チルト|スライド")),
    )
    for name, direction in _DIRECTIONS
}
# Just before a setting: the person does not want it ("not vertical", "don't pan", "不要竖屏").
NEGATED = compile_(
    r"(?:" + words("not|don'?t|do not|never|nicht|kein\\w*|nao|pas|ni") + r"|不要|别|不)\s*"
    r"(?:" + words("a|an|the|in|un|una|le|la|el|en") + r"\s*)?$"
)
# A clause with one of these is about the camera: "top" or "left" in it is where the camera goes.
MOTION_CONTEXT = compile_(
    _PAN, words("from|desde|von|vom|tilt|zoom\\w*|camera|kamera\\w*|camara"), chars("从|由|から|镜头|カメラ")
)
PAN_ONLY = compile_(
    words(
        "pan(?:ning)?|a pan|paneo|panoramica|panoramique|schwenk|kameraschwenk|kamerafahrt|camera move(?:ment)?"
    ),
    chars("平移|移动|横移|运镜|摇镜头|パン|カメラを動か"),
)
ZOOM_OUT = compile_(
    words(
        "zoom arriere|zoom de alejamiento|zoom de afastamento|zoom(?:ing)?[- ]?out|"
        "pull(?:ing)?[- ]?(?:back|out)|dolly[- ]?out|move (?:back|away)|back away|widen|zoom away|"
        "reveal|alej\\w*|zoom hacia afuera|zoom arriere|dezoom\\w*|recul\\w*|eloigne\\w*|herauszoom\\w*|"
        "rauszoom\\w*|auszoom\\w*|wegzoom\\w*|zoom raus|zoom heraus|afast\\w*|zoom para fora"
    ),
    words("hacia afuera|para fora|nach au(?:ß|ss)en|vers l'exterieur"),
    chars("拉远|缩小|拉出|后拉|推远|远离|ズームアウト|引いて|引き|遠ざか|縮小"),
)
ZOOM_IN = compile_(
    words(
        "zoom avant|zoom de acercamiento|zoom de aproximacao|zoom hacia adentro|zoom para dentro|"
        "zoom rein|zoom hinein|zoom(?:ing)?[- ]?inn?(?:to|wards)?|push(?:ing)?[- ]?in|"
        "dolly(?:[- ]?in)?|move (?:in|closer)|get closer|close[- ]?up|zoom (?:on|towards)|"
        "punch[- ]?in|zoom(?:s|ed|ing)?|acerca\\w*|zoom hacia adentro|zoom avant|zoome\\w*|"
        "rapproche\\w*|travelling avant|reinzoom\\w*|hineinzoom\\w*|heranzoom\\w*|ranzoom\\w*|einzoom\\w*|"
        "zoom rein|zoom hinein|zoomen|aproxima\\w*|zoom para dentro"
    ),
    words("hacia (?:a)?dentro|para dentro|nach innen|vers l'interieur"),
    chars("推近|推进|拉近|放大|推镜头|镜头推|推镜|缩放|ズームイン|ズーム|寄って|寄り|寄る|近づ|拡大"),
)
KEN_BURNS = compile_(words("ken ?-?burns?|kenburns"), chars("肯伯恩斯|肯·伯恩斯|ケンバーンズ|ケン・バーンズ"))
STATIC = compile_(
    words(
        "no (?:camera )?(?:motion|movement|animation)|without (?:any )?(?:motion|movement)|static|"
        "still image|keep it still|don'?t move|stationary|sin movimiento|estatic[oa]|fij[oa]|"
        "sans mouvement|statique|fixe|ohne bewegung|keine bewegung|statisch|sem movimento|parad[oa]|"
        "fixo"
    ),
    chars("不要动|静止|不动|固定镜头|不要运镜|别动|无运镜|動きなし|動かさない|固定"),
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
        "don'?t zoom|do not zoom|no zoom(?:ing)?|without zoom(?:ing)?|sin zoom|sans zoom|ohne zoom|sem zoom"
    ),
    chars("不要缩放|不要推拉|ズームなし"),
)

# ---- speed and loop ---------------------------------------------------------------------------------
FASTER = compile_(
    words(
        "too slow|demasiado lent[oa]|trop lente?|zu langsam|muito lent[oa]|(?:increase|raise) (?:the )?speed|aumenta\\w* (?:la |a )?velocidad\\w*|sube la velocidad|augmente\\w* la vitesse|erhoh\\w* (?:die )?geschwindigkeit|faster|quicker|speed (?:it )?up|more quickly|more speed|less slow|twice as fast|"
        "2x (?:faster|speed)|mas rapid[oa]|mas deprisa|acelera\\w*|plus vite|plus rapide\\w*|"
        "accelere\\w*|schneller(?!\\s+(?:zoom|schwenk\\w*|bewegung|kamera\\w*|fahrt|rein\\w*|raus\\w*|pan\\w*))|beschleunig\\w*|mais rapid[oa]|mais depressa"
    ),
    chars(
        "太慢|遅すぎ|提高速度|速度快|快一点|快一些|快点|更快|加快|加速|快些|速く|速め|もっと速|スピードアップ|早く|早め"
    ),
)
SLOWER = compile_(
    words(
        "(?:reduce|lower|decrease) (?:the )?speed|diminui\\w* (?:a )?velocidade|reduz\\w* (?:a )?velocidade|reduce (?:la )?velocidad|baja (?:la )?velocidad|reduis (?:la )?vitesse|baisse (?:la )?vitesse|verringer\\w* (?:die )?geschwindigkeit|mas suave|mais suave|plus doux|plus douce|sanfter(?!\\s+(?:zoom|schwenk|bewegung|kamera))|smoother|slower|slow (?:it )?down|less fast|more slowly|not so fast|too fast|mas lent[oa]|"
        "mas despacio|ralentiza\\w*|plus lent\\w*|ralenti\\w*|moins vite|moins rapide|langsamer(?!\\s+(?:zoom|schwenk\\w*|bewegung|kamera\\w*|fahrt|rein\\w*|raus\\w*|heran\\w*|pan\\w*))|"
        "verlangsam\\w*|mais devagar|mais lent[oa]|desacelera\\w*"
    ),
    chars(
        "降低速度|减慢|速度慢|慢一点|慢一些|慢点|更慢|放慢|减速|慢些|太快|遅く|遅め|もっとゆっくり|ゆっくりに|スローダウン"
    ),
)
SLOW = compile_(
    words(
        "poco a poco|pouco a pouco|peu a peu|nach und nach|bit by bit|little by little|legere?(?:ment)?|ligero|ligera|ligeramente|leve|levemente|leicht\\w*|doux|douce|tout doux|tout doucement|sanft\\w*|langsam\\w*|lent[oa]s|slow(?:ly)?|gentle|gently|subtle|subtly|slight(?:ly)?|soft(?:ly)?|slow[- ]motion|lent[oa]|"
        "lentamente|despacio|suave(?:mente)?|lent|lente|lentement|doucement|langsam|sanft|behutsam|"
        "gemachlich|devagar(?:inho)?|bem devagar|suavemente"
    ),
    chars("徐々に|一点一点|慢慢地|慢慢|缓慢|缓缓|慢速|轻微|轻轻|徐徐|ゆっくり|スロー|ゆったり"),
)
FAST = compile_(
    words(
        "fast|quick(?:ly)?(?! (?:clip|video|one|question))|rapid(?:ly)?|speedy|snappy|swift(?:ly)?|"
        "rapid[oa]|rapidamente|deprisa|veloz|rapide(?:ment)?|vite|schnell\\w*|zugig|flott|rasch|depressa"
    ),
    chars("快速|迅速|急速|速い|速め|素早く|高速|スピーディ"),
)
NORMAL_SPEED = compile_(
    words(
        "normal speed|medium speed|regular speed|velocidad normal|vitesse normale|"
        "normale geschwindigkeit|velocidade normal"
    ),
    chars("正常速度|中速|普通の速さ|普通のスピード|普通速度"),
)
NO_LOOP = compile_(
    words(
        "no loop(?:ing)?|don'?t loop|without loop(?:ing)?|stop looping|not loop(?:ing)?|sin bucle|"
        "sans boucle|ohne schleife|keine schleife|sem loop"
    ),
    chars("不要循环|不循环|取消循环|ループなし|ループしない|ループをやめ"),
)
LOOP = compile_(
    words(
        "loop(?:ing|ed|able|s)?|seamless(?:ly)?|boomerang|bucle|en bucle|boucle|en boucle|schleife|"
        "endlos\\w*|em loop"
    ),
    chars("循环|来回|往返|无缝|ループ|繰り返|往復"),
)

# ---- framing ----------------------------------------------------------------------------------------
FIT = compile_(
    words(
        "(?:sin|no|que no) (?:se )?(?:la )?recort\\w*|(?:sin|no|que no) (?:la )?cort\\w*|(?:sem|nao) (?:a )?cort\\w*|(?:show|keep|see|fit) (?:the )?(?:whole|entire|full|complete) (?:photo|picture|image|pic)|"
        "(?:whole|entire|full) (?:photo|picture|image)|don'?t crop|do not crop|no crop(?:ping)?|"
        "without crop(?:ping)?|uncropped|not cropped|letterbox\\w*|pillarbox\\w*|"
        "fit (?:it|the (?:photo|picture|image))(?: (?:in|inside|into) the frame)?|fit|sin recortar|"
        "no (?:la )?recortes|no (?:la )?cortes|(?:imagen|foto) (?:entera|completa)|"
        "que se vea (?:toda|entera|completa)|sans (?:la )?recadr\\w*|sans (?:la )?coup\\w*|"
        "ne (?:la )?(?:recadre|coupe) pas|(?:image|photo) entiere|toute l'image|"
        "ohne(?:\\s+\\w+){0,3}\\s+zu ?zuschneiden|ohne (?:zu )?zuschneiden|"
        "nicht(?:\\s+\\w+)?\\s+(?:zu)?zuschneiden|nichts abschneiden|ganze(?:s|n)? (?:bild|foto)|"
        "sem cortar|nao cort\\w*|(?:foto|imagem) inteira|sem recortar"
    ),
    chars(
        "不要裁剪|不裁剪|别裁剪|不要裁切|不裁切|完整显示|完整的照片|完整照片|全部显示|留黑边|不要切|全体を表示|トリミングしない|トリミングなし|切らないで|全体が見え|写真全体"
    ),
)
CROP = compile_(
    words(
        "fill (?:the )?(?:frame|screen)|crop(?: it)?(?: to fill)?|full ?screen|"
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
        words("on (?:a |an )?" + colour[0][len("(?<![a-zß0-9])(?:") : -len(")(?![a-zß0-9])")]),
    )
    for name, colour in _COLOURS.items()
}

__all__ = [
    "ADD_TIME",
    "AMOUNT",
    "BACKGROUNDS",
    "CROP",
    "CUT_TIME",
    "DURATION",
    "DURATION_WORD",
    "FAST",
    "FASTER",
    "FIT",
    "FOUR_FIVE",
    "FROM_TO",
    "HALF_AS_LONG",
    "HD",
    "INSTAGRAM",
    "KEN_BURNS",
    "LANDSCAPE",
    "LONGER",
    "LOOP",
    "NORMAL_SPEED",
    "NO_LOOP",
    "NO_ZOOM",
    "PAN_DIRECTION",
    "PAN_ONLY",
    "RATIO",
    "SD",
    "SHORTER",
    "SIZE",
    "SLOW",
    "SLOWER",
    "SQUARE",
    "STATIC",
    "TO_BEFORE",
    "TWICE",
    "VERTICAL",
    "ZOOM_IN",
    "ZOOM_OUT",
]
