"""Which language a message is written in: by script for Chinese and Japanese, by telling words for the rest."""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Words (and letters) that mostly occur in one language; the most hits wins, English on a tie.
_TELLING: dict[str, re.Pattern[str]] = {
    "es": re.compile(
        r"\b(y|cambia|quitale|hazme|dure|sea|agrega|el|los|las|del|con|por|para|que|una|segundos|hazlo|haz|foto|mas|más|título|música|quiero|puedes|ponle|hola|gracias|porfa|cuadrado|izquierda|derecha)\b|[ñ¿¡]"
    ),
    "fr": re.compile(
        r"\b(le|les|des|du|une|avec|et|pour|secondes|vidéo|fais|mets|titre|musique|je|veux|plus|s'il|bonjour|merci|carrée?|gauche|droite|rends)\b|[èêàç]|\bl'"
    ),
    "de": re.compile(
        r"\b(der|die|das|und|mit|ein|eine|einen|sekunden|bitte|mach|titel|musik|ich|nicht|noch|etwas|hallo|danke|für|von|nach|links|rechts)\b|[äöüß]"
    ),
    "pt": re.compile(
        r"\b(o|os|as|um|uma|com|não|segundos|vídeo|faz|faça|coloca|deixa|título|música|quero|oi|obrigad[oa]|pro|pra|num|esquerda|direita|mais|vc)\b|[ãõ]"
    ),
    "en": re.compile(
        r"\b(the|and|with|make|it|please|seconds?|this|video|add|turn|can|you|pan|zoom|title|music|to|of|a)\b"
    ),
}


def detect(text: str) -> str:
    """en, zh, ja, es, fr, de or pt (zh covers simplified and traditional)."""
    if _KANA.search(text):
        return "ja"
    if len(_HAN.findall(text)) >= 2:
        return "zh"
    low = text.lower()
    scores = {lang: len(pattern.findall(low)) for lang, pattern in _TELLING.items()}
    best = max(scores.values())
    if best == 0 or scores["en"] == best:
        return "en"
    return max(scores, key=lambda lang: scores[lang])


__all__ = ["detect"]
