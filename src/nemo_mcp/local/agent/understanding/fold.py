"""One spelling for matching: accents dropped and traditional Chinese characters read as simplified.

Every vocabulary is written the way people type it and passed through the same `fold` when it is
compiled, so "música", "musica", "音樂" and "音乐" meet the same pattern. The table maps one character to
one character, so a folded text keeps the length (and every position) of the text it came from: a match
found in the folded text points at the same characters in what the person typed.
"""

from __future__ import annotations

# Latin letters with diacritics -> the base letter (ß stays: it would become two letters).
_ACCENTS = (
    "àa áa âa ãa äa åa āa çc ćc čc èe ée êe ëe ēe ěe ìi íi îi ïi ñn òo óo ôo õo öo øo ùu úu ûu üu ýy ÿy"
)
# Traditional -> simplified, only the characters the vocabularies use (pairs: traditional, simplified).
_HANZI = (
    "標标題题長长視视頻频豎竖橫横縮缩點点樂乐聲声調调變变動动鏡镜頭头還还個个張张這这讓让從从邊边遠远"
    "幾几兩两電电夢梦戲戏劇剧輕轻鬆松歡欢靜静環环後后銷销復复複复刪删換换為为製制顯显藍蓝綠绿紅红體体"
    "鐘钟時时間间開开結结轉转寬宽圖图請请謝谢們们麼么來来會会說说話话語语風风畫画帶带現现實实興兴奮奋"
    "節节緩缓嗎吗頂顶側侧歷历詩诗壯壮闊阔溫温懷怀舊旧傷伤悅悦輸输檔档傳传載载錄录質质幀帧蓋盖滿满無无"
    "沒没別别於于與与並并過过舉举對对稱称熱热鬧闹鋼钢錯错誤误給给幫帮將将選选擇择設设較较雲云飄飘紋纹"
    "漣涟躍跃葉叶鳥鸟髮发發发顏颜臉脸車车陽阳層层範范圍围螢萤圓圆態态麗丽觀观偉伟緊紧閃闪爍烁蕩荡搖摇"
    "擺摆飛飞遊游煙烟樹树寶宝貓猫馬马魚鱼讀读濾滤宮宫駿骏賽赛減减號号響响關关閉闭場场貼贴紙纸寫写著着"
    "鋪铺運运繪绘憶忆內内裡里裏里煩烦訊讯氣气愛爱憂忧癒愈寧宁邊边黃黄銀银庫库資资網网頁页問问盡尽簡简"
    "單单乾干淨净專专業业優优雜杂線线數数階阶級级覺觉樣样顆颗誰谁縱纵歲岁鬍胡須须揮挥約约"
)


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for pair in _ACCENTS.split():
        table[ord(pair[0])] = pair[1]
    for i in range(0, len(_HANZI), 2):
        table[ord(_HANZI[i])] = _HANZI[i + 1]
    return table


_TABLE = _table()


def fold(text: str) -> str:
    """`text` with accents dropped and traditional characters simplified; same length as `text`."""
    return text.translate(_TABLE)


def lower(text: str) -> str:
    """Lower case without changing the length (a few letters, like 'İ', would grow: they stay as they are)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


__all__ = ["fold", "lower"]
