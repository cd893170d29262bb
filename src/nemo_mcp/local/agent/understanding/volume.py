"""How loud the music should be, and how people ask for it louder or quieter, in every language read."""

from __future__ import annotations

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, either, words

# What the sound of a clip is called ("volume", "音量"): with a music word, a clause is about the music.
VOLUME_NOUN = either(words("volume|volumen|lautstarke|sound|son|sonido|ton"), chars("音量|声音|音"))

# ---- volume -----------------------------------------------------------------------------------------
PERCENT = compile_(
    r"(?<![\d.])(?P<n>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per ?cent|por ?ciento|pour ?cent|prozent|por ?cento|パーセント)"
)
# "set the music to 20", "volumen a 40": a number with no unit after a volume word is a percentage.
VOLUME_NUMBER = compile_(
    either(words("volume|volumen|lautstarke|music|musica|musique|musik"), chars("音量"))
    + r"\s*(?:"
    + words("to|at|a|al|en|auf|em|para|on|sur|de")
    + r"|[:=]|调到|调成|を|は)?\s*"
    + r"(?<![\d.])(?P<n>\d{1,3})(?![\d.])(?!\s*(?:s\b|sec|seg|sek|秒|%|x|p))"
)
VOLUME_FRACTION = compile_(VOLUME_NOUN + r"\s*(?:to|at|=|:|a|al|en|auf)?\s*(?P<n>0?\.\d+)")
HALF_VOLUME = compile_(
    words("half volume|volume (?:a|à) moitie|medio volumen|halbe lautstarke|meio volume|volume pela metade"),
    chars("一半音量|音量一半|半分の音量"),
)
FULL_VOLUME = compile_(
    words(
        "full volume|max(?:imum)? volume|volume max(?:imum)?|volumen maximo|volle lautstarke|volume maximo"
    ),
    chars("最大音量|音量最大|音量を最大"),
)
LOW_VOLUME = compile_(
    words("low volume|volumen bajo|volume bas|leise im hintergrund|niedrige lautstarke|volume baixo"),
    chars("低音量|音量低|小さめの音量"),
)
LOUDER = compile_(
    words(
        "louder|turn (?:it |the music |the volume |the sound |the song )?up|(?:music|volume|sound|song|audio) (?:\\w+ )?up|"
        "turn (?:the )?(?:music|volume|sound|song)(?: \\w+){0,3}? up|"
        "(?:raise|increase|boost|bump up|pump up) (?:the )?(?:volume|music|sound)|more volume|"
        "volume up|mas alt[oa]|mas fuerte|sube\\w*(?: un poco)?(?: el| la)? (?:volumen|musica|sonido)|"
        "subele|plus fort\\w*|monte\\w*(?: un peu)?(?: le| la)? (?:son|volume|musique)|"
        "augmente\\w*(?: un peu)?(?: le| la)? (?:son|volume|musique)|lauter|mais alt[oa]|"
        "aumenta\\w*(?: um pouco)?(?: o| a)? (?:volume|musica|som)|"
        "sobe\\w*(?: um pouco)?(?: o| a)? (?:volume|musica|som)"
    ),
    chars("大声|调大|响一点|音量大|声音大|提高音量|加大音量|音量を上げ"),
)
QUIETER = compile_(
    words(
        "mas bajit[oa]|bajit[oa]|baixinh[oa]|quieter|softer|zu laut|demasiado (?:alt[oa]|fuerte)|muy alt[oa]|trop forte?|muito alt[oa]|alt[oa] demais|too high|lower (?:the )?(?:volume|music|sound)|"
        "turn (?:it |the music |the volume |the sound |the song )?down|(?:music|volume|sound|song|audio) (?:\\w+ )?down|"
        "turn (?:the )?(?:music|volume|sound|song)(?: \\w+){0,3}? down|"
        "(?:reduce|decrease|lower|drop) (?:the )?(?:volume|music|sound)|less loud|too loud|"
        "volume down|mas baj[oa]|"
        # with nothing else named, lowering "it" is the sound: "baisse-la un peu", "abaixa um pouco"
        "baisse-(?:la|le)|baisse un peu|abaixa(?:-a|-o)? um pouco|baja(?:le|lo|la)? un poco|"
        "baja\\w*(?: un poco)?(?: el| la)? (?:volumen|musica|sonido)|bajale|moins fort\\w*|"
        "baisse\\w*(?: un peu)?(?: le| la)? (?:son|volume|musique)|"
        "diminue\\w*(?: un peu)?(?: le| la)? (?:son|volume|musique)|plus bas|leiser|mais baix[oa]|"
        "abaixa\\w*(?: um pouco)?(?: o| a)? (?:volume|musica|som)|"
        "baixa\\w*(?: um pouco)?(?: o| a)? (?:volume|musica|som)|"
        "diminui\\w*(?: um pouco)?(?: o| a)? (?:volume|musica|som)"
    ),
    chars("小声|调小|轻一点|音量小|声音小|降低音量|音量を下げ|控えめ|太吵"),
)
# "大一点" / "小一点" are about the sound only in a clause that speaks of music or volume.
LOUDER_NEAR_MUSIC = compile_(chars("大きく|上げて|大一点|大点|大一些|大些"))
QUIETER_NEAR_MUSIC = compile_(
    words(
        "mas suave|mais suave|plus doux|plus douce|leiser|leise|quiet(?:ly)?|softly|lower|low|bajito|baixinho|softer"
    ),
    chars("小さく|下げて|小一点|小点|小一些|小些|低一点|太大|太大声|太响|太吵|うるさい|大きすぎ"),
)

__all__ = [
    "FULL_VOLUME",
    "HALF_VOLUME",
    "LOUDER",
    "LOUDER_NEAR_MUSIC",
    "LOW_VOLUME",
    "PERCENT",
    "QUIETER",
    "QUIETER_NEAR_MUSIC",
    "VOLUME_FRACTION",
    "VOLUME_NOUN",
    "VOLUME_NUMBER",
]
