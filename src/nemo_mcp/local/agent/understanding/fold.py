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
# Traditional -> simplified (pairs: traditional, simplified): the characters the vocabularies use and the
# common ones around them ("剛剛那個", "這張照片裡"), so everyday words read as filler in both scripts.
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
    "剛刚啟启幹干壓压廣广擴扩殼壳濕湿燈灯爺爷牆墙獎奖獨独產产異异當当盤盘眾众碼码確确禮礼稅税穩稳筆笔籃篮糧粮紀纪純纯細细終终組组絕绝統统經经綜综緒绪練练總总績绩織织繼继續续罰罚習习聖圣聽听職职腦脑艦舰藝艺"
    "蘭兰處处術术衛卫裝装補补襯衬見见規规親亲覽览計计記记許许試试詳详認认論论識识讚赞豐丰貝贝負负財财貨货購购費费賞赏賣卖趕赶趨趋跡迹踐践軍军軟软輪轮辦办農农連连週周進进達达違违遙遥適适遲迟鄉乡醫医釋释針针"
    "鈴铃銳锐錢钱門门閒闲閱阅隊队際际隨随險险隱隐雖虽雙双雞鸡離离難难靈灵韓韩項项順顺預预頓顿領领願愿類类顧顾飯饭飲饮飾饰餘余館馆駕驾騎骑驗验驚惊鬥斗鳴鸣麥麦齊齐龍龙龜龟務务勝胜勞劳勢势區区協协卻却參参叢丛"
    "員员啞哑喚唤喪丧嘆叹嘗尝嚴严團团園园執执堅坚報报塊块塵尘墊垫壞坏夠够夾夹奪夺婦妇媽妈嬰婴學学尋寻導导屬属崗岗嶺岭帥帅師师帳帐幣币廳厅彈弹徑径徵征憑凭應应懶懒戀恋戰战戶户拋抛掃扫掛挂採采損损撥拨據据擁拥"
    "擊击擔担攝摄攤摊敗败敵敌斷断晝昼暫暂曆历曉晓書书東东條条極极構构槍枪樓楼橋桥機机檢检櫃柜歸归殘残漢汉漁渔漸渐潔洁潛潜澤泽濃浓灣湾災灾燒烧營营燦灿爐炉爭争爾尔牽牵狀状獅狮獻献瑪玛畢毕盞盏監监睜睁礎础禪禅"
    "種种積积窮穷競竞築筑簽签糾纠納纳紐纽紛纷紹绍絡络絲丝綁绑維维綱纲緣缘編编縣县繩绳纏缠罷罢羅罗義义聯联聰聪肅肃脈脉腳脚膚肤臨临艱艰莊庄華华萬万蓮莲薦荐蘋苹蘇苏蟲虫蠟蜡衝冲覓觅訂订討讨訓训託托訪访証证評评"
    "詞词該该誇夸誌志誕诞誠诚課课談谈謎谜講讲證证譜谱譯译議议護护貴贵買买貿贸賀贺賴赖賺赚贈赠贏赢趙赵蹤踪軌轨軸轴輔辅輝辉輯辑轟轰辭辞邏逻郵邮鄰邻醜丑鍵键鎖锁鎮镇鏈链鐵铁鑰钥閣阁闆板闖闯陣阵陰阴陳陈陸陆隻只"
    "霧雾韻韵頒颁頌颂頗颇頸颈颱台颳刮餅饼養养饒饶騰腾驅驱鮮鲜鴨鸭鵝鹅鶴鹤鷹鹰鹽盐麵面黨党齒齿龐庞準准係系繫系髒脏剎刹淚泪滅灭滾滚漲涨潑泼澀涩濺溅灑洒煥焕熾炽燭烛爛烂犧牺猶犹獲获瑣琐甕瓮療疗瘋疯癢痒皺皱盜盗"
    "矚瞩碩硕磚砖祿禄禱祷禿秃稜棱穌稣窩窝竊窃筍笋簾帘籠笼紮扎絨绒綿绵緻致縫缝繡绣罈坛翹翘聞闻膽胆艙舱蒼苍蔥葱蕭萧蘆芦虛虚蝦虾蠅蝇襪袜觸触訝讶詢询諒谅諾诺謊谎謹谨譽誉貞贞貧贫貪贪貫贯賊贼賓宾賦赋賢贤賤贱賭赌"
    "趲趱軀躯轄辖轎轿辮辫遞递遜逊遷迁遺遗鄭郑釀酿鈕钮鉛铅銅铜鋒锋錦锦鍋锅鎊镑鏟铲鑽钻閘闸闡阐闢辟陝陕隕陨雋隽雛雏顫颤餵喂饑饥駐驻駛驶驕骄驢驴髏髅鬱郁鯨鲸鳳凤鴉鸦鵲鹊黴霉鼴鼹齡龄"
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
