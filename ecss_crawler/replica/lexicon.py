"""Word lists and fixed site data (staff, category tree, tags) for the replica, English and Arabic.

Everything here is plain data. :mod:`ecss_crawler.replica.prose` turns the word
lists into sentences, titles and summaries; :mod:`ecss_crawler.replica.generate`
draws staff, categories and tags from the rest.
"""

from __future__ import annotations

from typing import NamedTuple


class StaffRow(NamedTuple):
    """One researcher: URL slug, English name, Arabic name, job line (empty: no author box)."""

    slug: str
    name_en: str
    name_ar: str
    bio: str


class CategoryRow(NamedTuple):
    """One category: slug, name, language and the parent's slug (empty for a top category)."""

    slug: str
    name: str
    language: str
    parent: str = ""
    weight: int = 1


STAFF: tuple[StaffRow, ...] = (
    StaffRow(
        "ahmed-el-sayed", "Ahmed El-sayed", "أحمد السيد", "Senior Researcher, Asian Studies Unit"
    ),
    StaffRow(
        "nourhan-el-sheikh", "Nourhan El-Sheikh", "نورهان الشيخ", "Professor of Political Science"
    ),
    StaffRow("tarek-fahmy", "Tarek Fahmy", "طارق فهمي", ""),
    StaffRow("sara-fouad", "Sara Fouad", "سارة فؤاد", "Researcher, Economic Studies Unit"),
    StaffRow("mohamed-hassan", "Mohamed Hassan", "محمد حسن", ""),
    StaffRow("mona-soliman", "Mona Soliman", "منى سليمان", "Head of the African Studies Unit"),
    StaffRow("khaled-okasha", "Khaled Okasha", "خالد عكاشة", "General Director of ECSS"),
    StaffRow(
        "dalia-ramadan", "Dalia Ramadan", "داليا رمضان", "Researcher, Defense and Security Unit"
    ),
)

#: Slugs of English categories are ASCII; Arabic slugs are Arabic words joined by hyphens.
CATEGORIES: tuple[CategoryRow, ...] = (
    CategoryRow("international-relations", "International Relations", "en", "", 3),
    CategoryRow("african-studies", "African Studies", "en", "international-relations", 2),
    CategoryRow("asian-studies", "Asian Studies", "en", "international-relations", 2),
    CategoryRow(
        "arab-regional-studies", "Arab & Regional Studies", "en", "international-relations", 2
    ),
    CategoryRow("defense-security", "Defense & Security", "en", "", 3),
    CategoryRow("cyber-security", "Cyber Security", "en", "defense-security", 2),
    CategoryRow(
        "terrorism-armed-conflict", "Terrorism & Armed Conflict", "en", "defense-security", 2
    ),
    CategoryRow("public-policy", "Public Policy", "en", "", 3),
    CategoryRow("economic-energy-studies", "Economic & Energy Studies", "en", "public-policy", 3),
    CategoryRow("analysis", "Analysis", "en", "", 4),
    CategoryRow("العلاقات-الدولية", "العلاقات الدولية", "ar", "", 3),
    CategoryRow("الدراسات-الأفريقية", "الدراسات الأفريقية", "ar", "العلاقات-الدولية", 2),
    CategoryRow("الدراسات-الآسيوية", "الدراسات الآسيوية", "ar", "العلاقات-الدولية", 2),
    CategoryRow("الأمن-والدفاع", "الأمن والدفاع", "ar", "", 3),
    CategoryRow("الإرهاب-والصراعات-المسلحة", "الإرهاب والصراعات المسلحة", "ar", "الأمن-والدفاع", 2),
    CategoryRow("السياسات-العامة", "السياسات العامة", "ar", "", 3),
    CategoryRow("الاقتصاد-والطاقة", "الاقتصاد والطاقة", "ar", "السياسات-العامة", 3),
    CategoryRow("تقدير-موقف", "تقدير موقف", "ar", "", 4),
)

CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "en": "Analyses of regional and international developments and their implications for Egypt.",
    "ar": "تحليلات للتطورات الإقليمية والدولية وانعكاساتها على مصر.",
}

TAGS: dict[str, tuple[str, ...]] = {
    "en": (
        "Egypt",
        "China",
        "Japan",
        "United States",
        "Russia",
        "Ukraine",
        "Gaza",
        "Sudan",
        "Libya",
        "Ethiopia",
        "GERD",
        "Nile",
        "Red Sea",
        "Suez Canal",
        "BRICS",
        "G20",
        "African Union",
        "Gulf",
        "Iran",
        "Israel",
        "Turkey",
        "Terrorism",
        "Cybersecurity",
        "Natural Gas",
        "Climate Change",
        "Food Security",
        "Inflation",
        "IMF",
        "Elections",
        "Migration",
        "Horn of Africa",
        "Sahel",
        "Water Security",
        "Digital Economy",
        "Research & Development",
        "Energy Transition",
    ),
    "ar": (
        "مصر",
        "الصين",
        "اليابان",
        "الولايات المتحدة",
        "روسيا",
        "أوكرانيا",
        "غزة",
        "السودان",
        "ليبيا",
        "إثيوبيا",
        "سد النهضة",
        "النيل",
        "البحر الأحمر",
        "قناة السويس",
        "بريكس",
        "مجموعة العشرين",
        "الاتحاد الأفريقي",
        "الخليج",
        "إيران",
        "إسرائيل",
        "تركيا",
        "الإرهاب",
        "الأمن السيبراني",
        "الغاز الطبيعي",
        "تغير المناخ",
        "الأمن الغذائي",
        "التضخم",
        "صندوق النقد الدولي",
        "الانتخابات",
        "الهجرة",
        "القرن الأفريقي",
        "الساحل",
        "الأمن المائي",
        "الاقتصاد الرقمي",
    ),
}


class Lexicon(NamedTuple):
    """Phrase lists for one language."""

    openers: tuple[str, ...]
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    tails: tuple[str, ...]
    abstracts: tuple[str, ...]
    sources: tuple[str, ...]
    topics: tuple[str, ...]
    angles: tuple[str, ...]
    headings: tuple[str, ...]
    cites: tuple[str, ...]
    table_heads: tuple[tuple[str, str, str], ...]
    row_labels: tuple[str, ...]
    figure_captions: tuple[str, ...]
    pdf_anchors: tuple[str, ...]
    external_links: tuple[tuple[str, str], ...]
    brief_prefix: str


EN = Lexicon(
    openers=(
        "",
        "",
        "",
        "In this context,",
        "Moreover,",
        "At the same time,",
        "By contrast,",
        "Consequently,",
        "In practice,",
        "Nevertheless,",
        "For its part,",
        "Taken together,",
        "Against this backdrop,",
        "Equally important,",
        "In the short term,",
    ),
    subjects=(
        "Egypt",
        "Cairo",
        "the African Union",
        "Washington",
        "Beijing",
        "Moscow",
        "the European Union",
        "the Gulf states",
        "regional powers",
        "international donors",
        "policymakers in Cairo",
        "the United Nations",
        "neighbouring countries",
        "the Arab League",
        "the Egyptian government",
        "Addis Ababa",
        "Ankara",
        "Tehran",
        "New Delhi",
        "Tokyo",
        "the International Monetary Fund",
        "the BRICS members",
        "private investors",
    ),
    verbs=(
        "has sought to strengthen",
        "continues to reassess",
        "moved quickly to secure",
        "is expected to expand",
        "has repeatedly emphasised",
        "appears ready to reconsider",
        "will need to balance",
        "remains committed to",
        "has struggled to sustain",
        "is increasingly prioritising",
        "has quietly redefined",
        "cannot afford to ignore",
        "has invested heavily in",
        "is unlikely to abandon",
        "has begun to diversify",
    ),
    objects=(
        "its strategic partnerships",
        "regional stability",
        "energy supply routes",
        "maritime security in the Red Sea",
        "economic integration",
        "the reconstruction agenda",
        "food and water security",
        "its influence in the Horn of Africa",
        "the flow of foreign investment",
        "cooperation on counterterrorism",
        "the rules of the international trading system",
        "debt relief negotiations",
        "the security of the Suez Canal",
        "a negotiated settlement",
        "its export capacity",
        "digital infrastructure",
        "climate adaptation finance",
        "border security arrangements",
        "the dialogue with its neighbours",
        "the balance between growth and stability",
    ),
    tails=(
        "amid growing uncertainty",
        "in the wake of the latest escalation",
        "despite persistent structural constraints",
        "as the balance of power shifts",
        "within a rapidly changing international order",
        "at a time of rising inflation",
        "over the coming decade",
        "in line with Egypt’s Vision 2030",
        "without alienating its traditional allies",
        "while avoiding direct confrontation",
        "as competition among the great powers intensifies",
        "in the months ahead",
    ),
    abstracts=(
        "trajectory",
        "logic",
        "calculus",
        "timing",
        "scope",
        "cost",
        "durability",
        "significance",
        "momentum",
        "direction",
    ),
    sources=(
        "World Bank estimates",
        "official figures",
        "the latest IMF report",
        "data from the Central Bank of Egypt",
        "UN agencies",
        "independent analysts",
    ),
    topics=(
        "Red Sea Security",
        "the Grand Ethiopian Renaissance Dam",
        "Egypt’s Energy Transition",
        "the India-Pakistan Ceasefire",
        "Rare Earth Metals",
        "Sudan’s Civil War",
        "the Sahel",
        "BRICS Expansion",
        "Gulf Diplomacy",
        "Cyber Deterrence",
        "Food Security in Africa",
        "the Eastern Mediterranean",
        "Libya’s Political Process",
        "US-China Rivalry",
        "Climate Finance",
        "the Horn of Africa",
        "the Suez Canal amid Global Competition",
        "Japan’s Defense Build-up",
        "Europe’s Security Debate",
        "Iran’s Regional Strategy",
        "Water Diplomacy on the Nile",
        "Debt & Development",
        "Migration across the Mediterranean",
        "Turkey’s Foreign Policy",
        "the Gaza War",
    ),
    angles=(
        "Opportunities and Risks",
        "What Comes Next?",
        "Implications for Egypt",
        "A Shifting Balance",
        "Costs and Constraints",
        "Reading the Signals",
        "Between Competition and Cooperation",
        "Scenarios for the Coming Years",
        "Drivers and Limits",
        "A Test for Regional Order",
    ),
    headings=(
        "Background",
        "Timely Diplomacy",
        "Bilateral Talks",
        "Objectives of the Visit",
        "Regional Dimensions",
        "Economic Stakes",
        "Security Considerations",
        "Challenges and Opportunities",
        "The Egyptian Perspective",
        "Possible Scenarios",
        "Implications",
        "Concluding Remarks",
        "Key Drivers",
        "Limits of Influence",
    ),
    cites=(
        "Ahmed Aboul Gheit, Secretary-General of the Arab League",
        "Final communiqué of the summit",
        "Egyptian Ministry of Foreign Affairs",
        "UN Secretary-General António Guterres",
        "Statement of the African Union Commission",
    ),
    table_heads=(
        ("Indicator", "2023", "2024"),
        ("Country", "Share (%)", "Change"),
        ("Sector", "Investment (USD bn)", "Jobs"),
    ),
    row_labels=(
        "Egypt",
        "Saudi Arabia",
        "Ethiopia",
        "Sudan",
        "Exports",
        "Imports",
        "Inflation",
        "GDP growth",
        "Energy",
        "Agriculture",
        "Tourism",
        "Manufacturing",
    ),
    figure_captions=(
        "Delegations meet on the sidelines of the summit.",
        "The Suez Canal at Ismailia.",
        "A view of the new administrative capital.",
        "Map of the region discussed in this analysis.",
    ),
    pdf_anchors=("full study (PDF)", "policy paper", "statistical annex", "conference report"),
    external_links=(
        ("https://www.un.org/en/", "United Nations"),
        ("https://au.int/en", "African Union"),
        ("https://www.imf.org/en/Countries/EGY", "IMF country page"),
    ),
    brief_prefix="Brief: ",
)

AR = Lexicon(
    openers=(
        "",
        "",
        "",
        "وفي هذا السياق،",
        "علاوة على ذلك،",
        "في المقابل،",
        "ومن ثم،",
        "وعلى صعيد آخر،",
        "وفي الوقت نفسه،",
        "ومع ذلك،",
        "من جانبها،",
        "وبوجه عام،",
    ),
    subjects=(
        "مصر",
        "القاهرة",
        "الحكومة المصرية",
        "واشنطن",
        "بكين",
        "موسكو",
        "دول الخليج",
        "القوى الإقليمية",
        "المؤسسات الدولية",
        "الأمم المتحدة",
        "جامعة الدول العربية",
        "أديس أبابا",
        "أنقرة",
        "طهران",
        "نيودلهي",
        "طوكيو",
        "دول الجوار",
        "الدول الأعضاء",
    ),
    verbs=(
        "تعمل على",
        "تسعى إلى",
        "تواصل العمل من أجل",
        "تحرص على",
        "تتجه نحو",
        "تراهن على",
        "تولي أهمية كبيرة إلى",
        "تعيد النظر في",
        "تستهدف",
        "تدفع باتجاه",
    ),
    objects=(
        "تعزيز الشراكات الاستراتيجية",
        "تحقيق الاستقرار الإقليمي",
        "تأمين خطوط إمداد الطاقة",
        "حماية الأمن البحري في البحر الأحمر",
        "دعم التكامل الاقتصادي",
        "توسيع التعاون في مكافحة الإرهاب",
        "جذب الاستثمارات الأجنبية المباشرة",
        "إعادة هيكلة الديون",
        "تحقيق الأمن الغذائي والمائي",
        "تطوير البنية التحتية الرقمية",
        "تأمين الملاحة في قناة السويس",
        "التوصل إلى تسوية سياسية",
        "زيادة الصادرات",
        "تمويل التكيف مع تغير المناخ",
        "ضبط الحدود",
        "تنشيط الحوار مع دول الجوار",
    ),
    tails=(
        "في ظل حالة عدم اليقين المتزايدة",
        "على الرغم من القيود الهيكلية",
        "في سياق التحولات المتسارعة في النظام الدولي",
        "خلال السنوات المقبلة",
        "بما يتسق مع رؤية مصر ٢٠٣٠",
        "في أعقاب التصعيد الأخير",
        "دون الدخول في مواجهة مباشرة",
        "مع احتدام التنافس بين القوى الكبرى",
        "في المدى المنظور",
    ),
    abstracts=(
        "هذا التوجه",
        "هذا المسار",
        "هذا التحرك",
        "هذا التقارب",
        "هذا التحول",
    ),
    sources=(
        "تقديرات البنك الدولي",
        "البيانات الرسمية",
        "أحدث تقارير صندوق النقد الدولي",
        "بيانات البنك المركزي المصري",
        "وكالات الأمم المتحدة",
    ),
    topics=(
        "أمن البحر الأحمر",
        "سد النهضة الإثيوبي",
        "التحول في قطاع الطاقة المصري",
        "الحرب في السودان",
        "منطقة الساحل",
        "توسع بريكس",
        "الدبلوماسية الخليجية",
        "الردع السيبراني",
        "الأمن الغذائي في أفريقيا",
        "شرق المتوسط",
        "العملية السياسية في ليبيا",
        "التنافس الأمريكي الصيني",
        "تمويل المناخ",
        "القرن الأفريقي",
        "قناة السويس في ظل التنافس العالمي",
        "قمة بريكس في قازان",
        "الاستراتيجية الإقليمية لإيران",
        "الهجرة عبر المتوسط",
        "الحرب على غزة",
    ),
    angles=(
        "الفرص والمخاطر",
        "ماذا بعد؟",
        "الانعكاسات على مصر",
        "توازنات متغيرة",
        "قراءة في المؤشرات",
        "بين التنافس والتعاون",
        "سيناريوهات المستقبل",
        "الدوافع والحدود",
    ),
    headings=(
        "خلفية",
        "سياق القمة",
        "مكاسب محتملة لمصر",
        "حدود التوقعات",
        "الأبعاد الإقليمية",
        "الرهانات الاقتصادية",
        "الاعتبارات الأمنية",
        "التحديات والفرص",
        "الرؤية المصرية",
        "السيناريوهات المحتملة",
        "خلاصة",
    ),
    cites=(
        "البيان الختامي للقمة",
        "وزارة الخارجية المصرية",
        "الأمين العام لجامعة الدول العربية",
        "مفوضية الاتحاد الأفريقي",
    ),
    table_heads=(
        ("المؤشر", "٢٠٢٣", "٢٠٢٤"),
        ("الدولة", "الحصة (٪)", "التغير"),
        ("القطاع", "الاستثمارات (مليار دولار)", "فرص العمل"),
    ),
    row_labels=(
        "مصر",
        "السعودية",
        "إثيوبيا",
        "السودان",
        "الصادرات",
        "الواردات",
        "التضخم",
        "النمو الاقتصادي",
        "الطاقة",
        "الزراعة",
        "السياحة",
        "الصناعة",
    ),
    figure_captions=(
        "جانب من اجتماعات الوفود على هامش القمة.",
        "قناة السويس عند الإسماعيلية.",
        "خريطة المنطقة محل التحليل.",
    ),
    pdf_anchors=("الدراسة كاملة (PDF)", "ورقة السياسات", "الملحق الإحصائي"),
    external_links=(
        ("https://www.un.org/ar/", "الأمم المتحدة"),
        ("https://au.int/ar", "الاتحاد الأفريقي"),
    ),
    brief_prefix="موجز: ",
)

LEXICONS: dict[str, Lexicon] = {"en": EN, "ar": AR}

COMMENTERS: tuple[str, ...] = ("Hany Mostafa", "Laila Adel", "Omar Nabil", "ريم عادل")
COMMENT_TEXTS: tuple[str, ...] = (
    "A clear and balanced reading of a complicated file. Thank you.",
    "Could you expand on the economic dimension in a follow-up piece?",
    "تحليل مهم ويستحق المتابعة.",
)
