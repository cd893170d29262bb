"""What the local backend cannot do, said plainly, and the words people use to ask for it."""

from __future__ import annotations

import re

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, word_set, words

MOVE_SENTENCE = (
    "I cannot make things in the picture move (water, clouds, people, animals): that needs a generative video "
    "model, which the local backend does not have. I move a virtual camera over your still photo instead."
)
STYLE_SENTENCE = "I cannot restyle the picture (anime, watercolour, filters): it is animated as it is."
QUALITY_SENTENCE = "I render at most 1080p at 30 fps; 4K, 1440p and 60/120 fps are beyond the local renderer."
VOICE_SENTENCE = "I cannot add a voice-over or make anyone speak: there is no speech model here."
COMPOSE_SENTENCE = (
    "I cannot compose music from scratch; I can add a bundled track by mood (calm, upbeat, cinematic, "
    "melancholic, romantic) or an audio file you upload."
)
SFX_SENTENCE = "I cannot add sound effects; only one background music track."
TARGET_SENTENCE = (
    "I zoom towards the centre of the picture: I cannot find a face or an object in it to aim at."
)
SUBTITLE_SENTENCE = "I cannot make subtitles or transcripts; I can put one title on the clip."

_SUBJ_EN = (
    r"(?:water|sea|ocean|waves?|river|lake|clouds?|sky|person|people|man|woman|girl|boy|baby|kids?|child(?:ren)?|dog|cat|birds?|"
    r"he|she|they|her|him|them|subject|character|hair|trees?|leaves|flowers?|grass|fire|flames?|smoke|eyes?|face|cars?|lips|"
    r"mouth|snow|rain|stars|animals?|horse|couple|family)"
)
_VERB_EN = (
    r"(?:mov(?:e|es|ing)|ripple\w*|flow\w*|wav(?:e|es|ing)|smil(?:e|es|ing)|blink\w*|walk\w*|talk\w*|danc(?:e|es|ing)|run(?:s|ning)?|"
    r"fl(?:y|ies|ying)|swim\w*|sway\w*|drift\w*|rustl\w*|flicker\w*|sing\w*|speak\w*|laugh\w*|wink\w*|nod\w*|jump\w*|breath\w*|"
    r"fall\w*|roll\w*|crash\w*|blow\w*|shimmer\w*|sparkl\w*|twinkl\w*|turn (?:her|his|their) heads?|come alive|"
    r"wag\w*|shak(?:e|es|ing)|spin(?:s|ning)?|twirl\w*|hug(?:s|ging)?|kiss\w*|cry|cries|crying|splash\w*|float\w*|"
    r"bounc\w*|bloom\w*|melt\w*|climb\w*|clap\w*|bark\w*|wiggl\w*|stretch\w*|yawn\w*|glitter\w*)"
)
_SUBJ_ES = r"(?:agua|mar|olas?|rio|nubes?|cielo|persona|gente|hombre|mujer|nin[oa]s?|bebe|perro|gato|pajaros?|aves?|pelo|cabello|arboles?|hojas|flores?|fuego|humo|ojos|cara|el|ella|ellos)"
_VERB_ES = r"(?:muev\w*|mover\w*|fluy\w*|ondul\w*|bail\w*|sonri\w*|sonreir|camin\w*|habl\w*|corr\w*|vuel[ea]\w*|volar|parpade\w*|nad\w*|caig\w*|se muev\w*)"
_SUBJ_FR = r"(?:l'eau|eau|mer|vagues?|riviere|nuages?|ciel|personne|gens|homme|femme|fille|garcon|bebe|chien|chat|oiseaux?|cheveux|arbres?|feuilles|fleurs?|feu|fumee|yeux|visage|il|elle)"
_VERB_FR = (
    r"(?:boug\w*|dans(?:e|er|ent)|souri\w*|march(?:e|er|ent)|parl(?:e|er|ent)|cour(?:ir|t|ent)|vol(?:e|er|ent)|cligne\w*|"
    r"coul(?:e|er|ent)|ondul\w*|nag(?:e|er|ent)|tomb(?:e|er|ent))"
)
_SUBJ_DE = r"(?:wasser|meer|wellen|fluss|see|wolken|himmel|person|menschen|leute|mann|frau|madchen|junge|jungen|baby|babys|kind|kinder|hund|hunde|katze|katzen|vogel|tiere|personen|manner|frauen|haare|baume|blatter|blumen|feuer|rauch|augen|gesicht|sie|er)"
_VERB_DE = r"(?:flie(?:ß|ss)en|fliessen|bewegen|tanzen|lacheln|lachen|weinen|nicken|zwinkern|rennen|springen|spielen|klatschen|bellen|schwanken|wedeln|glitzern|funkeln|platschern|rauschen|blinzeln|laufen|gehen|sprechen|reden|fliegen|schwimmen|wehen|wackeln|winken|singen|flackern|regnen|schneien|wogen|ziehen|treiben|schweben|flattern|atmen)"
_SUBJ_PT = r"(?:agua|mar|ondas?|rio|nuvens?|ceu|pessoa|gente|homem|mulher|menin[oa]|bebe|cachorro|gato|passaros?|cabelo|arvores?|folhas|flores?|fogo|fumaca|olhos|rosto|ele|ela)"
_VERB_PT = r"(?:mex\w*|mov[ae]\w*|movimenta\w*|danc\w*|sorri\w*|andar|ande|caminh\w*|fal[ae]\w*|corr[ae]\w*|vo[ae]\w*|pisc\w*|flu\w*|balanc\w*|nad[ae]\w*|ondul\w*|acen\w*)"
# Any subject but the photo itself, the camera or the clip's own parts: "make the bride smile", "faz o cachorro correr".
_ANY = r"(?!(?:photo|picture|image|pic|video|clip|it|this|title|text|music|camera|zoom|pan|foto|imagen|imagem|camara|camera|titulo|texto|musica|bild|kamera|titel|image|titre|texte|musique)\b)[a-zß']+"
_SUBJ_ZH = r"(?:水面|水|湖面|湖|海面|海浪|海|河|波浪|浪|云朵|云|天空|人物|她|他们|狗|猫|小鸟|鸟|头发|树叶|树|叶子|草|火焰|火|烟|眼睛|脸|雪|雨|星星|动物|宝宝|孩子|瀑布)"
_VERB_ZH = r"(?:摇尾巴|摇头|泛起涟漪|泛起波纹|泛起|荡起|挥手|招手|摇曳|点头|转头|唱歌|奔跑|跑|摆动|动起来|动|飘动|飘|流动|流|摇动|摇摆|摆动|眨眼|眨|微笑|笑|跳舞|走路|走|说话|飞|游|荡漾|波动|闪烁|下落|飘落|起伏)"
_SUBJ_JA = r"(?:赤ちゃん|赤ん坊|子供|子ども|女の子|男の子|みんな|家族|二人|ペット|水面|水|海|波|川|雲|空|人物|人|彼女|彼|犬|猫|鳥|髪|木|葉|花|火|煙|目|顔|車|雪|雨|星|滝)"
_VERB_JA = r"(?:を|が)?\s*(?:動かして|動かす|動く|動いて|揺らして|揺れ\w*|流れ\w*|流して|踊らせ\w*|踊る|踊って|笑わせ\w*|笑顔に\w*|まばたき\w*|歩かせ\w*|歩いて|しゃべら\w*|話させ\w*|飛ばせ\w*|飛んで|なびか\w*|なびく|泳が\w*)"

CANNOT: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        VOICE_SENTENCE,
        compile_(
            words(
                "(?:a |with (?:a )?)?voice(?:[- ]?over)?|voiceover|narrat\\w*|speech|text[- ]to[- ]speech|tts|dubb\\w*|"
                "read (?:it |this )?(?:out|aloud)|make (?:him|her|them|the \\w+) (?:talk|speak|say\\w*)|"
                "lip[- ]?sync\\w*|voz en off|voz|narracion|locucion|voix off|voix|sprecher\\w*|erzahl\\w*|"
                "vertonung|stimme|narracao|locucao"
            ),
            chars("配音|旁白|解说|朗读|语音|ナレーション|読み上げ|吹き替え|音声|ボイス"),
        ),
    ),
    (
        MOVE_SENTENCE,
        compile_(
            words(
                "(?:make|let|have|get)\\s+(?:the\\s+|my\\s+|her\\s+|his\\s+|their\\s+|this\\s+|that\\s+|a\\s+)?"
                + _ANY
                + "\\s+"
                + _VERB_EN,
                "(?:the\\s+)?" + _SUBJ_EN + "\\s+" + _VERB_EN,
                "ripple\\w*",
                "waves? crashing",
                "falling (?:snow|rain|leaves)",
                "blink\\w*",
                "talking head",
                "(?:que|haz que|hacer que)\\s+(?:el |la |los |las |mi |su )?"
                + _ANY
                + "\\s+(?:se\\s+)?"
                + _VERB_ES,
                _SUBJ_ES + " que se muev\\w*",
                "(?:fais|faire|fait|que)\\s+" + _VERB_FR + "\\s+(?:l'|le |la |les |mon |ma |mes )?" + _ANY,
                _SUBJ_FR + "\\s+qui\\s+" + _VERB_FR,
                "(?:lass|lasse|lassen)\\s+(?:das |die |den |der |meine |mein )?"
                + _ANY
                + "\\s+(?:\\w+\\s+)?"
                + _VERB_DE,
                "(?:faz|faca|fazer|deixa|deixe|que)\\s+(?:a |o |as |os |meu |minha )?"
                + _ANY
                + "\\s+(?:se\\s+)?"
                + _VERB_PT,
            ),
            # "树叶也飘动起来", "小狗一直摇尾巴": a few adverbs may stand between the subject and the verb
            r"(?:让|使|把)?"
            + _SUBJ_ZH
            + r"[的]?\s*(?:也|都|在|会|要|能|还|就|一直|一起|慢慢|轻轻|随风|微微|缓缓|不停|不断|地)*"
            + _VERB_ZH,
            # "让照片里的人挥手", "讓花朵隨風搖曳": someone or something in the picture, then what it does
            r"(?:让|使)[^,，、。]{0,6}?(?:人|他|她|花|车|狗|猫|鸟|水|云|树|叶)[^,，、。]{0,4}?" + _VERB_ZH,
            chars("涟漪|水波|波光粼粼|眨眼|下雪|下雨|飘雪|对口型|口型"),
            _SUBJ_JA + _VERB_JA,
            _SUBJ_JA
            + r"(?:たち|達|々)?(?:に|を|が)[^、。]{0,4}?(?:振ら|振って|踊ら|歩か|走ら|泳が|飛ば|笑わ|まばたき|瞬き|揺ら|話さ|しゃべら)",
            _SUBJ_JA
            + r"(?:を|が)\s*[\u3040-\u30ff\u4e00-\u9fff]{1,3}?(?:させ|らせ|かせ|がせ|ばせ|わせ|たせ)",
            chars("まばたき|瞬き|口パク|波打|さざ波"),
            # "水面がキラキラ揺れる", "髪が風になびく": a few words between the subject and the verb
            _SUBJ_JA
            + r"(?:たち|達)?(?:が|を|も|は)(?:(?!カメラ)[^、。]){0,6}?"
            + r"(?:揺れ|揺ら|ゆれ|ゆら|動い|動く|動き出|流れ|踊|歩い|歩く|歩か|走っ|走る|走ら|泳|飛ん|飛ぶ|飛ば|笑っ|笑う|笑わ|なび|きらめ|瞬い)",
        ),
    ),
    (
        STYLE_SENTENCE,
        compile_(
            words(
                "remove (?:the )?background|background removal|transparent background|anime(?:[- ]?(?:style|stil|look))|(?:in|to|into|as|like|en|como|im|em|an) anime|anime-?stil|"
                "estilo (?:de )?anime|style anime|manga|cartoon\\w*|ghibli|pixar|disney style|watercolou?r|"
                "oil painting|painting|sketch\\w*|pencil drawing|van gogh|monochrome|sepia|vintage filter|"
                "filters?|filtros?|filtres?|restyle|cyberpunk|pixel art|claymation|comic(?: style)?|dibujo animado|acuarela|"
                "(?:pintura al )?oleo|boceto|dessin anime|aquarelle|peinture|croquis|bande dessinee|"
                "zeichentrick\\w*|aquarell\\w*|olgemalde|gemalde|skizze|desenho animado|aquarela|"
                "pintura a oleo|esboco"
            ),
            chars(
                "动漫|二次元|卡通|漫画风|宫崎骏|吉卜力|水彩|油画|素描|黑白|复古滤镜|滤镜|赛博朋克|像素风|手绘|动画风|アニメ風|アニメ調|アニメっぽ|アニメみたい|アニメスタイル|"
                "漫画風|油絵|ジブリ|イラスト風|白黒|セピア|フィルター|スケッチ"
            ),
        ),
    ),
    (
        QUALITY_SENTENCE,
        compile_(
            words(
                "4k|uhd|ultra ?hd|2160p?|8k|1440p?|2k|qhd|hdr|high frame ?rate|"
                "(?:48|50|60|90|100|120|144|240) ?(?:fps|frames?|hz|images par seconde|images/s|imagenes por segundo|bildern? pro sekunde|bps|quadros por segundo|quadros)",
                "(?:frame ?rate|framerate|bildrate|fps) (?:of |to |at |de |a |auf )?(?:48|50|60|90|100|120|144|240)",
            ),
            chars("高帧率|4k画质"),
            r"(?:帧率|フレームレート|フレームレイト)\s*(?:を|は|为|调到|改成)?\s*(?:48|50|60|90|120|144|240)",
            r"(?:48|50|60|90|120|144|240)\s*(?:帧|フレーム)",
        ),
    ),
    (
        COMPOSE_SENTENCE,
        compile_(
            words(
                "compos(?:e|ing) (?:me )?(?:a |an |some |my |the |original |new )*(?:song|melody|tune|soundtrack|score|music|piece)|"
                "write (?:me )?(?:a |an |some |the )?(?:original |new )?(?:song|melody|tune|soundtrack|score)|"
                "(?:make|create|generate|produce) (?:me )?(?:a |an )?(?:original |new )?(?:song|melody|jingle)|"
                "from scratch|original (?:music|song|score|soundtrack)|compon\\w*|componer|komponier\\w*|"
                "compor|componha|compo(?:se|sez|ser)"
            ),
            chars("作曲|谱曲|写一首|创作一首|创作音乐|原创音乐|原创歌曲|曲を作|作曲して"),
        ),
    ),
    (
        SFX_SENTENCE,
        compile_(
            words(
                "sound effects?|sfx|efectos de sonido|effets sonores|bruitages?|soundeffekte?|gerausche|"
                "efeitos sonoros"
            ),
            chars("音效|效果音|効果音"),
        ),
    ),
    (
        SUBTITLE_SENTENCE,
        compile_(
            words(
                "subtitles?|closed captions?|auto[- ]?captions?|transcri\\w*|subtitulos|sous-titres?|"
                "untertitel\\w*|legendas automaticas"
            ),
            chars("自动字幕|生成字幕|自動字幕|字幕を自動"),
        ),
    ),
)
# Anywhere in one clause, something in the picture and something it would do: "the people in the photo
# should wave", "las personas de la foto saluden", "die Leute auf dem Foto sollen winken".
_PRONOUNS = word_set("he she they her him them el ella ellos il elle er sie ele ela")


def _nouns(alternatives: str) -> str:
    """The alternatives of a subject pattern without its pronouns ("el" is also an article)."""
    return "|".join(a for a in alternatives[3:-1].split("|") if a not in _PRONOUNS)


LIVING = compile_(
    words(
        _nouns(_SUBJ_EN)
        + "|persons?|bride|groom|personas?|chic[oa]s?|novi[oa]s?|bebes?|"
        + _nouns(_SUBJ_ES)
        + "|"
        + _nouns(_SUBJ_FR)
        + "|mariee?|"
        + _nouns(_SUBJ_DE)
        + "|braut|brautigam|"
        + _nouns(_SUBJ_PT)
        + "|pessoas|noiv[oa]s?"
    )
)
ACTION = compile_(
    words(
        _VERB_EN[3:-1]
        + "|salud(?:e|en|ar|ando)|"
        + _VERB_ES[3:-1]
        + "|coucou|salu(?:e|ent|er)|"
        + _VERB_FR[3:-1]
        + "|winkt|"
        + _VERB_DE[3:-1]
        + "|"
        + _VERB_PT[3:-1]
    )
)
# Asking for 4K or the like still gets the biggest size there is.
WANTS_BIGGER = compile_(words("4k|uhd|ultra ?hd|2160p?|8k|1440p?|2k|qhd"), chars("4k画质"))
