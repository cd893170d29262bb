"""What people call the title and the music, and how they ask to change them, in every language read
(the volume is in volume.py)."""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, either, units, word_set, words
from nemo_mcp.local.agent.understanding.reading import Position
from nemo_mcp.local.agent.understanding.volume import VOLUME_NOUN

# ---- title ------------------------------------------------------------------------------------------
_TITLE_NOUN = either(
    words(
        "title[sd]?|titled|entitled|caption(?:ed)?|headline|heading|text|label(?:led)?|words|font|"
        "letters|titulo|titulad[oa]|texto|rotulo|letrero|letras|titre|intitulee?|texte|legende|titel|"
        "uberschrift|betitelt|aufschrift|schriftzug|beschriftung|schrift|legenda|intitulad[oa]"
    ),
    chars(
        "标题|题目|文字|文案|字幕|配文|标语|字体|字号|大字|タイトル|見出し|テキスト|テロップ|キャプション|文字"
    ),
)
# Words that make a clause about the title (where "bigger" or "at the top" then points).
TITLE_CONTEXT = compile_(_TITLE_NOUN, chars("字"))
_ARTICLE = r"(?:" + words("the|la|le|el|o|a|die|den|das|my|mi|ma|mon|meine|minha") + r"\s*)?"
_ALSO = r"(?:\s*" + words("too|also|as well|tambien|aussi|auch|tambem") + r")?"
# A clause that is only "the title" / "the music": it takes the action of the clause before
# ("remove the music and the title").
BARE_TITLE = compile_(r"^\s*" + _ARTICLE + _TITLE_NOUN + _ALSO + r"\s*$")
# Verbs that put text on a clip: a quote after one is the title ("add 'Happy birthday'").
TITLE_VERB = compile_(
    words(
        "add|put|write|show|display|place|overlay|with|agrega|anade|pon|ponle|escribe|con|ajoute|mets|ecris|avec|fug\\w*|"
        "schreib\\w*|mit|adiciona|coloca|escreve|com|bota"
    ),
    chars("加|写|放|配|入れて|書いて|つけて|表示"),
)
# Markers a title follows; their own words end where the title starts.
TITLE_MARKER = compile_(
    words(
        "(?:with |and )?(?:the |a |an )?(?:title|caption|headline|heading|text|label)(?: text)?(?: of| that says| saying| reading)?|"
        "titled|entitled|that says|which says|saying|reading|called|named|write|writing|escribe|escribir|ecris|ecrire|schreib\\w*|escreve|escrever|"
        "(?:con )?(?:el |un )?(?:titulo|texto|rotulo|letrero)(?: que (?:diga|dice|ponga|pone))?|"
        "titulad[oa]|que (?:diga|ponga)|llamad[oa]|"
        "(?:avec )?(?:le |un )?(?:titre|texte|legende)(?: qui dit)?|intitulee?|qui dit|avec ecrit|"
        "appelee?|nommee?|"
        "(?:mit )?(?:dem |einem |der )?(?:titel|text|aufschrift|uberschrift|schriftzug|beschriftung)|"
        "betitelt|namens|genannt|(?:com )?(?:o |um |a )?(?:titulo|texto|legenda)(?: que diga)?|"
        "intitulad[oa]|chamad[oa]|escrito"
    ),
    chars("标题|题目|文字|文案|字幕|配文|标语|写上|写着|タイトル|見出し|テキスト|テロップ|キャプション"),
)
# Between the marker and the title: "title: X", "title to X", "标题为X", "タイトルは X".
TITLE_LEAD = compile_(
    r"\s*(?:"
    + words(
        "it|this|that|to|as|is|be|should be|will be|of|=|sea|como|a|en|est|sera|soit|comme|zu|auf|ist|"
        "soll (?:sein|lauten)|lautet|wie|para|seja|e"
    )
    + r"|[:=\-]|为|是|叫|改成|改为|换成|写|用|就叫|は|を)?\s*[:=]?\s*"
)
# After an unquoted title: politeness and particles that are not part of it.
TITLE_TAIL = compile_(
    r"(?:\s+(?:please|pls|plz|thanks|por favor|porfa|s'il (?:te|vous) plait|svp|stp|bitte|danke|obrigad[oa]|gracias|merci))+\s*$",
    r"(?:吧|啊|哦|呢|了|嘛|呀|的视频|的影片|でお願いします|でお願い|にしてください|にして|にする|でください|で|に|と|ね|よ)+\s*$",
)
# Words that alone are not a title: "the title font", "the title please".
NOT_A_TITLE = word_set(
    "font size text title letters color colour position style caption words it this that please pls again too also now "
    "instead bit little more less a an the of to in on at for fuente tamano letra texto titulo police taille texte titre "
    "please pls bitte etwas bisschen un peu plus moins poco mas menos mais pouco mehr weniger svp stp porfa por favor "
    "so muy very tres muito sehr white black red blue green yellow pink gold golden blanco negro rojo azul blanc noir "
    "rouge bleu weiss schwarz rot blau branco preto vermelho azul "
    "schrift grosse text titel fonte tamanho letra"
)
# Words an unquoted title never starts with: "the text appear(s) ...", "the title bigger".
TITLE_NOT_START = compile_(
    words(
        "appears?|shows?|stays?|be|is|are|was|should|will|would|can|could|go|goes|needs?|has|have|looks?|moves?|comes?|"
        "fades?|disappears?|only|for|from|with|bigger|smaller|larger|more|less|size|font|color|colour|position"
    )
)
# Words an unquoted CJK title never starts with when nothing ("：", "为", "は") leads it: "标题字太小了",
# "标题删了", "标题再大一点", "标题放上面".
TITLE_NOT_START_CJK = compile_(
    chars(
        "字|太|再|放|移|挪|改大|改小|大一|小一|大点|小点|删|去掉|不要|要|位置|颜色|也|居中|在|到|往|换个|换一|消|もっと|少し|ちょっと"
    )
)
# How long the title shows: "for the first 3 seconds", "标题显示3秒".
TITLE_DURATION = compile_(
    either(
        words("for|during|only for|just for|only during|durante|pendant|fur|por|por apenas|nur"),
        chars("显示|出现|只显示|前|最初の"),
    )
    + r"\s*(?:"
    + words("the|los|las|les|die|den|os|as|first|primeros|primeras|premieres|ersten|primeiros|primeiras")
    + r"\s*)*"
    + r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?:(?P<sec>"
    + units("s|secs?|seconds?|segundos?|secondes?|sekunden?")
    + r"|秒)|(?P<min>"
    + units("mins?|minutes?|minutos?|minuten?")
    + r"))"
)
TITLE_SIDE: dict[Position, re.Pattern[str]] = {
    "top": compile_(
        words(
            "(?:at |on |to |in )?(?:the )?top|upper|up top|header|arriba|parte (?:de )?arriba|"
            "parte superior|superior|en haut|haut|oben|nach oben|obere\\w*|(?:la )?em cima|no topo|topo|"
            "parte de cima"
        ),
        chars("顶部|上方|上面|上边|顶端|最上|上部|上に|上へ|一番上|上側"),
    ),
    "center": compile_(
        words(
            "cent(?:er|re)(?:ed|d)?|middle|centr\\w*|medio|au milieu|milieu|mitte|mittig|zentriert|"
            "zentrum|meio"
        ),
        chars("居中|中间|中央|正中|真ん中|中心"),
    ),
    "bottom": compile_(
        words(
            "(?:at |on |to |in )?(?:the )?bottom|lower|abajo|parte (?:de )?abajo|parte inferior|inferior|"
            "en bas|bas|unten|nach unten|untere\\w*|(?:la )?em ?baixo|parte de baixo|rodape"
        ),
        chars("底部|下方|下面|下边|底端|最下|下部|下に|下へ|一番下|下側"),
    ),
}
# Moving the title by a verb, in a clause about the title: "sube el título", "remonte le titre", "标题往上".
TITLE_MOVE: dict[Position, re.Pattern[str]] = {
    "top": compile_(
        words(
            "move (?:it )?up|higher|raise|sube\\w*|subir|mas arriba|remonte\\w*|monte|plus haut|hoher|"
            "hochschieben|sobe|subir|mais (?:para )?(?:alto|cima)"
        ),
        chars("往上|向上|上移|上げ"),
    ),
    "bottom": compile_(
        words(
            "move (?:it )?down|lower|baja\\w*|bajar|mas abajo|descend\\w*|plus bas|tiefer|runter|desce|baixa\\w*|"
            "mais (?:para )?baixo"
        ),
        chars("往下|向下|下移|下げ"),
    ),
}
BIGGER = compile_(
    words(
        "bigger|larger|huge|big|large|enlarge|increase|en grande|grande|grand|gros|en gros|gro(?:ß|ss)|mas grande|agranda\\w*|plus grand\\w*|plus gros\\w*|"
        "agrandi\\w*|gro(?:ß|ss|ss)er|vergro(?:ß|ss)er\\w*|maior|aumenta\\w*"
    ),
    chars("太小|大一点|大一些|大点|更大|放大|加大|调大|大些|要大|大大|大号|大きく|大きめ|拡大|小さすぎ"),
)
SMALLER = compile_(
    words(
        "smaller|tiny|small|reduce|shrink|en pequeno|pequen[oa]|petite?|klein|mas pequen[oa]|mas chic[oa]|plus petit\\w*|reduis\\w*|"
        "kleiner|verkleiner\\w*|menor|mais pequen[oa]|diminui\\w*"
    ),
    chars("太大|小一点|小一些|小点|更小|缩小|调小|小些|小さく|小さめ|縮小|大きすぎ"),
)
REMOVE = either(
    words(
        "remove|delete|drop|kill|lose|ditch|take (?:out|off|away)|get rid of|turn off|no|without|sin|"
        "quita\\w*|elimina\\w*|borra\\w*|saca\\w*|sans|enleve\\w*|supprime\\w*|retire\\w*|coupe\\w*|vire\\w*|degage\\w*|"
        "annule\\w*|ohne|kein\\w*|entfern\\w*|losch\\w*|sem|tira\\w*|remov\\w*|apaga\\w*|retira\\w*|remova"
    ),
    chars("去掉|删除|删掉|不要|拿掉|取消|关掉|去除|别要|无"),
)
REMOVE_AFTER = either(
    words(
        "entfernen|weg|weglassen|weglass\\w*|wegmachen|rausnehmen|raus|loschen|streichen|ausschalten|aus|"
        "off|removed?|gone|fuera|dehors"
    ),
    chars(
        "关掉|关了|关闭|停掉|拿走|去掉|删掉|删除|删了|删去|撤掉|撤了|不要了|拿掉|去除|を?消して|を?削除|なしで|なし|はいらない|いらない|を?外して|を?取って"
    ),
)
_THE = (
    r"(?:" + words("all|tout|toute|todo|toda|todos|alle|tudo") + r"\s*)?"
    r"(?:" + words("the|la|le|el|a|o|die|den|das|my|mi|ma|mon|meine|minha|this|that|of the") + r"\s*)?"
)
REMOVE_TITLE = compile_(
    REMOVE + r"\s*" + _THE + _TITLE_NOUN,
    REMOVE + r"[^,，、。\s]{1,6}(?:和|与|跟|及|还有|、)" + _TITLE_NOUN,
    _TITLE_NOUN + r"\s*(?:\S+\s*){0,2}?" + REMOVE_AFTER,
)

# ---- music ------------------------------------------------------------------------------------------
MUSIC_NOUN = either(
    words(
        "music|musica|musique|\\w*musik|songs?|soundtrack|track|tune|bgm|audio|"
        "beats?|background (?:music|track|audio)|musica de fondo|musique de fond|musica de fundo|cancion|chanson|lied|cancao|trilha(?: sonora)?|"
        "banda sonora|bande[- ]son|melod\\w*|hintergrundmusik|som"
    ),
    chars("背景音乐|音乐|配乐|歌曲|曲子|歌|音楽|曲|ミュージック|サウンド|ソング"),
)
MUSIC = compile_(MUSIC_NOUN)
BARE_MUSIC = compile_(r"^\s*" + _ARTICLE + MUSIC_NOUN + _ALSO + r"\s*$")
VOLUME_CONTEXT = compile_(MUSIC_NOUN, VOLUME_NOUN)
REMOVE_MUSIC = compile_(
    REMOVE + r"\s*" + _THE + MUSIC_NOUN,
    MUSIC_NOUN + r"\s*(?:\S+\s*){0,2}?" + REMOVE_AFTER,
    words(
        "silent|silence|mute(?: it)?|no sound|without sound|sin sonido|en silencio|sans son|"
        "muet(?:te)?|stumm|ohne ton|sem som|mud[oa]"
    ),
    chars("静音|无声|无音乐|無音|ミュート|音なし"),
)
FILE_NAME = compile_(r"(?<![\w\-.])[\w\-.]{1,60}\.(?:mp3|wav|m4a|aac|ogg|flac|opus)(?![a-z0-9])")
UPLOADED = compile_(
    words(
        "my (?:own )?(?:music|song|track|audio|tune)|"
        "(?:the )?uploaded (?:music|song|track|audio|file)|"
        "(?:music|song|track|audio|file) (?:i|that i|which i) (?:uploaded|sent|added|attached|gave you|shared)|"
        "(?:use|with) (?:the |my )?(?:audio(?: file)?|mp3|wav|file)|mi (?:musica|cancion)|"
        "(?:musica|cancion|audio) que (?:te )?(?:subi|envie|mande|adjunte)|ma (?:musique|chanson)|"
        "mon (?:morceau|audio|son)|"
        "(?:musique|chanson|audio) que j'ai (?:envoyee?|ajoutee?|importee?|mise?|telechargee?)|"
        "meine\\w* (?:musik|lied|song)|"
        "(?:die |das |den )?hochgeladene\\w* (?:musik|lied|song|audio|datei)|minha (?:musica|cancao)|"
        "(?:musica|cancao|audio) que (?:eu )?(?:enviei|mandei|subi|carreguei)"
    ),
    chars(
        "我[^，,。]{0,3}(?:上传|传|发)的|我上传的|我传的|我的音乐|我的歌|上传的音乐|上传的歌|アップロードした|私の曲|自分の曲|送った曲"
    ),
)
# "das Lied, das ich hochgeladen habe": an upload verb, when the message speaks of music, means that file.
UPLOAD_VERB = compile_(
    words(
        "uploaded|hochgeladen\\w*|subi|subida|envie|enviei|mandei|envoyee?|importee?|telecharge\\w*|carreguei"
    ),
    chars("上传|アップロード"),
)
MOODS = {
    "calm": either(
        words(
            "calm(?:ing)?|relax(?:ing|ed)?|chill(?:ed|y)?|peaceful|quiet|soft|mellow|ambient|lo-?fi|"
            "piano|acoustic|soothing|gentle|slow|tranquil[oa]?|relajante|suave|calm[oa]|calmad[oa]|serena|calme|"
            "douce|doux|relaxante|apaisante|zen|ruhig\\w*|entspann\\w*|sanft\\w*|chillig\\w*|leise"
        ),
        chars(
            "轻松|舒缓|安静|平静|放松|轻柔|温柔|钢琴|温馨|柔和|治愈|落ち着い|穏やか|静か|リラックス|癒し|ピアノ|ゆったり|優しい"
        ),
    ),
    "upbeat": either(
        words(
            "upbeat|happy|cheerful|energetic|lively|fun|funky|uplifting|pop|dance|party|groovy|bouncy|"
            "alegre|animad[oa]|energic[oa]|movid[oa]|divertid[oa]|marchos[oa]|joyeuse|joyeux|"
            "entrainante?|energique|dynamique|gaie?|festive?|frohlich\\w*|schwungvoll\\w*|"
            "energiegeladen\\w*|flott\\w*|lebhaft\\w*|heiter\\w*|peppig\\w*|agitad[oa]|energetic[oa]"
        ),
        chars(
            "欢快|轻快|活泼|活力|燃|动感|热闹|欢乐|快乐|开心|愉快|明る|楽し|元気|アップテンポ|ノリのいい|ポップ|ハッピー"
        ),
    ),
    "cinematic": either(
        words(
            "cinematic|epic|orchestral|dramatic|trailer|heroic|cinematografic[oa]|epic[oa]|orquestal|"
            "dramatic[oa]|cinematique|cinematographique|epique|orchestrale|dramatique|filmisch\\w*|"
            "episch\\w*|orchestral\\w*|dramatisch\\w*|orquestral"
        ),
        chars("史诗|大气|电影感|电影|震撼|恢弘|激昂|壮丽|壮大|エピック|映画|シネマティック|ドラマチック"),
    ),
    "melancholic": either(
        words(
            "sad|melanchol\\w*|nostalgic|emotional|sentimental|moody|triste|melancolic[oa]|nostalgic[oa]|"
            "emotiv[oa]|melancolique|nostalgique|emouvante|traurig\\w*|melancholisch\\w*|nostalgisch\\w*|"
            "saudos[oa]"
        ),
        chars("伤感|悲伤|忧伤|怀旧|感人|抒情|悲しい|切ない|感動的|ノスタルジック|しんみり|エモい|エモ"),
    ),
    "romantic": either(
        words("romantic\\w*|love|romantique|romantisch\\w*"),
        chars("浪漫|爱情|甜蜜|ロマンチック|ラブ"),
    ),
}
# A mood is the music's when it sits next to a music word ("calm music", "música tranquila", "轻松的背景音乐").
MUSIC_MOOD = {
    mood: compile_(
        words_ + r"(?:\s+\S+){0,2}?\s*" + MUSIC_NOUN,
        MUSIC_NOUN + r"(?:\s*\S+){0,3}?\s*" + words_,
        words_ + r"[^,，、。\s]{0,4}?" + MUSIC_NOUN,
        MUSIC_NOUN + r"[^,，、。\s]{0,4}?" + words_,
    )
    for mood, words_ in MOODS.items()
}

__all__ = [
    "BIGGER",
    "FILE_NAME",
    "MOODS",
    "MUSIC",
    "MUSIC_MOOD",
    "REMOVE_MUSIC",
    "REMOVE_TITLE",
    "SMALLER",
    "TITLE_CONTEXT",
    "TITLE_LEAD",
    "TITLE_MARKER",
    "TITLE_SIDE",
    "TITLE_TAIL",
    "UPLOADED",
    "VOLUME_CONTEXT",
]
