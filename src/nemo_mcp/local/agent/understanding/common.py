"""Words every request may use: asking for a video at all, undo, low-VRAM mode, and the words that carry no
request of their own (politeness, "this photo", grammar). What is left of a clause after the fillers and
every recognised phrase are taken away is what nobody understood."""

from __future__ import annotations

from nemo_mcp.local.agent.understanding.fold import fold
from nemo_mcp.local.agent.understanding.patterns import chars, compile_, words


def _split(text: str) -> list[str]:
    return text.split()


UNDO = compile_(
    words(
        "undo(?: (?:that|it|this|the last (?:change|edit)))?|revert(?: (?:that|it|the last change))?|"
        "go back(?! to (?!(?:the )?(?:previous|last|before|how|what|the way)))(?: to (?:the )?(?:previous|last|before))?|previous version|put it back|"
        "change it back(?! to)|cancel (?:that|the last (?:change|edit))|deshac\\w*|deshaz\\w*|"
        "vuelve (?:a como estaba|atras|como antes)|como (?:estaba|antes)|"
        "(?:regresa\\w*|vuelve|volver|volta\\w*|reviens?)(?: (?:al|a la|ao|pro|a))? (?:anterior|precedente)|"
        "annule\\w*(?! la musique| le titre)|defai\\w*|reviens? en arriere|comme avant|ruckgangig|"
        "zuruck(?!\\s*zu)|wie vorher|desfaz\\w*|volta(?:r)? (?:atras|como estava)|como estava|"
        "(?:the )?(?:previous|earlier) one|the one before|(?:el|la|o|a) de antes|celle d'avant|l'ancienne|"
        "version (?:d'avant|precedente|anterior)|vorherige version|versao anterior|version from before"
    ),
    chars(
        "さっきの(?:方|ほう|やつ|版|バージョン)|前の(?:方|ほう)がいい|刚才那个版本|之前那个|上一个版本|之前的版本|上一版|前のバージョン|改回来|变回来|换回来|回到之前|恢复到之前|撤销|撤回|还原|恢复原样|回到上一步|改回去|取消刚才|上一步|复原|元に戻|戻して|取り消|アンドゥ"
    ),
)
# What the photo shows ("this pic of my dog at the beach", "这张海边的照片"): a description, not a request.
PHOTO_OF = compile_(
    words(
        "(?:pic|picture|photo|image|shot|snap|foto|imagen|imagem|bild|fotografia|photographie|video|clip) "
        "(?:of|from|de|do|da|dos|das|del|von|vom|du|des|mit) (?:[a-zß']+ )?[a-zß']+"
        "(?: (?!(?:at|in|on|to|en|a|no|na|am|im|auf|sur|dans|nach) )[a-zß']+)?"
        "(?: (?:at|in|on|to|en|a|no|na|am|im|auf|sur|dans|nach) (?:the |la |le |el |o |a |der |dem |den )?[a-zß']+)?"
        "(?: (?:with|con|avec|mit|com) (?:his|her|my|their|su|sus|sa|son|ses|seinem|ihrem|seu|sua|the|el|la|le|der|dem|o|a) [a-zß']+)?"
    ),
    r"[^\s\0,，、。]{1,8}?的(?:照片|图片|相片|图)",
    r"[\u4e00-\u9fff]{1,3}照(?!片)",  # 婚纱照, 毕业照: a kind of photo
    r"[^\s\0、。]{1,8}?の(?:写真|画像)",
    r"[^\s\0、。]{1,10}?(?:ている|た|る)(?:写真|画像)",  # 人が写っている写真, 海で撮った写真
)
# A clause that asks something ("how long can the video be?"): its words do not ask for a video.
QUESTION = compile_(
    r"^\s*(?:"
    + words(
        "what|how|which|why|when|where|who|is there|are there|does it|do you|que|cual|cuanto|cuantos|quoi|comment|quel|quelle|combien|was|wie|welche\\w*|warum|o que|qual|quanto"
    )
    + r"|什么|怎么|多长|多少|为什么|哪|どう|どのくらい|どれくらい|なぜ)"
)
LOW_VRAM = compile_(
    words(
        "low[- ]?(?:vram|memory|gpu|ram)(?: mode)?|no gpu|without (?:a )?gpu|poca memoria|"
        "peu de memoire|wenig (?:speicher|vram)|pouca memoria"
    ),
    chars("低显存|显存低|显存小|低内存|省显存|省メモリ|低vram|vram少"),
)
INTENT = compile_(
    words(
        "animat\\w*|anim(?:e|er|es|ez|ons)|video\\w*|videit[oa]s?|videozinhos?|clips?|movie|film|reels?|"
        "bring (?:it |this )?(?:to life|alive)|make (?:it|this|the (?:photo|picture|image)) move|"
        "motion|slideshow|anima(?:r|lo|la|cion|do|da)?|animier\\w*|pelicula|videoclip|clipe|filme|"
        "render\\w*"
    ),
    chars(
        "视频|动画|动起来|短片|片子|影片|视讯|動画|アニメーション|ムービー|映像|クリップ|動かして|動く|動かす|生成"
    ),
)
# Words that carry no request of their own (politeness, "this photo", grammar): what is left of a clause
# after they and every recognised phrase are taken away is what nobody understood.
_FILLER_BY_LANGUAGE = {
    "en": """need needs needed wanted wants likes photograph photography snapshot orientation layout looking nice pretty amazing lovely beautiful nicely simple simply basic nope sup guys everyone anyone someone anything everything ready asap kindly possibly perhaps probably definitely truly honestly basically literally either neither each every many most least few type part piece side end start beginning final old different total yo a an the this that these those it its it's is are was be been to of for in on at by with without and or but so as into onto
        from up out off over under about my me i you your we our us he she they them him her his their please pls plz thanks thank thx ty
        hi hey hello ok okay yes yeah yep sure cool great nice awesome perfect good fine alright just also now then again too still
        can could would will should shall may might must want wanna need like love let lets let's make made do does did done create
        generate give get got put set use using add turn bring change keep have has had show see some bit little lil slightly really
        very more much most less kinda kind sort maybe actually instead even quite rather better prefer hmm um uh oh well so pic picture
        photo image photos images one ones video clip movie animation version thing something stuff way w/ w u ur im i'm id i'd hope
        there here what how about any all both same other another new last first next whole entire go going thanks! format formats mode
        style effect effects vibe vibes look feel feeling camera shot frame title titles text caption music song sound volume audio track
        seconds second duration length long size ratio speed motion movement convert transform render place move switch apply
        fondo fond fundo hintergrund background
        vaya vayan sean quede fique seja aille aillent soit fasse fassent finalement enfin fug hin meinem meinen meiner
        deinem unserem unseren euren
        about around approximately roughly circa ca etwa ungefahr environ aproximadamente unos uns cerca
        einblenden fahren back appear appears show shows display stay visible uploaded aspect ratio swap flip not dont don't lot lots wait sorry oops rename renombra renomme umbenennen renomeia
        short quick looks looking feels seems behind around across facebook whatsapp twitter linkedin wechat line
        lol lmao haha hahaha omg xd tho btw idk going instead rather throw slap post posting share sharing""",
    "es": """necesito necesita quisiera gustaria podrias puede favor venga bueno buena bonito bonita lindo linda precioso preciosa perfecto perfecta aqui nada todo toda todos cosa cosas tipo parte lado final inicio principio primero primera ultimo ultima nuevo nueva otro otra tan mucho mucha poca bastante solo tampoco quiza quizas tal vez fotografia retrato orientacion diseno version a al algo alla aqui ahora asi bien con como cual de del desde donde el ella en entre era es esa ese eso esta este esto estos
        estas foto fotos gracias hola imagen la las le les lo los me mi mis muy mas mejor menos nada ni no nos o otra otro para pero poco
        por porfa porque puede puedes podrias podria que quiero quisiera quieres se sea ser si sin sobre su sus tambien te tu un una uno
        unos unas vale genial video videos clip haz hazlo hazla hazme hacer hace haga hagas pon ponle ponlo ponla poner usa usar dale dame
        deja dejalo dejala necesito prefiero formato modo estilo efecto camara titulo texto musica cancion sonido volumen segundos duracion
        tamano velocidad movimiento convierte conviertelo conviertela transforma transformalo cambia cambialo cambiala mueve dure dura
        durar quede pueda ponga manera forma agrega agregale anade anadele agregar anadir pon ponle convertir cambiar vea ver mire mueva mueve moverse mismo misma todo toda ya y o ok xfa porfi plis
        oye oiga mira conviertas convierta conviertan transformes hagan pongas yendo vez lugar buenas buenos
        pedirte pedir subir subirlo subirla publicar postear compartir haces corto corta cortito""",
    "fr": """besoin voudrait faites merci coucou beau belle joli jolie super genial parfait parfaite deja ici quelque chose rien tout toute tous toutes truc type facon maniere partie cote fin debut premier premiere dernier derniere nouveau nouvelle meme autre tres assez seulement peut-etre etre photographie orientation mise a au aux avec bien bonjour ce cet cette ces ci comme dans de des du elle en encore est et etre fais faire fait il je j'ai la le
        les leur lui ma mais me merci mes moi mon ne ni nous on ou par pas peu plus pour pourrais pourriez pourrait puis que qui sa salut
        se ses si son sur ta te tes toi ton tres tu un une vos votre vous s'il plait svp stp voudrais veux veut aimerais j'aimerais
        maintenant aussi photo image video clip rends rend mets mettre met utilise utiliser garde change changer deplace place transforme
        transformer convertis plutot prefere format mode style effet camera plan titre texte musique chanson son volume secondes duree
        taille vitesse mouvement pendant beaucoup sous tout toute tous rends-la rends-le mets-la mets-le fais-en fais-la fais-le fais-moi
        moi-meme ok d'accord ca cela ceci peux peut pouvez pourrais pourriez pourrait ajoute ajouter rajoute transformer convertir voir passe passer bouge bouger
        coucou reviens revenir retourne allant lieu plutot est-ce""",
    "de": """brauche brauchst brauchte mochtest moechte haette schon schoen toll super perfekt hier nichts alles ding sache art weise teil seite ende anfang erste letzte neue neu gleiche andere viel wenig ziemlich nur vielleicht fotografie aufnahme ausrichtung einfach halt eben nein klar aber alle als also am an auch auf aus bei bild bitte bisschen da danke dann das dass dazu dein deine dem den der des dich die
        dies diese diesem diesen dieser dieses dir doch du durch ein eine einem einen einer es etwas euch fur gern gerne gib hallo hatte
        ich ihm ihn ihr im in ist ja jetzt kannst konntest konnen lass lieber mach mache machen mal man mein meine mich mir mit mochte
        nicht noch nur ob oder sehr sein sie so soll sollte uber um und uns unser vom von vor wie will wir zu zum zur foto video clip
        erstelle nimm verwende benutze verwandle wandle setze setz platziere verschiebe andere besser format modus stil effekt kamera
        titel text musik lied ton lautstarke sekunden dauer lang lange grosse geschwindigkeit bewegung daraus davon bitteschon okay fuge hinzu hinzufugen einfugen umwandeln wechsle wechseln sehen bewegt
        moin servus statt anstatt kurz kurzes kurze kleines""",
    "pt": """preciso precisa poderia conseguir obrigado obrigada ola bom boa bonito bonita lindo linda legal otimo perfeito perfeita aqui algo nada toda todos coisa tipo jeito forma maneira parte lado final inicio primeiro primeira ultimo ultima novo nova mesmo mesma outro outra muita pouca bastante talvez fotografia retrato orientacao versao a ao aos as com como da das de dela dele do dos e ela ele em essa esse esta este eu faz faca fazer foto fotos imagem isso
        ja la lhe mais me meu minha muito na nas no nos num numa o obrigado obrigada oi ola os ou para pela pelo pode podes poderia por
        porque pouco pra pro que quero queria gostaria se sem seu sua tambem te teu tua tudo um uma umas uns voce vc video videos clipe
        agora bem coloca colocar poe bota usa usar deixa deixe dessa desta deste desse nessa nesta sobre consegue consegues melhor prefiro
        formato modo estilo efeito camera titulo texto musica cancao som volume segundos duracao tamanho velocidade movimento transforma
        converte muda troca favor ok adiciona acrescenta poe bota transformar converter mudar veja ver mova mexa pfv pfvr vlw
        indo vindo vez lugar""",
}
FILLER_WORDS = frozenset(fold(word) for words_ in _FILLER_BY_LANGUAGE.values() for word in _split(words_))
_CJK_FILLER_TEXT = """
    一支 支 一部 部 一条 条 一幅 幅 动作 东西 一下子 好看 漂亮 不错 完美 可以吗 行吗 好吗 谢啦 感谢 拜托 整 弄个 来一个 需要 希望 觉得 应该
    動き 動作 下さい おねがい できますか できる ほしい 欲しい たい したい 作りたい きれい 綺麗 いい 良い 素敵 すてき ような ように バージョン
    移动 首 那首 这首 降到 降低到 调低到 提高到 调高到 升到 刚 刚才
    字体 字号 大小 颜色 位置 显示 适合 发 朋友圈 微信 微博 表示 表示して 変えて 変更 替えて 切り替えて
    标题 题目 文字 文案 字幕 音乐 配乐 背景音乐 歌 音量 声音 镜头 画面 时长 长度 时间 格式 比例 速度 运镜 效果 风格 感觉 尺寸 放到 放在 移到 挪到 设置成
    设成 调到 调成 变得 弄得 整个 一整 做得 来个 搞 搞个 给它 让它 使它 タイトル テキスト 文字 テロップ 音楽 曲 音量 カメラ 長さ 時間 速度 スピード 動き
    形式 フォーマット 感じ 雰囲気 アップロードした 请 帮我 帮忙 帮 麻烦 把 将 这张 这个 这 那张 张 照片 图片 相片 图 视频 影片 做成 弄成 变成 做个 做一个
    做一段 做 弄 生成 制作 一个 一段 个 段 的 了 吧 啊 呢 哦 嗯 呀 嘛 谢谢 给我 我想 我要 想要 想 要 能不能 可以 能 一下 一点 点 稍微 有点 再 也 就
    用 和 跟 并 成 为 加 加上 加点 加个 添加 上 吗 你好 好 好的 吧 现在 改成 改为 换成 调成 设为 改 换 调 设置 模式 用来 搭配 配上 配 放 放到 放在
    移到 把它 它 要求 效果 一些 些 稍 更 很 非常 还是 感觉 样子 一样 有 带 带上 小视频 短视频 来 然后 我 你 们 下 效果的 风格的 的话 就行 即可 左右
    大约 大概 この その 写真 画像 動画 にして して ください お願いします お願い を に で は が の と て も から まで ちょっと 少し もう少し もっと ね よ
    な です ます 作って 作る 作成 使って 使う つけて 付けて 追加 入れて 感じ 感じで みたいな みたい くらい ぐらい ほど 用 向け 用に にする する です
    すみません ありがとう こんにちは もらえますか もらえる いただけますか 効果 も
    节奏 贴文 帖子 发帖 不是 而是 是 じゃなくて ではなく 全体的に 全体 整体 总体 さっき
"""
# Longest first, then a fixed order: stripping never depends on hashing.
CJK_FILLER = tuple(
    sorted({fold(word) for word in _split(_CJK_FILLER_TEXT)}, key=lambda word: (-len(word), word))
)
