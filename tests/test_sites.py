"""Site profiles as data: loading, validation, registry, theme detection, per-site alarms."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from ecss_crawler.archive.lookup import ArchiveReader
from ecss_crawler.archive.store import Archive
from ecss_crawler.extract import extract_article, parse_html
from ecss_crawler.monitoring import Thresholds, field_minimum, judge
from ecss_crawler.probe import Findings, Page, date_offsets, guess_timezone, has_rest_api
from ecss_crawler.sites import (
    ProfileError,
    ThemeMemo,
    detect_theme,
    generic_profile,
    load_registry,
    shipped_registry,
    theme_for_page,
    themes_by_name,
)
from ecss_crawler.sites.loader import load_profile

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = """
name = "think-tank"
title = "A Think Tank"
base_urls = ["https://www.think.example/"]
languages = ["en", "fr"]
timezone = "Europe/Paris"
theme = "foxiz"

[fields]
modified = false
tags = true

[selectors]
title = ["h1.headline"]
listing_card = "div.card"

[urls]
article = ['/\\d{4}/\\d{2}/']
listing = ['/topics/']
never_follow = ['/events/']

[politeness]
download_delay = 2.5
concurrent_requests_per_domain = 1
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def foxiz():
    return themes_by_name(shipped_registry())["foxiz"]


# --------------------------------------------------------------------------- shipped files


def test_shipped_ecss_profiles() -> None:
    registry = shipped_registry()
    en, ar = registry.get("ecss-en"), registry.get("ecss-ar")
    assert en.base_url == "https://en.ecss.com.eg/"
    assert ar.base_url == "https://ecss.com.eg/"
    assert (en.language, ar.language) == ("en", "ar")
    assert en.timezone == ar.timezone == "Africa/Cairo"
    assert en.selectors is ar.selectors is foxiz()
    assert en.expects("modified") is True
    assert "Egyptian Center for Strategic Studies" in en.site_names
    assert registry.for_url("https://www.ecss.com.eg/x/") is ar
    assert registry.for_url("https://example.org/") is None


def test_foxiz_theme_file_holds_the_theme_selectors() -> None:
    theme = foxiz()
    assert theme.title[0] == "header.single-header h1.s-title"
    assert theme.listing_card == ".p-wrap"
    assert ".rb-ad" in theme.body_clutter
    assert theme.detect  # used by theme = "auto"


# --------------------------------------------------------------------------- user profiles


def test_user_profile_loads_every_key(tmp_path: Path) -> None:
    write(tmp_path, "think.toml", GOOD)
    registry = load_registry([tmp_path])
    profile = registry.get("think-tank")
    assert profile.base_urls == ("https://www.think.example/",)
    assert profile.languages == ("en", "fr")
    assert profile.timezone == "Europe/Paris"
    assert profile.expects("modified") is False
    assert profile.expects("tags") is True
    assert profile.expects("authors") is None
    # The profile's own selectors come before the theme's.
    assert profile.selectors.title[0] == "h1.headline"
    assert profile.selectors.title[1:] == foxiz().title
    assert profile.selectors.listing_card == "div.card"
    assert profile.urls.is_article("https://think.example/2024/05/a-study/")
    assert not profile.urls.is_article("https://think.example/about/")
    assert profile.urls.is_listing("https://think.example/topics/energy/")
    assert profile.urls.never("https://think.example/events/x/")
    assert dict(profile.politeness) == {
        "DOWNLOAD_DELAY": 2.5,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    }
    assert registry.for_url("https://think.example/2024/05/a/") is profile  # www. ignored
    assert registry.names()[-1] == "think-tank"


def test_user_profile_replaces_a_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", 'name = "ecss-en"\nbase_urls = ["http://127.0.0.1:9/"]\n')
    registry = load_registry([tmp_path])
    assert registry.get("ecss-en").base_url == "http://127.0.0.1:9/"
    assert registry.names().count("ecss-en") == 1


def test_user_theme_file(tmp_path: Path) -> None:
    write(
        tmp_path / "themes",
        "magazine.toml",
        'name = "magazine"\ndetect = ["body.magazine"]\n[selectors]\ntitle = ["h1.mag-title"]\n',
    )
    write(
        tmp_path,
        "mag.toml",
        'name = "mag"\nbase_urls = ["https://mag.example/"]\ntheme = "magazine"\n',
    )
    profile = load_registry([tmp_path]).get("mag")
    assert profile.selectors.name == "magazine"
    assert profile.selectors.title == ("h1.mag-title",)


BAD_PROFILES = [
    ("name = 'x'\nbase_urls = [", "", "not valid TOML"),
    ('name = "x"\nbase_urls = ["https://a.example/"]\ncolour = "red"\n', "colour", "unknown key"),
    ('name = "X Y"\nbase_urls = ["https://a.example/"]\n', "name", "short name"),
    ('name = "x"\n', "base_urls", "at least one"),
    ('name = "x"\nbase_urls = "https://a.example/"\n', "base_urls", "list of strings"),
    ('name = "x"\nbase_urls = ["ftp://a.example/"]\n', "base_urls", "http(s) URLs"),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\ntimezone = "Mars/Olympus"\n',
        "timezone",
        "IANA",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\nlanguages = ["English"]\n',
        "languages",
        "language codes",
    ),
    ('name = "x"\nbase_urls = ["https://a.example/"]\ntheme = "nope"\n', "theme", "unknown theme"),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[fields]\nmodified = "no"\n',
        "fields.modified",
        "true or false",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[fields]\ncolour = true\n',
        "fields.colour",
        "unknown key",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[selectors]\ntitle = ["h1[["]\n',
        "selectors.title",
        "invalid CSS",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[selectors]\nlisting_card = ["a", "b"]\n',
        "selectors.listing_card",
        "CSS selector string",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[selectors]\nheadline = ["h1"]\n',
        "selectors.headline",
        "unknown key",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[urls]\narticle = ["(unclosed"]\n',
        "urls.article",
        "regular expression",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[politeness]\ndownload_delay = -1\n',
        "politeness.download_delay",
        "number >= 0",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[politeness]\nconcurrent_requests_per_domain = 1.5\n',
        "politeness.concurrent_requests_per_domain",
        "integer",
    ),
    (
        'name = "x"\nbase_urls = ["https://a.example/"]\n[politeness]\nturbo = true\n',
        "politeness.turbo",
        "unknown key",
    ),
]


@pytest.mark.parametrize(("text", "key", "expected"), BAD_PROFILES)
def test_bad_profile_names_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ProfileError) as caught:
        load_registry([tmp_path])
    message = str(caught.value)
    assert str(path) in message
    assert expected in message
    if key:
        assert f"key '{key}'" in message
    assert "\n" not in message


def test_two_user_profiles_with_one_name(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'name = "same"\nbase_urls = ["https://a.example/"]\n')
    write(tmp_path, "b.toml", 'name = "same"\nbase_urls = ["https://b.example/"]\n')
    with pytest.raises(ProfileError, match="also used by"):
        load_registry([tmp_path])


def test_unknown_site_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"no site profile named 'nope' \(known: .*ecss-en"):
        shipped_registry().get("nope")


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def test_cli_bad_profile_is_one_line_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "bad.toml", 'name = "x"\nbase_urls = ["https://a.example/"]\ntimezone = 3\n')
    for args in (
        ("crawl", "--site", "x", "--sites-dir", str(tmp_path), "--db", str(tmp_path / "a.db")),
        ("sites", "list", "--sites-dir", str(tmp_path)),
        ("sites", "check", str(tmp_path / "bad.toml")),
    ):
        result = _cli(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1
        assert "bad.toml" in lines[0]
        assert "key 'timezone'" in lines[0]
    assert not (tmp_path / "a.db").exists()  # nothing was crawled


def test_cli_sites_list_and_unknown_site(tmp_path: Path) -> None:
    write(tmp_path, "think.toml", GOOD)
    listed = _cli("sites", "list", "--sites-dir", str(tmp_path))
    assert listed.returncode == 0
    assert "ecss-en" in listed.stdout
    assert "think-tank" in listed.stdout
    assert "themes: foxiz" in listed.stdout
    unknown = _cli("crawl", "--site", "nope", "--db", str(tmp_path / "x.db"))
    assert unknown.returncode == 2
    assert "no site profile named 'nope'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


# --------------------------------------------------------------------------- themes


def test_generic_profile_detects_the_theme_per_page() -> None:
    profile = generic_profile("http://127.0.0.1:8089/some/page/")
    assert profile.base_url == "http://127.0.0.1:8089/"
    assert profile.theme == "auto"
    foxiz_page = parse_html(
        '<html><head><link rel="stylesheet" href="/wp-content/themes/foxiz/style.css"></head>'
        "<body></body></html>",
        "http://127.0.0.1:8089/",
    )
    plain_page = parse_html("<html><body><main><h1>x</h1></main></body></html>", "http://x/")
    assert theme_for_page(profile, foxiz_page).selectors == foxiz()
    assert theme_for_page(profile, plain_page).selectors.name == "none"
    assert detect_theme(plain_page, shipped_registry().themes).name == "none"
    # A profile that names its theme is not re-detected.
    ecss = shipped_registry().get("ecss-en")
    assert theme_for_page(ecss, plain_page) is ecss


def test_theme_memo_detects_until_the_site_settles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are checked until ``settle`` in a row show one theme; then no more checks."""
    import ecss_crawler.sites as sites

    profile = generic_profile("http://127.0.0.1:8089/")
    foxiz_page = parse_html(
        '<html><head><link rel="stylesheet" href="/wp-content/themes/foxiz/style.css"></head>'
        "<body></body></html>",
        "http://127.0.0.1:8089/",
    )
    plain_page = parse_html("<html><body><main><h1>x</h1></main></body></html>", "http://x/")
    checks: list[str] = []
    real = sites.detect_theme

    def counted(sel: object, themes: object) -> object:
        found = real(sel, themes)  # type: ignore[arg-type]
        checks.append(found.name)
        return found

    monkeypatch.setattr(sites, "detect_theme", counted)
    memo = ThemeMemo(profile, settle=3)
    pages = [foxiz_page, plain_page, foxiz_page, foxiz_page, foxiz_page, plain_page, plain_page]
    read = [memo.profile_for_page(page) for page in pages]
    assert checks == ["foxiz", "none", "foxiz", "foxiz", "foxiz"]  # settled: 2 pages unchecked
    assert [p.selectors.name for p in read] == ["foxiz", "none", *["foxiz"] * 5]
    # The chosen profile names its theme, so extraction does not detect it again.
    assert all(p.theme == p.selectors.name for p in read)
    assert theme_for_page(read[-1], plain_page) is read[-1]
    # A site with no known theme settles too (only the generic layers then).
    plain = ThemeMemo(profile, settle=2)
    assert [plain.profile_for_page(plain_page).theme for _ in range(3)] == ["none"] * 3
    assert plain.settled is not None
    assert plain.settled.selectors.name == "none"
    # A profile that names its theme is settled from the start.
    ecss = shipped_registry().get("ecss-en")
    assert ThemeMemo(ecss).profile_for_page(plain_page) is ecss


def test_unknown_host_foxiz_page_uses_the_foxiz_layer() -> None:
    page = (FIXTURES / "en.ecss.com.eg" / "long-study" / "input.html").read_text(encoding="utf-8")
    article = extract_article(page, "http://127.0.0.1:8089/a-study/")
    assert article.sources["title"] == "foxiz"


# --------------------------------------------------------------------------- alarms


def _stats(total: int, **found: int) -> dict[str, int]:
    stats = {"ecss/articles_extracted": total}
    stats |= {f"ecss/coverage/{name}": count for name, count in found.items()}
    return stats


FULL = {"title": 10, "body": 10, "published": 10, "authors": 10, "categories": 10, "tags": 10}


def test_first_crawl_never_alarms_for_fields_the_site_does_not_show() -> None:
    verdict = judge(_stats(10, **FULL), Thresholds())  # no profile, no earlier crawl
    assert verdict.status == "ok"
    assert any(note.startswith("modified: first judged crawl") for note in verdict.notes)
    declared = judge(_stats(10, **FULL), Thresholds(expectations={"modified": False}))
    assert declared.status == "ok"
    assert "modified: not shown by this site (profile)" in declared.notes


def test_fields_a_profile_says_are_shown_keep_the_fixed_minimum() -> None:
    thresholds = Thresholds(expectations={"modified": True})
    verdict = judge(_stats(10, **FULL), thresholds)
    assert verdict.layout_break
    assert verdict.fields == ["modified"]


def test_title_and_body_are_judged_on_a_first_crawl() -> None:
    verdict = judge(_stats(10, **(FULL | {"body": 2})), Thresholds())
    assert verdict.fields == ["body"]


def test_later_crawls_compare_with_the_sites_own_baseline() -> None:
    baseline = {"title": 1.0, "body": 1.0, "published": 1.0, "authors": 0.9, "modified": 0.0}
    thresholds = Thresholds(baseline=baseline)
    assert judge(_stats(10, **FULL), thresholds).status == "ok"
    redesigned = judge(_stats(10, **(FULL | {"authors": 3})), thresholds)
    assert redesigned.fields == ["authors"]
    notes: list[str] = []
    assert field_minimum("modified", 0.5, thresholds, notes) is None
    assert notes == ["modified: never found on this site before"]
    # Never stricter than the fixed minimum.
    assert field_minimum("authors", 0.8, thresholds, []) == pytest.approx(0.45)
    assert field_minimum("published", 0.9, thresholds, []) == pytest.approx(0.5)


def test_coverage_baseline_reads_the_sites_finished_crawls(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    archive = Archive(db)
    for site, status, coverage, extracted in (
        ("a.example", "finished", {"authors": 1.0}, 10),
        ("a.example", "finished", {"authors": 0.5}, 10),
        ("a.example", "layout_break", {"authors": 0.0}, 10),
        ("a.example", "finished", {"authors": 0.0}, 1),  # too few articles to count
        ("b.example", "finished", {"authors": 0.0}, 10),
    ):
        crawl = archive.begin_crawl(site, {}, site_name=site.split(".")[0])
        archive.finish_crawl(crawl, "finished", {"articles_extracted": extracted}, coverage, status)
    archive.close()
    reader = ArchiveReader(db)
    try:
        assert reader.coverage_baseline("a.example", 5, 3)["authors"] == pytest.approx(0.75)
        assert reader.coverage_baseline("c.example", 5, 3) is None
    finally:
        reader.close()
    rows = list(sqlite_utils.Database(db)["sites"].rows)
    assert {(row["host"], row["name"]) for row in rows} == {("a.example", "a"), ("b.example", "b")}


# --------------------------------------------------------------------------- probe analysis


def test_guess_timezone_from_offsets() -> None:
    winter = datetime(2024, 1, 10, 8, 0)  # UTC times
    summer = datetime(2024, 7, 10, 8, 0)
    cairo = [(winter, timedelta(hours=2)), (summer, timedelta(hours=3))]
    assert guess_timezone(cairo, "ecss.com.eg") == "Africa/Cairo"
    assert guess_timezone(cairo, "127.0.0.1:8000") == "Africa/Cairo"
    paris = [(winter, timedelta(hours=1)), (summer, timedelta(hours=2))]
    assert guess_timezone(paris, "think.fr") == "Europe/Paris"
    assert guess_timezone([(winter, timedelta(0))], "x.org") in ("Europe/London", "UTC")
    assert guess_timezone([], "x.org") == "UTC"


def test_date_offsets_and_rest_api() -> None:
    found = date_offsets(["2024-07-10T11:00:00+03:00", "2024-07-10", None, "garbage"])
    assert found == [(datetime(2024, 7, 10, 8, 0), timedelta(hours=3))]
    assert has_rest_api(Page("u", 200, json.dumps({"namespaces": ["wp/v2"]}).encode()))
    assert not has_rest_api(Page("u", 404, b""))
    assert not has_rest_api(Page("u", 200, b"<html>"))


def test_probe_fields_shown_on_all_none_or_some() -> None:
    findings = Findings(base_url="https://x.example/")
    findings.field_layers = {
        "title": ["wordpress", "wordpress"],
        "modified": ["-", "-"],
        "tags": ["wordpress", "-"],
    }
    assert findings.field_shown() == {"title": True, "modified": False}


def test_profile_loader_round_trips_a_probe_draft(tmp_path: Path) -> None:
    from ecss_crawler.probe import draft_text

    findings = Findings(base_url="https://x.example/", languages=["ar"], timezone="Asia/Amman")
    findings.field_layers = {"modified": ["-"], "title": ["metadata"]}
    findings.articles = ["https://x.example/a/"]
    path = write(tmp_path, "x.toml", draft_text(findings, "x-example"))
    profile = load_profile(path, themes_by_name(shipped_registry()))
    assert profile.name == "x-example"
    assert profile.languages == ("ar",)
    assert profile.expects("modified") is False
    assert profile.expects("title") is True
    assert profile.timezone == "Asia/Amman"


def test_spider_applies_profile_politeness_at_spider_priority(tmp_path: Path) -> None:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from ecss_crawler.spiders.ecss import EcssSpider

    def get_crawler(spidercls, values):  # settings not yet frozen, as in a real crawl
        settings = Settings()
        settings.setmodule("ecss_crawler.settings", priority="project")
        settings.setdict(values, priority="project")
        return Crawler(spidercls, settings)

    write(tmp_path, "think.toml", GOOD)
    crawler = get_crawler(
        EcssSpider,
        {"ECSS_SITES_DIR": str(tmp_path), "ECSS_DB": "", "DOWNLOAD_DELAY": 0},
    )
    spider = EcssSpider.from_crawler(crawler, site="think-tank")
    assert spider.base_url == "https://www.think.example/"
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 2.5
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert not spider._allowed("https://think.example/events/x/")
    assert spider._allowed("https://think.example/2024/05/x/")
    # The command line (-s) still wins over the profile.
    crawler = get_crawler(EcssSpider, {"ECSS_SITES_DIR": str(tmp_path), "ECSS_DB": ""})
    crawler.settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    EcssSpider.from_crawler(crawler, site="think-tank")
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0


def test_merge_keeps_the_site_names(tmp_path: Path) -> None:
    from ecss_crawler.archive.merge import merge_archives

    inputs = []
    for host, name in (("a.example", "a"), ("b.example", "b")):
        path = tmp_path / f"{name}.db"
        archive = Archive(path)
        crawl = archive.begin_crawl(host, {}, site_name=name, profile=f"sites/{name}.toml")
        archive.finish_crawl(crawl, "finished", {}, {}, "finished")
        archive.close()
        inputs.append(path)
    output = tmp_path / "all.db"
    merge_archives(output, inputs)
    merge_archives(output, inputs)  # idempotent
    rows = {row["host"]: row for row in sqlite_utils.Database(output)["sites"].rows}
    assert {host: row["name"] for host, row in rows.items()} == {"a.example": "a", "b.example": "b"}
    crawls = {row["id"]: row["site_name"] for row in sqlite_utils.Database(output)["crawls"].rows}
    assert crawls[rows["b.example"]["last_crawl_id"]] == "b"


def test_extract_command_reads_with_a_named_profile(tmp_path: Path) -> None:
    page = FIXTURES / "en.ecss.com.eg" / "long-study" / "input.html"
    write(
        tmp_path,
        "mine.toml",
        'name = "mine"\nbase_urls = ["https://mine.example/"]\ntheme = "none"\n',
    )
    foxiz_read = _cli("extract", str(page), "--url", "https://mine.example/a/")
    plain_read = _cli(
        "extract", str(page), "--url", "https://mine.example/a/", "--site", "mine",
        "--sites-dir", str(tmp_path),
    )  # fmt: skip
    assert foxiz_read.returncode == plain_read.returncode == 0
    assert json.loads(foxiz_read.stdout)["sources"]["title"] == "foxiz"  # detected
    assert json.loads(plain_read.stdout)["sources"]["title"] != "foxiz"  # theme = "none"
    unknown = _cli("extract", str(page), "--site", "nope")
    assert unknown.returncode == 2
    assert "no site profile named 'nope'" in unknown.stderr


def test_reparse_reads_each_page_with_its_sites_profile(tmp_path: Path) -> None:
    """A page whose date is only shown as text is read in the profile's time zone."""
    fixture = FIXTURES / "other-themes" / "classic-twentytwenty-visible-date-only"
    url = json.loads((fixture / "meta.json").read_text(encoding="utf-8"))["url"]
    html = (fixture / "input.html").read_bytes()
    db = tmp_path / "a.db"
    archive = Archive(db)
    crawl = archive.begin_crawl("mediterranean-institute.example.org", {})
    capture = archive.store_capture(url, 200, {}, html, crawl)
    archive.store_article(extract_article(html, url), crawl, capture_id=capture)
    archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    archive.close()
    sites = tmp_path / "sites"
    write(
        sites,
        "med.toml",
        'name = "med"\nbase_urls = ["https://mediterranean-institute.example.org/"]\n'
        'timezone = "Asia/Tokyo"\n',
    )
    plain = _cli("reparse", "--db", str(db))
    assert plain.returncode == 0, plain.stderr
    assert "unchanged 1" in plain.stdout
    profiled = _cli("reparse", "--db", str(db), "--sites-dir", str(sites))
    assert profiled.returncode == 0, profiled.stderr
    assert "changed 1" in profiled.stdout
    row = next(iter(sqlite_utils.Database(db)["articles"].rows))
    assert row["published"] == "2024-03-12T00:00:00+09:00"


def test_pages_that_gave_no_record_count_as_attempted() -> None:
    """Every article page unreadable (no record at all): too many failures, not "ok";
    records that failed validation are counted once."""
    unreadable = {"ecss/articles_extracted": 0, "ecss/failures/extract": 6}
    assert judge(unreadable, Thresholds()).status == "too_many_failures"
    invalid = _stats(10, **FULL) | {"ecss/failures/extract": 1, "ecss/articles_invalid": 1}
    assert judge(invalid, Thresholds()).status == "ok"  # 1 of 10, not 1 of 11
    mixed = _stats(10, **FULL) | {"ecss/failures/extract": 4, "ecss/articles_invalid": 1}
    verdict = judge(mixed, Thresholds())
    assert verdict.status == "too_many_failures"
    assert "4 of 13 article pages failed" in verdict.reasons[0]
