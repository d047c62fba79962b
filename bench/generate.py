#!/usr/bin/env python3
"""Generate a synthetic "timeline/1" file of any size, as a benchmark input.

The loader, the queries and the explorer must stay fast on timelines of up to a million
events, and a real story never has that many. This script makes one that looks like the
real thing where it matters for speed and correctness:

* about N/20 actors, N/5 sources, N events and N quotes, all cross-referenced by id;
* Zipf-like popularity: a few actors (and tags) appear in a large share of the events,
  most are rare, so per-actor and per-tag queries cover both hot and cold keys;
* honest dates of mixed precision (year, month, day, minute with a UTC offset), with
  ``?``/``~``/``%`` qualifiers and intervals (some open-ended), clustered around "hot"
  days, written in a shuffled (not date-sorted) order, so the loader has to sort;
* text in several scripts and languages (English, Spanish with accents, Chinese,
  Arabic, Hebrew, Cyrillic, emoji) so case- and accent-insensitive search and
  right-to-left / wide-character rendering are exercised; quotes sometimes carry the
  original words next to an English translation.

Usage::

    python bench/generate.py N [--seed S] [--jsonl] [-o FILE]

N is a count of events: ``1000``, ``10k``, ``100k``, ``1M`` (also ``2.5k``, ``1_000``).
The output goes to stdout, or to FILE (written to a temporary file in the same folder,
then renamed over FILE). It is streamed record by record, so memory stays small even for
N = 1M. The same N and seed always give byte-identical output: every random draw comes
from ``random.Random(seed).random()`` (whose sequence is stable across Python versions),
and nothing depends on the clock or on hash order. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as _dt
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from array import array

FORMAT = "timeline/1"
FIRST_DAY = _dt.date(2000, 1, 1)
LAST_DAY = _dt.date(2025, 12, 31)

# --- text building blocks -------------------------------------------------------------------
# Text languages; the phrase tables below give each phrase in all of them, in this order,
# so a quote can carry its original words and an (approximate) English translation.
LANGS = ("en", "es", "zh", "ar", "he", "ru")
# Share of events / sources / quotes written mainly in each language.
LANG_WEIGHTS = (50, 25, 7, 7, 4, 7)

# verb: en singular | en plural | en past | es singular | es plural | es past sg | es past pl
#       | zh | ar | he | ru
_VERBS = """
announces|announce|announced|anuncia|anuncian|anunció|anunciaron|宣布|يعلن|מודיע על|объявляет
rejects|reject|rejected|rechaza|rechazan|rechazó|rechazaron|拒绝|يرفض|דוחה את|отклоняет
signs|sign|signed|firma|firman|firmó|firmaron|签署|يوقع|חותם על|подписывает
denies|deny|denied|niega|niegan|negó|negaron|否认|ينفي|מכחיש את|отрицает
confirms|confirm|confirmed|confirma|confirman|confirmó|confirmaron|确认|يؤكد|מאשר את|подтверждает
calls for|call for|called for|pide|piden|pidió|pidieron|呼吁|يدعو إلى|קורא ל|призывает к
launches|launch|launched|lanza|lanzan|lanzó|lanzaron|启动|يطلق|משיק את|запускает
suspends|suspend|suspended|suspende|suspenden|suspendió|suspendieron|暂停|يعلق|משעה את|приостанавливает
approves|approve|approved|aprueba|aprueban|aprobó|aprobaron|批准|يوافق على|מאשר את|одобряет
criticizes|criticize|criticized|critica|critican|criticó|criticaron|批评|ينتقد|מבקר את|критикует
investigates|investigate|investigated|investiga|investigan|investigó|investigaron|调查|يحقق في|חוקר את|расследует
postpones|postpone|postponed|posterga|postergan|postergó|postergaron|推迟|يؤجل|דוחה את|откладывает
warns about|warn about|warned about|advierte sobre|advierten sobre|advirtió sobre|advirtieron sobre|警告|يحذر من|מזהיר מפני|предупреждает о
backs|back|backed|respalda|respaldan|respaldó|respaldaron|支持|يدعم|תומך ב|поддерживает
questions|question|questioned|cuestiona|cuestionan|cuestionó|cuestionaron|质疑|يشكك في|מטיל ספק ב|ставит под сомнение
defends|defend|defended|defiende|defienden|defendió|defendieron|捍卫|يدافع عن|מגן על|защищает
"""

# object: en | es | zh | ar | he | ru
_OBJECTS = """
a new budget plan|un nuevo plan de presupuesto|新预算计划|خطة ميزانية جديدة|תוכנית תקציב חדשה|новый бюджетный план
emergency measures|medidas de emergencia|紧急措施|إجراءات طارئة|צעדי חירום|чрезвычайные меры
a trade agreement|un acuerdo comercial|贸易协定|اتفاقية تجارية|הסכם סחר|торговое соглашение
the pension reform|la reforma de pensiones|养老金改革|إصلاح نظام التقاعد|הרפורמה בפנסיה|пенсионную реформу
energy subsidies|los subsidios a la energía|能源补贴|دعم الطاقة|סובסידיות לאנרגיה|энергетические субсидии
the election timetable|el cronograma electoral|选举时间表|الجدول الزمني للانتخابات|לוח הזמנים של הבחירות|график выборов
a ceasefire proposal|una propuesta de alto el fuego|停火提议|مقترح وقف إطلاق النار|הצעת הפסקת אש|предложение о прекращении огня
water rationing|el racionamiento de agua|限水措施|تقنين المياه|קיצוב מים|ограничения на воду
the press freedom bill|la ley de libertad de prensa|新闻自由法案|قانون حرية الصحافة|חוק חופש העיתונות|законопроект о свободе прессы
a fare increase|el aumento de tarifas|票价上涨|زيادة الأسعار|העלאת מחירים|повышение тарифов
the mining contracts|los contratos mineros|采矿合同|عقود التعدين|חוזי הכרייה|контракты на добычу
the public information law|la ley de información pública|信息公开法|قانون المعلومات العامة|חוק המידע הציבורי|закон о публичной информации
a housing program|un programa de vivienda|住房计划|برنامج الإسكان|תוכנית דיור|жилищную программу
the central bank's rate decision|la decisión de tasas del banco central|央行利率决定|قرار سعر الفائدة|החלטת הריבית|решение по ставке
the privatization of the state company|la privatización de la compañía estatal|国企私有化|خصخصة الشركة الحكومية|הפרטת החברה הממשלתית|приватизацию госкомпании
the judicial reform|la reforma judicial|司法改革|الإصلاح القضائي|הרפורמה המשפטית|судебную реформу
new border controls|nuevos controles fronterizos|新的边境管制|ضوابط حدودية جديدة|בקרות גבול חדשות|новый пограничный контроль
the vaccination campaign|la campaña de vacunación|疫苗接种运动|حملة التطعيم|מבצע החיסונים|кампанию вакцинации
the teachers' strike|la huelga docente|教师罢工|إضراب المعلمين|שביתת המורים|забастовку учителей
the autumn harvest forecast|el pronóstico de la cosecha de otoño|秋收预测|توقعات حصاد الخريف|תחזית הקציר|прогноз осеннего урожая
the wildfire response|la respuesta a los incendios forestales|山火应对|الاستجابة لحرائق الغابات|הטיפול בשריפות|борьбу с лесными пожарами
the children's hospital project|el proyecto del hospital de niños|儿童医院项目|مشروع مستشفى الأطفال|פרויקט בית החולים לילדים|проект детской больницы
the fishing quota|la cuota de pesca|捕鱼配额|حصة الصيد|מכסת הדיג|квоту на вылов
the corruption inquiry|la investigación por corrupción|腐败调查|التحقيق في الفساد|חקירת השחיתות|расследование коррупции
the new metro line|la nueva línea de metro|新地铁线路|خط المترو الجديد|קו הרכבת הקלה החדש|новую линию метро
the minimum wage increase|el aumento del salario mínimo|最低工资上调|رفع الحد الأدنى للأجور|העלאת שכר המינימום|повышение минимальной зарплаты
"""

# tail: en | es | zh | ar | he | ru
_TAILS = """
amid protests|en medio de protestas|在抗议声中|وسط احتجاجات|על רקע מחאות|на фоне протестов
after weeks of talks|tras semanas de negociación|经过数周谈判后|بعد أسابيع من المحادثات|לאחר שבועות של שיחות|после недель переговоров
ahead of the vote|antes de la votación|在投票前|قبل التصويت|לקראת ההצבעה|накануне голосования
despite criticism|pese a las críticas|尽管遭到批评|رغم الانتقادات|למרות הביקורת|несмотря на критику
following the report|tras el informe|在报告发布后|عقب التقرير|בעקבות הדוח|после доклада
as markets fall|mientras caen los mercados|随着市场下跌|مع تراجع الأسواق|בזמן שהשווקים יורדים|на фоне падения рынков
in a late-night session|en una sesión nocturna|在深夜会议上|في جلسة ليلية|בישיבת לילה|на ночном заседании
this year|este año|今年|هذا العام|השנה|в этом году
according to officials|según fuentes oficiales|据官员称|حسب مسؤولين|לדברי גורמים רשמיים|по словам чиновников
after the court ruling|tras el fallo judicial|在法院裁决后|بعد حكم المحكمة|לאחר פסק הדין|после решения суда
during the Congress session|durante la sesión del Congreso|在国会会议期间|خلال جلسة البرلمان|במהלך ישיבת הכנסת|во время заседания парламента
amid the drought|en plena sequía|在干旱期间|في ظل الجفاف|בעיצומה של הבצורת|в условиях засухи
before the summit|antes de la cumbre|在峰会前|قبل القمة|לפני הפסגה|перед саммитом
after the earthquake|después del sismo|地震发生后|بعد الزلزال|לאחר רעידת האדמה|после землетрясения
"""

# generic subject: en | en number (s/p) | es | es number | zh | ar | he | ru
_SUBJECTS = """
officials|p|los funcionarios|p|官员|المسؤولون|פקידים|чиновники
the government|s|el gobierno|s|政府|الحكومة|הממשלה|правительство
opposition lawmakers|p|los legisladores de la oposición|p|反对派议员|نواب المعارضة|חברי האופוזיציה|оппозиционные депутаты
the union|s|el sindicato|s|工会|النقابة|האיגוד|профсоюз
local residents|p|los vecinos|p|当地居民|السكان المحليون|התושבים|местные жители
the central bank|s|el banco central|s|央行|البنك المركزي|הבנק המרכזי|центральный банк
prosecutors|p|los fiscales|p|检察官|المدعون العامون|התובעים|прокуроры
the mayor's office|s|la alcaldía|s|市长办公室|مكتب رئيس البلدية|לשכת ראש העיר|мэрия
the ministry|s|el ministerio|s|部委|الوزارة|המשרד|министерство
students|p|los estudiantes|p|学生|الطلاب|הסטודנטים|студенты
the company|s|la compañía|s|公司|الشركة|החברה|компания
a spokesperson|s|una portavoz|s|发言人|متحدث رسمي|דובר|пресс-секретарь
business leaders|p|los empresarios|p|企业领袖|رجال الأعمال|אנשי עסקים|предприниматели
the electoral court|s|el tribunal electoral|s|选举法院|المحكمة الانتخابية|ועדת הבחירות|избирательный суд
"""


def _table(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


VERBS = _table(_VERBS)
OBJECTS = _table(_OBJECTS)
TAILS = _table(_TAILS)
SUBJECTS = _table(_SUBJECTS)

# Quote-like sentences (first person); {O} an object phrase, {T} a tail phrase.
QUOTE_TEMPLATES = (
    ("We will not accept {O} {T}.", "No vamos a aceptar {O} {T}.", "我们不会接受{O}。",
     "لن نقبل {O} {T}.", "לא נקבל את {O} {T}.", "Мы не примем {O} {T}."),
    ("The people deserve answers about {O}.", "La gente merece respuestas sobre {O}.",
     "人民应该得到关于{O}的答案。", "الناس يستحقون إجابات بشأن {O}.",
     "הציבור ראוי לתשובות בנוגע ל{O}.", "Люди заслуживают ответов про {O}."),
    ("I have always supported {O}, and I still do.", "Siempre apoyé {O} y lo sigo haciendo.",
     "我一直支持{O}，现在也是。", "لقد دعمت دائما {O} وما زلت أفعل.",
     "תמיד תמכתי ב{O} ואני עדיין תומך.", "Я всегда поддерживал {O} и поддерживаю сейчас."),
    ("Nobody told us about {O} until it was too late.",
     "Nadie nos avisó sobre {O} hasta que fue demasiado tarde.",
     "直到为时已晚，才有人告诉我们{O}的事。", "لم يخبرنا أحد عن {O} حتى فات الأوان.",
     "אף אחד לא סיפר לנו על {O} עד שהיה מאוחר מדי.",
     "Никто не сказал нам про {O}, пока не стало слишком поздно."),
    ("This is not the time to talk about {O}; it is the time to act.",
     "No es momento de hablar de {O}, es momento de actuar.",
     "现在不是谈论{O}的时候，而是行动的时候。", "هذا ليس وقت الحديث عن {O}، بل وقت العمل.",
     "זה לא הזמן לדבר על {O}, זה הזמן לפעול.", "Сейчас не время говорить про {O}, пора действовать."),
    ("Our position on {O} has not changed {T}.", "Nuestra posición sobre {O} no cambió {T}.",
     "我们对{O}的立场没有改变。", "موقفنا من {O} لم يتغير {T}.",
     "עמדתנו לגבי {O} לא השתנתה {T}.", "Наша позиция по вопросу «{O}» не изменилась {T}."),
)

# Emoji, including flags (two code points) and one with a variation selector.
EMOJI = ("🚨", "📢", "🇦🇷", "🇲🇽", "🇪🇸", "🇺🇦", "🔥", "⚠️", "📈", "🗳️")

TAGS = (
    "politics", "economy", "elections", "protest", "courts", "corruption", "health", "energy",
    "environment", "education", "labor", "security", "migration", "technology", "media",
    "human-rights", "diplomacy", "trade", "housing", "transport", "agriculture", "mining",
    "climate", "water", "inflation", "pensions", "budget", "police", "military", "ceasefire",
    "press-freedom", "religion", "sports", "culture", "justicia", "economía", "elecciones",
    "protestas", "salud", "educación", "corrupción", "minería", "政治", "经济", "选举",
    "اقتصاد", "سياسة", "בחירות", "выборы", "экономика",
)

EVENT_ROLES = ("speaker", "target", "organizer", "witness", "subject", "mediator",
               "defendant", "plaintiff", "portavoz", "host")
PERSON_ROLES = ("minister", "spokesperson", "journalist", "senator", "activist", "judge",
                "chief executive", "mayor", "union leader", "economist", "diputada", "portavoz",
                "fiscal", "periodista", "ambassador", "governor")
NOTES = (
    "Date inferred from the publication date of the first report.",
    "Casualty figures differ between sources.",
    "Fecha aproximada según testigos.",
    "Los medios locales informaron una cifra distinta.",
    "Only one outlet reported this; awaiting confirmation.",
    "Time given in local time; offset taken from the source.",
    "日期根据官方声明推定。",
    "التاريخ تقريبي بحسب الشهود.",
    "Part of a series of related incidents.",
    "Según la fiscalía, la investigación sigue abierta.",
)

# --- names ----------------------------------------------------------------------------------
# Person-name scripts: (weight, given names, family names, family-first?, joiner, countries).
# Non-Latin names are (native, romanized) pairs; the romanized form becomes an alias.
_LATIN_GIVEN = ("José María Inés Raúl Sofía Martín Julián Lucía Ramón Begoña Joaquín Andrés "
                "Íñigo Ángela João Conceição François Hélène Jürgen Søren Zoë Björn Agustín "
                "Florencia Valentín Ximena Cristóbal Mónica Héctor Verónica").split()
_LATIN_FAMILY = ("Álvarez Núñez Pérez Gómez Fernández Rodríguez Martínez Sánchez Muñoz Ibáñez "
                 "Peña Castañeda Ordóñez Gonçalves Müller Côté Lefèvre Brandão Echeverría "
                 "Zúñiga Benítez Quiñones Larrañaga Domínguez Giménez Herrera Acuña").split()
_EN_GIVEN = "John Mary Robert Patricia Michael Jennifer David Linda James Sarah Emily Daniel".split()
_EN_FAMILY = "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark O'Brien Walsh".split()


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(p.split(":")) for p in text.split()]


PERSON_SCRIPTS = (
    (34, [(n, n) for n in _LATIN_GIVEN], [(n, n) for n in _LATIN_FAMILY], False, " ",
     ("AR", "MX", "ES", "CL", "CO", "UY", "PE", "BR", "FR", "DE")),
    (18, [(n, n) for n in _EN_GIVEN], [(n, n) for n in _EN_FAMILY], False, " ",
     ("US", "GB", "CA", "AU", "IE", "ZA")),
    (8, _pairs("伟:Wei 芳:Fang 娜:Na 敏:Min 静:Jing 磊:Lei 强:Qiang 洋:Yang 艳:Yan 杰:Jie 秀英:Xiuying 建华:Jianhua"),
     _pairs("王:Wang 李:Li 张:Zhang 刘:Liu 陈:Chen 杨:Yang 赵:Zhao 黄:Huang 周:Zhou 吴:Wu"), True, "",
     ("CN", "TW", "SG")),
    (4, _pairs("花子:Hanako 太郎:Taro 健:Ken 由美:Yumi 翔:Sho 美咲:Misaki"),
     _pairs("佐藤:Sato 鈴木:Suzuki 高橋:Takahashi 田中:Tanaka 渡辺:Watanabe"), True, "", ("JP",)),
    (3, _pairs("민준:Min-jun 서연:Seo-yeon 지호:Ji-ho 하은:Ha-eun"),
     _pairs("김:Kim 이:Lee 박:Park 최:Choi 정:Jung"), True, "", ("KR",)),
    (11, _pairs("محمد:Mohammed أحمد:Ahmed فاطمة:Fatima علي:Ali خالد:Khaled ليلى:Layla يوسف:Youssef مريم:Maryam نور:Nour"),
     _pairs("العلي:al-Ali الحسن:al-Hassan منصور:Mansour حداد:Haddad الخطيب:al-Khatib سعيد:Said عبدالله:Abdullah"),
     False, " ", ("EG", "LB", "JO", "SA", "MA", "TN")),
    (6, _pairs("דוד:David שרה:Sarah יוסי:Yossi מיכל:Michal אבי:Avi נועה:Noa רונית:Ronit"),
     _pairs("כהן:Cohen לוי:Levi מזרחי:Mizrahi פרץ:Peretz ביטון:Biton אברהם:Avraham"), False, " ", ("IL",)),
    (12, _pairs("Иван:Ivan Ольга:Olga Дмитрий:Dmitry Анна:Anna Сергей:Sergey Наталья:Natalia "
                "Олександр:Oleksandr Юлія:Yuliia Андрій:Andriy Ірина:Iryna"),
     _pairs("Петров:Petrov Иванова:Ivanova Смирнов:Smirnov Коваленко:Kovalenko Шевченко:Shevchenko "
            "Бондаренко:Bondarenko Волкова:Volkova Ткаченко:Tkachenko"), False, " ", ("UA", "RU", "KZ")),
    (4, _pairs("Νίκος:Nikos Μαρία:Maria Γιώργος:Giorgos Ελένη:Eleni"),
     _pairs("Παπαδόπουλος:Papadopoulos Γεωργίου:Georgiou Οικονόμου:Oikonomou"), False, " ", ("GR", "CY")),
)

# Places by script: (native, romanized). Used for event places and organisation names.
PLACES = {
    "latin": [(p, p) for p in (
        "Córdoba", "Bogotá", "San José", "Mendoza", "Asunción", "Valparaíso", "Medellín",
        "Mérida", "São Paulo", "Zürich", "Málaga", "León", "Neuquén", "Río Cuarto", "Tucumán",
        "Ciudad de México", "Montréal", "Kraków", "Buenos Aires", "Concepción", "Querétaro")],
    "en": [(p, p) for p in ("London", "Chicago", "Toronto", "Sydney", "Cape Town", "Dublin",
                            "Manchester", "Denver")],
    "zh": _pairs("北京:Beijing 上海:Shanghai 广州:Guangzhou 台北:Taipei 成都:Chengdu 武汉:Wuhan"),
    "ja_ko": _pairs("東京:Tokyo 大阪:Osaka 서울:Seoul 부산:Busan"),
    "ar": [("القاهرة", "Cairo"), ("بيروت", "Beirut"), ("عمّان", "Amman"), ("الرياض", "Riyadh"),
           ("الدار البيضاء", "Casablanca"), ("تونس", "Tunis")],
    "he": [("תל אביב", "Tel Aviv"), ("ירושלים", "Jerusalem"), ("חיפה", "Haifa"), ("באר שבע", "Beersheba")],
    "cyr": _pairs("Київ:Kyiv Москва:Moscow Харків:Kharkiv Одеса:Odesa Новосибирск:Novosibirsk Алматы:Almaty"),
    "el": _pairs("Αθήνα:Athens Θεσσαλονίκη:Thessaloniki"),
}
ALL_PLACES = [p for group in PLACES.values() for p, _ in group]
PLACE_COUNTRY = ("Argentina", "México", "España", "Colombia", "Perú", "Україна", "中国", "مصر",
                 "ישראל", "Ελλάδα", "Canada", "Brasil")

# Organisation templates by script: kind -> [(native template, romanized template)].
# Latin-script names are romanized by stripping accents.
_ORG_KINDS = ("organization", "government", "institution", "group", "other")
ORG_TEMPLATES = {
    "latin": {
        "organization": ["Compañía Minera de {p}", "Cámara de Comercio de {p}", "Energía de {p} S.A.",
                         "Cooperativa Agrícola de {p}", "Transportes Unidos de {p}",
                         "Sindicato de Trabajadores Metalúrgicos de {p}"],
        "government": ["Gobierno de {p}", "Municipalidad de {p}", "Gobernación de {p}",
                       "Secretaría de Energía de {p}", "Ministerio de Economía de {p}"],
        "institution": ["Universidad Nacional de {p}", "Tribunal Superior de {p}",
                        "Instituto de Estadística de {p}", "Defensoría del Pueblo de {p}"],
        "group": ["Movimiento Vecinal de {p}", "Asamblea Ciudadana de {p}", "Frente Estudiantil de {p}",
                  "Colectivo Árbol de {p}"],
        "other": ["Club Atlético {p}", "Festival de Cine de {p}", "Parroquia San Martín de {p}"],
    },
    "en": {
        "organization": ["{p} Energy Corp", "{p} Logistics Group", "{p} Workers Federation"],
        "government": ["City of {p}", "{p} County Council", "{p} Department of Transport"],
        "institution": ["University of {p}", "{p} High Court", "{p} Institute of Statistics"],
        "group": ["{p} Tenants Union", "Friends of {p} Park"],
        "other": ["{p} Film Festival", "{p} Football Club"],
    },
    "zh": {
        "organization": [("{p}能源集团", "{p} Energy Group"), ("{p}矿业公司", "{p} Mining Company")],
        "government": [("{p}市政府", "{p} Municipal Government")],
        "institution": [("{p}大学", "{p} University"), ("{p}高级法院", "{p} High Court")],
        "group": [("{p}环保志愿者协会", "{p} Environmental Volunteers")],
        "other": [("{p}电影节", "{p} Film Festival")],
    },
    "ar": {
        "organization": [("شركة {p} للطاقة", "{p} Energy Company")],
        "government": [("محافظة {p}", "{p} Governorate")],
        "institution": [("جامعة {p}", "University of {p}")],
        "group": [("اتحاد طلاب {p}", "{p} Student Union")],
        "other": [("مهرجان {p} السينمائي", "{p} Film Festival")],
    },
    "he": {
        "organization": [("חברת החשמל של {p}", "{p} Electric Company")],
        "government": [("עיריית {p}", "{p} Municipality")],
        "institution": [("אוניברסיטת {p}", "{p} University")],
        "group": [("תנועת התושבים של {p}", "{p} Residents Movement")],
        "other": [("פסטיבל הסרטים של {p}", "{p} Film Festival")],
    },
    "cyr": {
        "organization": [("Энергокомпания «{p}»", "{p} Energy Company")],
        "government": [("Администрация г. {p}", "{p} City Administration")],
        "institution": [("Университет г. {p}", "{p} University")],
        "group": [("Движение «Чистый {p}»", "Clean {p} Movement")],
        "other": [("Кинофестиваль «{p}»", "{p} Film Festival")],
    },
}
ORG_SCRIPTS = (("latin", 45), ("en", 20), ("zh", 10), ("ar", 10), ("he", 7), ("cyr", 8))
ORG_COUNTRIES = {"latin": ("AR", "MX", "ES", "CL", "CO", "UY"), "en": ("US", "GB", "CA", "AU"),
                 "zh": ("CN", "TW"), "ar": ("EG", "LB", "JO"), "he": ("IL",), "cyr": ("UA", "RU")}
ACTOR_KINDS = (("person", 60), ("organization", 14), ("government", 9), ("institution", 8),
               ("group", 6), ("other", 3))

# Publishers (fictional) by text language: (name, url slug).
PUBLISHERS = {
    "en": ["The Harbor Ledger", "Northwind Wire", "Metro Evening Post", "Global Desk News",
           "The Daily Lantern", "Riverside Chronicle"],
    "es": ["Diario Ñandú", "La Gaceta del Río", "Crónica Austral", "El Informador Andino",
           "Página Sur", "Noticias de León"],
    "zh": ["东方晨报", "新星日报", "南方观察"],
    "ar": ["صحيفة الفجر الجديد", "أخبار المدينة"],
    "he": ["חדשות הבוקר", "הזמן הישראלי"],
    "ru": ["Вечерний вестник", "Новая заря", "Громадське слово"],
}
PUBLISHER_SLUGS = {"东方晨报": "dongfang-chenbao", "新星日报": "xinxing-ribao", "南方观察": "nanfang-guancha",
                   "صحيفة الفجر الجديد": "al-fajr", "أخبار المدينة": "akhbar-al-madina",
                   "חדשות הבוקר": "hadashot-haboker", "הזמן הישראלי": "hazman",
                   "Вечерний вестник": "vecherniy-vestnik", "Новая заря": "novaya-zarya",
                   "Громадське слово": "hromadske-slovo"}
PLATFORMS = ("Chirp", "Fotogram", "Clipstream", "微言", "Telegrama")
BROADCASTERS = ("Canal 9 Noticias", "Radio Continental Sur", "Evening Report TV", "Радио Свобода Юг",
                "قناة الشرق", "Newsround 24")
SOURCE_KINDS = (("article", 55), ("social-post", 15), ("statement", 10), ("official-document", 8),
                ("broadcast", 7), ("other", 5))
DOC_TITLES = ("Decree {n}/{y} on {O}", "Decreto {n}/{y} sobre {O}", "第{n}号令：关于{O}",
              "مرسوم رقم {n} لسنة {y} بشأن {O}", "צו מס' {n} בעניין {O}", "Указ № {n} от {y} г. про {O}")
STATEMENT_TITLES = ("Statement on {O}", "Comunicado sobre {O}", "关于{O}的声明", "بيان بشأن {O}",
                    "הודעה בנוגע ל{O}", "Заявление про {O}")
OTHER_TITLES = ("Leaked memo on {O}", "Memorando filtrado sobre {O}", "关于{O}的内部备忘录",
                "مذكرة مسربة بشأن {O}", "מזכר שדלף על {O}", "Утечка записки про {O}")

WEEKDAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")}
MONTHS = {"en": ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"),
          "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                 "septiembre", "octubre", "noviembre", "diciembre")}
OFFSETS = ("Z", "Z", "+00:00", "-03:00", "-03:00", "+01:00", "+02:00", "-05:00", "-04:00",
           "+05:30", "+08:00", "+09:00", "+03:00", "-06:00")

# --- helpers --------------------------------------------------------------------------------
_TRANSLIT = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
                           "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def unaccent(text: str) -> str:
    """"José Álvarez Núñez" -> "Jose Alvarez Nunez" (Latin letters only; others unchanged)."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def slugify(text: str) -> str:
    return _NON_SLUG.sub("-", unaccent(text).lower()).strip("-")


def parse_count(text: str) -> int:
    """"1000", "10k", "2.5k", "1M", "1_000" -> an int."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text.replace("_", "").replace(",", ""))
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a count (try 1000, 10k, 100k or 1M)")
    value = float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    if value != int(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of events")
    return int(value)


def cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class Gen:
    """All the generator state; every draw comes from ``self.r`` (random.Random.random)."""

    def __init__(self, n: int, seed: int):
        self.n = n
        self.seed = seed
        self.r = random.Random(seed).random
        r = self.r
        self.n_actors = max(5, round(n / 20))
        self.n_sources = max(5, round(n / 5))
        self.w_ev = len(str(max(n - 1, 1)))
        self.w_src = len(str(self.n_sources - 1))
        self.w_q = self.w_ev

        # Days 2000-01-01 .. 2025-12-31 as strings, with weekdays; a few "hot" news days.
        nd = (LAST_DAY - FIRST_DAY).days + 1
        days = [FIRST_DAY + _dt.timedelta(d) for d in range(nd)]
        self.days = [d.isoformat() for d in days]
        self.weekday = bytes(d.weekday() for d in days)
        self.nd = nd
        self.hot = [int(nd * r() ** 0.7) for _ in range(max(20, min(600, n // 500)))]

        # Zipf weights ~ 1/rank^1.1 (actors: rank = index) and for tags.
        self.actor_cum = cumulative(1.0 / (k + 1) ** 1.1 for k in range(self.n_actors))
        self.tag_cum = cumulative(1.0 / (k + 1) ** 1.1 for k in range(len(TAGS)))
        self.lang_cum = cumulative(LANG_WEIGHTS)

        # Sentence pools, parallel across languages (pool[lang][k] are translations).
        self.sent_pool = self._sentence_pool(3000)
        self.quote_pool = self._quote_pool(2000)

        self.actor_ids: list[str] = []
        self.actor_names: list[str] = []
        self.persons: list[int] = []
        self.orgs: list[int] = []
        self.govs: list[int] = []

    # -- small draws --
    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def weighted(self, pairs):
        """pairs: ((value, weight), ...) -> a value."""
        x = self.r() * sum(w for _, w in pairs)
        for value, w in pairs:
            x -= w
            if x < 0:
                return value
        return pairs[-1][0]

    def lang(self) -> int:
        return bisect.bisect(self.lang_cum, self.r() * self.lang_cum[-1])

    def zipf_actor(self) -> int:
        cum = self.actor_cum
        return min(bisect.bisect(cum, self.r() * cum[-1]), len(cum) - 1)

    def day(self) -> int:
        r = self.r
        if r() < 0.35:
            d = self.hot[int(r() * len(self.hot))] + int((r() - 0.5) * 16)
            return 0 if d < 0 else (self.nd - 1 if d >= self.nd else d)
        return int(self.nd * r() ** 0.8)  # somewhat more news in recent years

    def time_of_day(self) -> str:
        r = self.r
        t = f"T{int(r() * 24):02d}:{int(r() * 60):02d}"
        if r() < 0.3:
            t += f":{int(r() * 60):02d}"
        return t + OFFSETS[int(r() * len(OFFSETS))]

    def qualifier(self) -> str:
        x = self.r()
        return "~" if x < 0.10 else "?" if x < 0.15 else "%" if x < 0.17 else ""

    # -- text --
    def _sentence_pool(self, size: int) -> list[list[str]]:
        r, pick = self.r, self.pick
        pool: list[list[str]] = [[] for _ in LANGS]
        for _ in range(size):
            s, v, o, t = pick(SUBJECTS), pick(VERBS), pick(OBJECTS), pick(TAILS)
            pub = pick(PUBLISHERS["en"] + PUBLISHERS["es"])
            num = f"{int(10 ** (1 + r() * 4)):,}"
            form = int(r() * 4)
            es_past = v[5] if s[3] == "s" else v[6]
            es_said = "dijo" if s[3] == "s" else "dijeron"
            if form == 0:
                texts = (f"{s[0]} {v[2]} {o[0]} {t[0]}.", f"{s[2]} {es_past} {o[1]} {t[1]}.",
                         f"{s[4]}{t[2]}{v[7]}{o[2]}。", f"{s[5]} {v[8]} {o[3]} {t[3]}.",
                         f"{s[6]} {v[9]} {o[4]} {t[4]}.", f"{s[7]} {v[10]} {o[5]} {t[5]}.")
            elif form == 1:
                texts = (f"{s[0]} {v[2]} {o[0]}.", f"{s[2]} {es_past} {o[1]}.", f"{s[4]}{v[7]}{o[2]}。",
                         f"{s[5]} {v[8]} {o[3]}.", f"{s[6]} {v[9]} {o[4]}.", f"{s[7]} {v[10]} {o[5]}.")
            elif form == 2:
                texts = (f"According to {pub}, {s[0]} {v[2]} {o[0]} {t[0]}.",
                         f"Según {pub}, {s[2]} {es_past} {o[1]} {t[1]}.",
                         f"据{pub}报道，{s[4]}{t[2]}{v[7]}{o[2]}。",
                         f"وفقا لـ{pub}، {s[5]} {v[8]} {o[3]} {t[3]}.",
                         f"לפי {pub}, {s[6]} {v[9]} {o[4]} {t[4]}.",
                         f"По данным {pub}, {s[7]} {v[10]} {o[5]} {t[5]}.")
            else:
                num_es = num.replace(",", ".")
                texts = (f"{s[0]} said about {num} people were affected by {o[0]}.",
                         f"{s[2]} {es_said} que unas {num_es} personas se vieron afectadas por {o[1]}.",
                         f"{s[4]}表示约有{num}人受到{o[2]}影响。",
                         f"قال {s[5]} إن نحو {num} شخص تأثروا بـ{o[3]}.",
                         f"{s[6]} מסר כי כ-{num} בני אדם הושפעו מ{o[4]}.",
                         f"{s[7]} сообщает, что около {num} человек затронуло {o[5]}.")
            for k, text in enumerate(texts):
                pool[k].append(text[0].upper() + text[1:])
        return pool

    def _quote_pool(self, size: int) -> list[list[str]]:
        pick = self.pick
        pool: list[list[str]] = [[] for _ in LANGS]
        for _ in range(size):
            tpl, o, t = pick(QUOTE_TEMPLATES), pick(OBJECTS), pick(TAILS)
            for k in range(len(LANGS)):
                pool[k].append(tpl[k].replace("{O}", o[k]).replace("{T}", t[k]))
        return pool

    @staticmethod
    def fit(text: str, lo: int, hi: int, ellipsis: str = "…") -> str:
        """Cut text to at most hi characters (ending in ellipsis), at a space when that keeps
        at least lo; texts of lo..hi characters are returned unchanged."""
        if len(text) <= hi:
            return text
        room = hi - len(ellipsis)
        cut = text.rfind(" ", lo, room + 1)
        if cut >= lo:
            short = text[:cut].rstrip(" ,;:—-،，")
            if len(short) >= lo:
                return short + ellipsis
        return text[:room] + ellipsis

    def prose(self, pool: list[list[str]], lang: int, lo: int, hi: int, mix: float) -> str:
        """Sentences from a pool until the length is in [lo, hi]; some in another language."""
        r = self.r
        size = len(pool[0])
        target = lo + int(r() * (hi - lo + 1))
        parts: list[str] = []
        sep = "" if lang == 2 else " "
        length = -len(sep)
        while length < target:
            lg = self.lang() if r() < mix else lang
            s = pool[lg][int(r() * size)]
            parts.append(s)
            length += len(s) + len(sep)
        if r() < 0.03:
            parts.append(EMOJI[int(r() * len(EMOJI))])
        text = sep.join(parts)
        return self.fit(text, lo, hi)

    def headline(self, lang: int, subject: str | None, place: str | None, lo: int = 40, hi: int = 90) -> str:
        """A title of lo..hi characters: subject, verb, object, and tails/places as padding."""
        r, pick = self.r, self.pick
        v, o = pick(VERBS), pick(OBJECTS)
        if subject is None:
            s = pick(SUBJECTS)
            sing = s[1 if lang == 0 else 3] == "s"
            subject = s[{0: 0, 1: 2, 2: 4, 3: 5, 4: 6, 5: 7}[lang]]
        else:
            sing = True
        if lang == 0:
            text = f"{subject} {v[0] if sing else v[1]} {o[0]}"
        elif lang == 1:
            text = f"{subject} {v[3] if sing else v[4]} {o[1]}"
        elif lang == 2:
            text = f"{subject}{v[7]}{o[2]}"
        else:
            text = f"{subject} {v[lang + 5]} {o[lang]}"
        if r() < 0.5 or len(text) < lo:
            text += ("" if lang == 2 else " ") + pick(TAILS)[lang]
        if place and (r() < 0.4 or len(text) < lo):
            text += (" in ", " en ", "，", " في ", " ב", " — ")[lang] + place
        while len(text) < lo:
            s, v, o = pick(SUBJECTS), pick(VERBS), pick(OBJECTS)
            if lang == 0:
                text += f"; {s[0]} {v[0] if s[1] == 's' else v[1]} {o[0]}"
            elif lang == 1:
                text += f"; {s[2]} {v[3] if s[3] == 's' else v[4]} {o[1]}"
            elif lang == 2:
                text += f"，{s[4]}{v[7]}{o[2]}"
            else:
                text += f"، {s[lang + 2]} {v[lang + 5]} {o[lang]}" if lang == 3 else \
                    f", {s[lang + 2]} {v[lang + 5]} {o[lang]}"
        if r() < 0.04:
            e = EMOJI[int(r() * len(EMOJI))]
            text = f"{e} {text}" if r() < 0.7 else f"{text} {e}"
        text = text[0].upper() + text[1:]
        return self.fit(text, lo, hi, "")

    # -- dates --
    def event_date(self):
        """-> (date, day index or -1, precision tag, date_text language-independent info)."""
        r, days = self.r, self.days
        x = r()
        d = self.day()
        if x < 0.60:
            return days[d] + self.qualifier(), d, "day"
        if x < 0.75:
            return days[d] + self.time_of_day() + (self.qualifier() if r() < 0.5 else ""), d, "time"
        if x < 0.87:
            return days[d][:7] + self.qualifier(), d, "month"
        if x < 0.92:
            return days[d][:4] + self.qualifier(), d, "year"
        # interval
        p = r()
        if r() < 0.2:
            start = days[d] if p < 0.7 else days[d][:7]
            return f"{start}{self.qualifier()}/..", d, "open"
        nd = self.nd
        if p < 0.6:
            d2 = min(nd - 1, d + 1 + int(r() * r() * 180))
            a, b = days[d], days[d2]
        elif p < 0.9:
            d2 = min(nd - 1, d + 31 + int(r() * r() * 400))
            a, b = days[d][:7], days[d2][:7]
        else:
            d2 = min(nd - 1, d + 366 + int(r() * 1500))
            a, b = days[d][:4], days[d2][:4]
        if r() < 0.3:
            a += self.qualifier()
        return f"{a}/{b}{self.qualifier()}", d, "interval"

    def date_text(self, lang: int, date: str, d: int, prec: str) -> str | None:
        r = self.r
        if r() >= 0.15:
            return None
        es = lang == 1
        key = "es" if es else "en"
        if prec == "day":
            wd = WEEKDAYS[key][self.weekday[d]]
            forms = (f"el {wd}", f"el {wd} por la mañana", f"la noche del {wd}") if es else \
                (f"on {wd}", f"{wd} morning", f"late on {wd}")
        elif prec == "time":
            hh, mm = date[11:13], date[14:16]
            forms = (f"a las {hh}:{mm} hora local", f"poco después de las {int(hh)}") if es else \
                (f"at {hh}:{mm} local time", f"shortly after {hh}:{mm}")
        elif prec == "month":
            m = MONTHS[key][int(date[5:7]) - 1]
            y = date[:4]
            forms = (f"a principios de {m}", f"a mediados de {m}", f"a finales de {m}", f"en {m} de {y}") if es \
                else (f"early {m}", f"mid-{m}", f"late {m}", f"in {m} {y}")
        elif prec == "year":
            y = date[:4]
            forms = (f"durante {y}", f"en algún momento de {y}") if es else (f"sometime in {y}", f"in {y}")
        elif prec == "open":
            forms = ("desde entonces", "todavía en curso") if es else ("ongoing", "since then")
        else:
            forms = ("durante varias semanas", "entre ambas rondas de negociación") if es else \
                ("over several weeks", "between the two rounds of talks")
        return forms[int(r() * len(forms))]

    # -- records --
    def actors(self):
        r, pick = self.r, self.pick
        used: dict[str, int] = {}
        kinds = ACTOR_KINDS
        person_cum = cumulative(w for w, *_ in PERSON_SCRIPTS)
        for i in range(self.n_actors):
            kind = self.weighted(kinds)
            aliases: list[str] = []
            rec: dict = {}
            if kind == "person":
                si = min(bisect.bisect(person_cum, r() * person_cum[-1]), len(PERSON_SCRIPTS) - 1)
                _, given, family, family_first, joiner, countries = PERSON_SCRIPTS[si]
                g, f = pick(given), pick(family)
                if family_first:
                    name, roman = f[0] + joiner + g[0], f"{g[1]} {f[1]}"
                    # Chinese/Japanese/Korean: also the family-first romanization.
                    aliases.append(roman)
                    aliases.append(f"{f[1]} {g[1]}")
                else:
                    parts = [g, f]
                    if si == 0 and r() < 0.5:  # Spanish-style second family name
                        f2 = pick(family)
                        if f2 != f:
                            parts.append(f2)
                    elif si == 1 and r() < 0.2:
                        parts.insert(1, (chr(65 + int(r() * 26)) + ".",) * 2)
                    name = joiner.join(p[0] for p in parts)
                    roman = " ".join(p[1] for p in parts)
                    if roman != name:
                        aliases.append(roman)
                    plain = unaccent(roman)
                    if plain != name and plain not in aliases:
                        aliases.append(plain)
                    if r() < 0.2:
                        aliases.append(f[0])  # the family name alone
                slug_src = roman
            else:
                script = self.weighted(ORG_SCRIPTS)
                tpl = pick(ORG_TEMPLATES[script][kind])
                pn, pr = pick(PLACES[script])
                if isinstance(tpl, tuple):
                    name, roman = tpl[0].format(p=pn), tpl[1].format(p=pr)
                    aliases.append(roman)
                else:
                    name = tpl.format(p=pn)
                    roman = unaccent(name)
                    if roman != name:
                        aliases.append(roman)
                    words = [w for w in roman.replace(".", "").split() if w[:1].isupper()]
                    if len(words) >= 3 and r() < 0.6:
                        aliases.append("".join(w[0] for w in words))
                slug_src = roman
                countries = ORG_COUNTRIES[script]
            base = slugify(slug_src) or "actor"
            count = used.get(base, 0) + 1
            used[base] = count
            aid = base if count == 1 else f"{base}-{count}"
            rec["id"] = aid
            rec["name"] = name
            rec["kind"] = kind
            if aliases:
                rec["aliases"] = aliases
            # affiliations: to lower-numbered organisations / governments
            affs: list[int] = []
            if kind == "person" and self.orgs and r() < 0.45:
                affs.append(self.orgs[int(r() * len(self.orgs))])
                if r() < 0.25:
                    a2 = self.orgs[int(r() * len(self.orgs))]
                    if a2 != affs[0]:
                        affs.append(a2)
            elif kind != "person" and self.govs and r() < 0.15:
                affs.append(self.govs[int(r() * len(self.govs))])
            if r() < 0.4:
                if kind == "person":
                    role = pick(PERSON_ROLES)
                    rec["description"] = (f"{role.capitalize()} for {self.actor_names[affs[0]]}."
                                          if affs else f"{role.capitalize()} from {pick(ALL_PLACES)}.")
                else:
                    rec["description"] = pick((f"{kind.capitalize()} based in {pn}.",
                                               f"{kind.capitalize()} with offices in {pn} and {pick(ALL_PLACES)}."))
            if kind == "person" and r() < 0.5:
                roles = [pick(PERSON_ROLES)]
                if r() < 0.2:
                    extra = pick(PERSON_ROLES)
                    if extra != roles[0]:
                        roles.append(extra)
                rec["roles"] = roles
            if affs:
                rec["affiliations"] = [self.actor_ids[a] for a in affs]
            if r() < 0.8:
                rec["country"] = pick(countries)
            self.actor_ids.append(aid)
            self.actor_names.append(name)
            if kind == "person":
                self.persons.append(i)
            else:
                self.orgs.append(i)
                if kind == "government":
                    self.govs.append(i)
            yield rec

    def sources(self):
        r, pick, days = self.r, self.pick, self.days
        w = self.w_src
        self.source_ids = ids = [f"src-{i:0{w}d}" for i in range(self.n_sources)]
        for i in range(self.n_sources):
            kind = self.weighted(SOURCE_KINDS)
            lang = self.lang()
            code = LANGS[lang]
            rec: dict = {"id": ids[i], "kind": kind}
            o = pick(OBJECTS)[lang]
            author = None
            url = None
            d = self.day()
            year = days[d][:4]
            if kind == "article":
                publisher = pick(PUBLISHERS[code])
                title = self.headline(lang, None, None, 30, 110)
                if r() < 0.35:
                    author = self.pick(self.persons) if self.persons else self.zipf_actor()
                pslug = PUBLISHER_SLUGS.get(publisher) or slugify(publisher)
                tslug = slugify(title)[:60].strip("-") if lang < 2 else ""
                url = f"https://example.org/{pslug}/{year}/{days[d][5:7]}/{tslug + '-' if tslug else ''}{i}"
            elif kind == "social-post":
                publisher = pick(PLATFORMS)
                author = self.zipf_actor() if r() < 0.85 else None
                title = self.fit(self.pick(self.quote_pool[lang]), 20, 120)
                if r() < 0.4:
                    title += " " + pick(EMOJI)
                if r() < 0.3:
                    title += " #" + pick(TAGS).replace("-", "")
                handle = slugify(self.actor_ids[author]) if author is not None else f"user{int(r() * 1e6)}"
                url = f"https://social.example.com/@{handle}/status/{int(r() * 9e17) + 10 ** 17}"
            elif kind == "statement":
                author = self.zipf_actor()
                publisher = self.actor_names[author] if r() < 0.6 else None
                title = STATEMENT_TITLES[lang].replace("{O}", o)
                url = f"https://example.net/press/{year}/{i}" if r() < 0.7 else None
            elif kind == "official-document":
                publisher = self.actor_names[pick(self.govs)] if self.govs and r() < 0.8 else None
                n = 1 + int(r() * 2000)
                title = DOC_TITLES[lang].replace("{n}", str(n)).replace("{y}", year).replace("{O}", o)
                url = f"https://example.gov/boletin/{year}/{n}" if r() < 0.8 else None
            elif kind == "broadcast":
                publisher = pick(BROADCASTERS)
                title = self.headline(lang, None, None, 30, 100)
                url = f"https://example.tv/{slugify(publisher) or 'tv'}/{days[d]}/{i}" if r() < 0.5 else None
            else:
                publisher = None
                title = OTHER_TITLES[lang].replace("{O}", o)
                url = f"https://example.org/files/{i}.pdf" if r() < 0.5 else None
            rec["title"] = title
            if publisher:
                rec["publisher"] = publisher
            if author is not None:
                rec["author"] = self.actor_ids[author]
            if r() < 0.9:
                rec["published"] = days[d] + (self.time_of_day() if r() < 0.3 else "")
            if url:
                rec["url"] = url
            if i and r() < 0.08:
                rec["via"] = ids[int(r() * i)]
            if r() < 0.85:
                rec["language"] = code
            yield rec

    def events(self):
        r, pick = self.r, self.pick
        n, w = self.n, self.w_ev
        actor_ids, actor_names = self.actor_ids, self.actor_names
        source_ids, ns = self.source_ids, self.n_sources
        tag_cum, ntags = self.tag_cum, len(TAGS)
        zipf = self.zipf_actor
        sent_pool = self.sent_pool
        # Kept per event for the quotes: first actor, day index, first source (-1: none).
        self.ev_actor = array("i", bytes(4 * n))
        self.ev_day = array("i", bytes(4 * n))
        self.ev_src = array("i", bytes(4 * n))
        for i in range(n):
            lang = self.lang()
            date, d, prec = self.event_date()
            # actors: 0..4 distinct, Zipf
            x = r()
            k = 0 if x < 0.04 else 1 if x < 0.44 else 2 if x < 0.74 else 3 if x < 0.9 else 4
            acts: list[int] = []
            while len(acts) < k:
                a = zipf()
                if a not in acts:
                    acts.append(a)
            place = None
            if r() < 0.7:
                place = ALL_PLACES[int(r() * len(ALL_PLACES))]
                if r() < 0.2:
                    place += ", " + PLACE_COUNTRY[int(r() * len(PLACE_COUNTRY))]
            subject = actor_names[acts[0]] if acts and r() < 0.45 else None
            rec: dict = {"id": f"ev-{i:0{w}d}", "date": date,
                         "title": self.headline(lang, subject, place.split(",")[0] if place else None)}
            dt = self.date_text(lang, date, d, prec)
            if dt:
                rec["date_text"] = dt
            if r() < 0.95:
                summary = self.prose(sent_pool, lang, 150, 400, 0.12)
                if acts and r() < 0.3:
                    v, o = pick(VERBS), pick(OBJECTS)
                    lead = (f"{actor_names[acts[-1]]} {v[2]} {o[0]}. " if lang != 1
                            else f"{actor_names[acts[-1]]} {v[5]} {o[1]}. ")
                    summary = self.fit(lead + summary, 150, 400)
                rec["summary"] = summary
            if place:
                rec["place"] = place
            if acts:
                refs: list = []
                for a in acts:
                    if r() < 0.18:
                        refs.append({"actor": actor_ids[a], "role": EVENT_ROLES[int(r() * len(EVENT_ROLES))]})
                    else:
                        refs.append(actor_ids[a])
                rec["actors"] = refs
            x = r()
            nt = 0 if x < 0.25 else 1 if x < 0.6 else 2 if x < 0.85 else 3
            if nt:
                tags: list[str] = []
                for _ in range(nt * 2):
                    t = TAGS[min(bisect.bisect(tag_cum, r() * tag_cum[-1]), ntags - 1)]
                    if t not in tags:
                        tags.append(t)
                        if len(tags) == nt:
                            break
                rec["tags"] = tags
            x = r()
            nsrc = 1 if x < 0.55 else 2 if x < 0.85 else 3
            srcs: list[int] = []
            while len(srcs) < nsrc:
                s = int(r() * ns)
                if s not in srcs:
                    srcs.append(s)
            rec["sources"] = [source_ids[s] for s in srcs]
            x = r()
            if x < 0.12:
                rec["confidence"] = "reported"
            elif x < 0.17:
                rec["confidence"] = "disputed"
            if r() < 0.05:
                rec["note"] = NOTES[int(r() * len(NOTES))]
            self.ev_actor[i] = acts[0] if acts else -1
            self.ev_day[i] = d if prec in ("day", "time") else -1
            self.ev_src[i] = srcs[0]
            yield rec

    def quotes(self):
        r, days, nd = self.r, self.days, self.nd
        n, w = self.n, self.w_q
        wev = self.w_ev
        actor_ids, source_ids, ns = self.actor_ids, self.source_ids, self.n_sources
        qpool, spool = self.quote_pool, self.sent_pool
        qsize = len(qpool[0])
        for i in range(n):
            e = int(r() * n) if r() < 0.85 else -1
            speaker = -1
            if e >= 0 and self.ev_actor[e] >= 0 and r() < 0.6:
                speaker = self.ev_actor[e]
            if speaker < 0:
                speaker = self.zipf_actor()
            src = self.ev_src[e] if e >= 0 and r() < 0.7 else int(r() * ns)
            lang = self.lang()
            original = None
            if lang != 0 and r() < 0.4:
                # A translated quote: English text, original words kept.
                target = 80 + int(r() * 221)
                picks: list[int] = []
                length = -1  # no space before the first sentence
                while length < target:
                    k = int(r() * qsize)
                    picks.append(k)
                    length += len(qpool[0][k]) + 1
                text = self.fit(" ".join(qpool[0][k] for k in picks), 80, 300)
                original = ("" if lang == 2 else " ").join(qpool[lang][k] for k in picks)
            else:
                pool = qpool if r() < 0.7 else spool
                text = self.prose(pool, lang, 80, 300, 0.05)
            rec: dict = {"id": f"q-{i:0{w}d}", "text": text, "speaker": actor_ids[speaker],
                         "source": source_ids[src]}
            if e >= 0:
                rec["event"] = f"ev-{e:0{wev}d}"
            if r() < 0.6:
                d = self.ev_day[e] if e >= 0 else -1
                if d >= 0 and r() < 0.7:
                    d = min(nd - 1, d + int(r() * 3))
                else:
                    d = self.day()
                rec["said"] = days[d] + (self.time_of_day() if r() < 0.2 else "")
            if original is not None:
                rec["language"] = LANGS[lang]
                rec["original"] = original
            elif r() < 0.55:
                rec["language"] = LANGS[lang]
            yield rec


def write(gen: Gen, out, jsonl: bool) -> dict[str, int]:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    title = f"Synthetic timeline of {gen.n} events (seed {gen.seed})"
    description = (f"Benchmark input made by bench/generate.py: {gen.n} events, {gen.n_actors} actors, "
                   f"{gen.n_sources} sources and {gen.n} quotes, with Zipf-like actor popularity, "
                   "mixed-precision dates and text in several scripts (José, 王伟, محمد, Київ, 🚨).")
    header = {"format": FORMAT, "title": title, "description": description}
    counts: dict[str, int] = {}
    buf: list[str] = []
    flush_at = 2000
    if jsonl:
        out.write(encode(header) + "\n")
    else:
        out.write(encode(header)[:-1])
    sections = (("actors", "actor", gen.actors), ("sources", "source", gen.sources),
                ("events", "event", gen.events), ("quotes", "quote", gen.quotes))
    for name, typ, records in sections:
        count = 0
        if jsonl:
            prefix = '{"type":"' + typ + '",'
            for rec in records():
                buf.append(prefix + encode(rec)[1:] + "\n")
                count += 1
                if len(buf) >= flush_at:
                    out.write("".join(buf))
                    buf.clear()
        else:
            out.write(f',\n"{name}":[')
            sep = "\n"
            for rec in records():
                buf.append(sep + encode(rec))
                sep = ",\n"
                count += 1
                if len(buf) >= flush_at:
                    out.write("".join(buf))
                    buf.clear()
            buf.append("\n]")
        out.write("".join(buf))
        buf.clear()
        counts[name] = count
    if not jsonl:
        out.write("}\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Write a synthetic timeline/1 file (benchmark input) with N events, "
                    "~N/20 actors, ~N/5 sources and N quotes.")
    ap.add_argument("n", type=parse_count, metavar="N", help="number of events: 1000, 10k, 100k, 1M")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--jsonl", action="store_true", help="write JSON Lines instead of one JSON document")
    ap.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    gen = Gen(args.n, args.seed)
    if args.output:
        path = os.path.abspath(args.output)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".generate-", suffix=".tmp")
        try:
            with io.open(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
                counts = write(gen, out, args.jsonl)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        size = f", {os.path.getsize(path) / 1e6:.1f} MB"
    else:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
        try:
            counts = write(gen, out, args.jsonl)
            out.flush()
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        finally:
            try:
                out.detach()
            except (ValueError, BrokenPipeError):
                pass
        size = ""
    elapsed = time.perf_counter() - started
    print(f"generate.py: {counts['events']} events, {counts['actors']} actors, {counts['sources']} sources, "
          f"{counts['quotes']} quotes{size} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
