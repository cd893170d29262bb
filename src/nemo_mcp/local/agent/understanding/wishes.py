"""Vague wishes ("cinematic", "dreamy", "史诗感") and the concrete settings each becomes."""

from __future__ import annotations

import re
from typing import NamedTuple

from nemo_mcp.local.agent.understanding.patterns import chars, compile_, words
from nemo_mcp.local.agent.understanding.reading import Motion, Speed

# Vague wishes: (name said back, pattern, motion or None, speed or None, music mood or None, sentence)


class Wish(NamedTuple):
    name: str  # said back in the reply: "cinematic: a Ken Burns move, ..."
    pattern: re.Pattern[str]
    motion: Motion | None
    speed: Speed | None
    mood: str | None


# What each wish becomes, where the person did not name the setting themselves.
WISHES: tuple[Wish, ...] = (
    Wish(
        "cinematic",
        compile_(
            words(
                "cinematic|cinema(?:tic)? look|film look|movie-?like|like a movie|cinematografic[oa]s?|de cine|"
                "de pelicula|cinematiques?|cinematographiques?|comme au cinema|comme un film|filmisch\\w*|"
                "kinoreif|wie im kino|wie ein film|de cinema|como um filme|como una pelicula"
            ),
            chars("电影感|电影般|大片|电影质感|映画みたい|映画のよう|シネマティック|映画風|映画っぽ"),
        ),
        "ken_burns",
        "slow",
        "cinematic",
    ),
    Wish(
        "dramatic",
        compile_(
            words("dramatic|intense|dramatic[oa]s?|intens[oa]s?|dramatiques?|dramatisch\\w*|intensiv\\w*"),
            chars("戏剧|戏剧性|紧张|ドラマチック|劇的|迫力"),
        ),
        "zoom_in",
        "slow",
        "cinematic",
    ),
    Wish(
        "epic",
        compile_(
            words(
                "epic|majestic|epic[oa]s?|epiques?|episch\\w*|majestueu\\w*|majestuos[oa]s?|majestos[oa]s?"
            ),
            chars("史诗|大气|壮观|宏大|壮大|壮観|エピック"),
        ),
        "zoom_out",
        "slow",
        "cinematic",
    ),
    Wish(
        "dreamy",
        compile_(
            words(
                "dreamy|dreamlike|ethereal|magical|sonador(?:[ao]s?)?|onirico|de ensueno|oniriques?|reveu(?:r|se)s?|"
                "traumerisch\\w*|vertraumt\\w*|sonhador(?:[ao]s?)?"
            ),
            chars("夢っぽ|幻想的|ファンタジー|梦幻|梦境|唯美|幻想的|夢のよう|夢みたい|ふわふわ|ドリーミー"),
        ),
        "zoom_in",
        "slow",
        "calm",
    ),
    Wish(
        "nostalgic",
        compile_(
            words(
                "nostalgic|sad|melancholic|wistful|old (?:film|movie)|vintage|retro|nostalgic[oa]s?|triste\\w*|melancolic[oa]s?|nostalgiques?|"
                "melancoliques?|nostalgisch\\w*|melancholisch\\w*|traurig\\w*|saudosista"
            ),
            chars("怀旧|伤感|忧伤|悲伤|ノスタルジック|懐かしい|切ない|悲しい|エモい|エモく|エモ"),
        ),
        "zoom_out",
        "slow",
        "melancholic",
    ),
    Wish(
        "romantic",
        compile_(words("romantic|romantic[oa]s?|romantiques?|romantisch\\w*"), chars("浪漫|ロマンチック")),
        "zoom_in",
        "slow",
        "romantic",
    ),
    Wish(
        "energetic",
        compile_(
            words(
                "energetic|dynamic|lively|exciting|punchy|upbeat|hype|energic[oa]s?|dinamic[oa]s?|energiques?|"
                "dynamiques?|entrainant\\w*|(?:mas|mais|muy|bem|plus) anim(?:ad[oa]|ee?)s?|energiegeladen\\w*|dynamisch\\w*|lebendig\\w*|schwungvoll\\w*|energetic[oa]s?|agitad[oa]s?"
            ),
            chars("动感|活力|有活力|热血|燃|活泼|ダイナミック|エネルギッシュ|躍動感|アップテンポ"),
        ),
        None,
        "fast",
        "upbeat",
    ),
    Wish(
        "elegant",
        compile_(
            words(
                "elegant|classy|sleek|professional|polished|tasteful|elegantes?|profesional|elegante?s?|"
                "professionnel\\w*|soigne\\w*|professionell\\w*|edel|schlicht|profissional|sofisticad[oa]"
            ),
            chars("高级感|高级|优雅|专业|简约|大方|質感|上品|エレガント|プロっぽ|洗練"),
        ),
        None,
        "slow",
        None,
    ),
    Wish(
        "calm",
        compile_(
            words(
                "calm|peaceful|relaxing|serene|tranquil|chill|zen|tranquil[oa]s?|relajad[oa]s?|seren[oa]s?|calmes?|"
                "paisibles?|apaisant\\w*|serein\\w*|ruhig\\w*|entspannt\\w*|friedlich\\w*|gelassen\\w*|calm[oa]s?|relaxante\\w*"
            ),
            chars("平静|宁静|安静|放松|治愈|舒缓|穏やか|落ち着いた|癒し|静か|のんびり"),
        ),
        None,
        "slow",
        "calm",
    ),
)
