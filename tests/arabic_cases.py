"""Arabic analysis test tables (data only; used by tests/test_arabic_analysis.py and
benchmarks/arabic_stemmer.py).

LUCENE_CASES are the published input -> output pairs of Apache Lucene's Arabic analysis
unit tests (the light10 stemmer of Larkey, Ballesteros and Connell, and its normaliser):

* TestArabicStemFilter.java, TestArabicNormalizationFilter.java, TestArabicAnalyzer.java
  and TestArabicFilters.java in
  https://github.com/apache/lucene/tree/main/lucene/analysis/common/src/test/org/apache/lucene/analysis/ar

Only the input/output pairs are taken (no code). Each case names the Lucene test method
and which of our functions it checks: ``stem`` (ArabicStemFilter on one token: our
``light_stem(fold(x))``, compared with ``fold(expected)`` because our index folds ة to ه
before stemming, as Lucene's analyzer does), ``normalise`` (ArabicNormalizationFilter:
our ``fold``), ``analyse`` (normaliser then stemmer over a text: our ``normalise``).
Lucene's analyzer also drops stop words, which the archive does not (FTS5 ranks common
words low instead), so its stop-word cases are left out.

MUST_MATCH rows are (typed query, form stored in an article, raw): every client that
analyses the query (``ecss-crawler search``, Datasette's search box, ``ecss_match()``)
finds the article; ``raw`` says whether a client that sends the typed text to FTS5
unchanged (``sqlite-utils search``, plain SQL ``MATCH``) finds it too. The rule
(docs/data-model.md): raw finds the bare stem, any form the article writes (marks and
tatweel dropped, as written or folded), with or without its leading clitics, and, for a
word that carries a suffix, the stem with ta marbuta and/or the article; nothing else.

MUST_NOT_MATCH rows are (query, stored form) of different roots that a careless stemmer
(stripping single-letter prefixes or suffixes without length limits, or extracting roots)
would merge: no client may find one from the other, in either direction.
"""

from __future__ import annotations

LUCENE_STEM_FILTER = "TestArabicStemFilter"
LUCENE_NORMALIZATION_FILTER = "TestArabicNormalizationFilter"
LUCENE_ANALYZER = "TestArabicAnalyzer"
LUCENE_FILTERS = "TestArabicFilters"

#: (Lucene test class.method, function, input, expected output)
LUCENE_CASES: list[tuple[str, str, str, str]] = [
    (f"{LUCENE_STEM_FILTER}.testAlPrefix", "stem", "الحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testWalPrefix", "stem", "والحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testBalPrefix", "stem", "بالحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testKalPrefix", "stem", "كالحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testFalPrefix", "stem", "فالحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testLlPrefix", "stem", "للاخر", "اخر"),
    (f"{LUCENE_STEM_FILTER}.testWaPrefix", "stem", "وحسن", "حسن"),
    (f"{LUCENE_STEM_FILTER}.testAhSuffix", "stem", "زوجها", "زوج"),
    (f"{LUCENE_STEM_FILTER}.testAnSuffix", "stem", "ساهدان", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testAtSuffix", "stem", "ساهدات", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testWnSuffix", "stem", "ساهدون", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testYnSuffix", "stem", "ساهدين", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testYhSuffix", "stem", "ساهديه", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testYpSuffix", "stem", "ساهدية", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testHSuffix", "stem", "ساهده", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testPSuffix", "stem", "ساهدة", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testYSuffix", "stem", "ساهدي", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testComboPrefSuf", "stem", "وساهدون", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testComboSuf", "stem", "ساهدهات", "ساهد"),
    (f"{LUCENE_STEM_FILTER}.testShouldntStem", "stem", "الو", "الو"),
    (f"{LUCENE_STEM_FILTER}.testNonArabic", "stem", "English", "English"),
    (f"{LUCENE_STEM_FILTER}.testEmptyTerm", "stem", "", ""),
    (f"{LUCENE_NORMALIZATION_FILTER}.testAlifMadda", "normalise", "آجن", "اجن"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testAlifHamzaAbove", "normalise", "أحمد", "احمد"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testAlifHamzaBelow", "normalise", "إعاذ", "اعاذ"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testAlifMaksura", "normalise", "بنى", "بني"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testTehMarbuta", "normalise", "فاطمة", "فاطمه"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testTatweel", "normalise", "روبرـــــت", "روبرت"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testFatha", "normalise", "مَبنا", "مبنا"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testKasra", "normalise", "علِي", "علي"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testDamma", "normalise", "بُوات", "بوات"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testFathatan", "normalise", "ولداً", "ولدا"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testKasratan", "normalise", "ولدٍ", "ولد"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testDammatan", "normalise", "ولدٌ", "ولد"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testSukun", "normalise", "نلْسون", "نلسون"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testShaddah", "normalise", "هتميّ", "هتمي"),
    (f"{LUCENE_NORMALIZATION_FILTER}.testEmptyTerm", "normalise", "", ""),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "كبير", "كبير"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "كبيرة", "كبير"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "مشروب", "مشروب"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "مشروبات", "مشروب"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "أمريكيين", "امريك"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "امريكي", "امريك"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "كتاب", "كتاب"),
    (f"{LUCENE_ANALYZER}.testBasicFeatures", "analyse", "الكتاب", "كتاب"),
    (f"{LUCENE_ANALYZER}.testWithStemExclusionSet", "analyse", "كبيرة ساهدهات", "كبير ساهد"),
    (f"{LUCENE_ANALYZER}.testDigits", "analyse", "١٢٣٤", "1234"),
    (f"{LUCENE_FILTERS}.testNormalizer", "normalise", "الذين مَلكت أيمانكم", "الذين ملكت ايمانكم"),
    (f"{LUCENE_FILTERS}.testStemmer", "analyse", "الذين مَلكت أيمانكم", "ذين ملكت ايمانكم"),
]

#: (typed query, stored form, found by raw clients too)
MUST_MATCH: list[tuple[str, str, bool]] = [
    # harakat and tanween
    ("ملموس", "ملموسًا", True),  # the stem
    ("ملموسا", "ملموسًا", True),  # as written, marks dropped
    ("ملموسة", "ملموسًا", True),  # stem + ta marbuta
    ("مكافحة", "مُكافَحَة", True),
    ("مكافحه", "مُكافَحَة", True),  # folded spelling
    ("مُكافَحَة", "مكافحة", False),  # harakat in the query split it for FTS5
    ("القومي", "القَوْمِيّ", True),
    ("سياسة", "وَالسِّيَاسَاتُ", True),
    # tatweel
    ("العربية", "العـــربية", True),
    ("عربي", "العـــربية", False),
    ("العـربية", "العربية", False),  # tatweel in the query
    # alef forms
    ("الإرهاب", "الإرْهاب", True),
    ("الارهاب", "الإرْهاب", True),
    ("إرهاب", "الإرْهاب", True),  # without the article, as written
    ("ارهاب", "الإرْهاب", True),  # the stem
    ("الإرهاب", "الارهاب", False),  # a hamza the article does not write
    ("احمد", "أحمد", True),
    ("أحمد", "احمد", False),
    ("ابراهيم", "إبراهيم", True),
    ("إبراهيم", "ابراهيم", False),
    ("امال", "آمال", True),
    ("آمال", "امال", False),
    ("أمن", "الأمن", True),
    ("الامن", "الأمن", True),
    # ta marbuta and alef maqsura
    ("قناة", "قناه", True),
    ("قناه", "قناة", True),
    ("الدولة", "دولة", True),
    ("مصطفي", "مصطفى", True),
    ("مصطفى", "مصطفي", False),
    ("الكبرى", "كبرى", False),
    ("كبرى", "الكبرى", True),
    # prefixes
    ("سياسة", "والسياسات", True),
    ("سياسة", "بالسياسة", True),
    ("سياسة", "كالسياسة", True),
    ("سياسة", "فالسياسة", True),
    ("سياسة", "للسياسة", True),
    ("سياسة", "وسياسة", True),
    ("السياسة", "والسياسات", True),
    ("السياسة", "بالسياسة", True),
    ("والسياسات", "بالسياسة", False),
    ("والسياسات", "سياسة", False),
    ("بالسياسة", "السياسات", False),
    ("حسن", "الحسن", True),
    ("حسن", "والحسن", True),
    ("حسن", "بالحسن", True),
    ("حسن", "كالحسن", True),
    ("حسن", "فالحسن", True),
    ("اخر", "للاخر", True),
    ("الآخر", "للآخر", True),
    ("كتاب", "الكتاب", True),
    ("الكتاب", "كتاب", False),  # no suffix on كتاب: no dictionary forms
    ("انتخابات", "الانتخابات", True),
    # suffixes
    ("زوج", "زوجها", True),
    ("زوجها", "زوج", False),
    ("مشروب", "مشروبات", True),
    ("مشروبات", "مشروب", False),
    ("كبير", "كبيرة", True),
    ("كبيرة", "كبير", False),
    ("أمريكي", "أمريكيين", False),
    ("مصري", "المصريون", False),
    ("مصرية", "مصريين", False),
    ("معلم", "معلمون", True),
    ("معلم", "معلمين", True),
    ("مهندس", "مهندسان", True),
    ("ساهد", "ساهديه", True),
    ("ساهد", "وساهدون", True),
    ("ساهد", "ساهدهات", True),
    ("اقتصاد", "الاقتصادية", True),
    ("اقتصادي", "الاقتصادية", False),
    ("فلسطيني", "الفلسطينية", False),
    ("روسيا", "الروسية", False),  # our final-alef rule: روسيا -> روسي -> روس
    ("أمريكا", "الأمريكي", False),
    # digits
    ("2024", "٢٠٢٤", True),
    ("٢٠٢٤", "٢٠٢٤", True),
    ("٢٠٢٤", "2024", False),
]

#: (query, stored form): different roots; neither may find the other.
MUST_NOT_MATCH: list[tuple[str, str]] = [
    ("وطن", "طن"),  # و is only a prefix before three letters
    ("وعد", "عد"),
    ("ورد", "رد"),
    ("وجد", "جد"),
    ("وضع", "ضع"),
    ("بحر", "حر"),  # ب, ف, ك, ل alone are not prefixes
    ("بطل", "طل"),
    ("فقط", "قط"),
    ("فرق", "رق"),
    ("فرن", "رن"),
    ("فلاح", "لاح"),
    ("كلام", "لام"),
    ("كمال", "مال"),
    ("كتاب", "تاب"),
    ("كبر", "بر"),
    ("لمس", "مس"),
    ("لحن", "حن"),
    ("لبن", "بن"),
    ("مدير", "دير"),  # no م prefix, no root extraction
    ("مدينة", "دين"),
    ("مصير", "مصر"),  # no infixes removed
    ("تمر", "مر"),
    ("بين", "بها"),  # suffixes only when two letters remain
    ("عين", "عون"),
    ("دين", "دون"),
    ("لون", "لين"),
    ("ألف", "لف"),  # ال is only a prefix before two letters
]
