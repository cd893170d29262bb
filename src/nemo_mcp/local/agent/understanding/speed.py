"""How fast the camera moves, and whether the move loops, in en, zh, ja, es, fr, de and pt."""

from __future__ import annotations

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, words

# ---- speed and loop ---------------------------------------------------------------------------------
FASTER = compile_(
    words(
        "too slow|demasiado lent[oa]|trop lente?|zu langsam|muito lent[oa]|(?:increase|raise) (?:the )?speed|aumenta\\w* (?:la |a )?velocidad\\w*|sube la velocidad|augmente\\w* la vitesse|erhoh\\w* (?:die )?geschwindigkeit|faster|quicker|speed (?:it )?up|more quickly|more speed|less slow|twice as fast|"
        "2x (?:faster|speed)|mas rapid[oa]|mas deprisa|acelera\\w*|plus vite|plus rapide\\w*|"
        "accelere\\w*|schneller(?!\\s+(?:zoom|schwenk\\w*|bewegung|kamera\\w*|fahrt|rein\\w*|raus\\w*|pan\\w*))|beschleunig\\w*|mais rapid[oa]|mais depressa"
    ),
    chars(
        "太慢|遅すぎ|(?:スピード|速度|速さ|テンポ)を上げ|提高速度|速度快|快一点|快一些|快点|更快|加快|加速|快些|速く|速め|もっと速|スピードアップ|早く|早め"
    ),
)
SLOWER = compile_(
    words(
        "(?:reduce|lower|decrease) (?:the )?speed|diminui\\w* (?:a )?velocidade|reduz\\w* (?:a )?velocidade|reduce (?:la )?velocidad|baja (?:la )?velocidad|reduis (?:la )?vitesse|baisse (?:la )?vitesse|verringer\\w* (?:die )?geschwindigkeit|mas suave|mais suave|plus doux|plus douce|sanfter(?!\\s+(?:zoom|schwenk|bewegung|kamera))|smoother|slower|slow (?:it )?down|less fast|more slowly|not so fast|too fast|mas lent[oa]|"
        "mas despacio|ralentiza\\w*|plus lent\\w*|ralenti\\w*|moins vite|moins rapide|langsamer(?!\\s+(?:zoom|schwenk\\w*|bewegung|kamera\\w*|fahrt|rein\\w*|raus\\w*|heran\\w*|pan\\w*))|"
        "verlangsam\\w*|mais devagar|mais lent[oa]|desacelera\\w*"
    ),
    chars(
        "(?:スピード|速度|速さ|テンポ)を(?:落と|下げ)|降低速度|减慢|速度慢|慢一点|慢一些|慢点|更慢|放慢|减速|慢些|太快|遅く|遅め|もっとゆっくり|ゆっくりに|スローダウン"
    ),
)
SLOW = compile_(
    words(
        "poco a poco|pouco a pouco|peu a peu|nach und nach|bit by bit|little by little|legere?(?:ment)?|ligero|ligera|ligeramente|leve|levemente|leicht\\w*|doux|douce|tout doux|tout doucement|sanft\\w*|langsam\\w*|lent[oa]s|slow(?:ly)?|gentle|gently|subtle|subtly|slight(?:ly)?|soft(?:ly)?|slow[- ]motion|lent[oa]|"
        "lentamente|despacio|suave(?:mente)?|lent|lente|lentement|doucement|langsam|sanft|behutsam|"
        "gemachlich|devagar(?:inho)?|bem devagar|suavemente"
    ),
    chars(
        "やさしく|優しく|そっと|穏やかに|徐々に|一点一点|慢慢地|慢慢|缓慢|缓缓|慢速|轻微|轻轻|徐徐|ゆっくり|スロー|ゆったり"
    ),
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
    chars(
        "(?:速さ|速度|スピード)は?(?:普通|ふつう|標準)|正常速度|中速|普通の速さ|普通のスピード|普通速度|速度正常"
    ),
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
