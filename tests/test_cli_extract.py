"""``ecss-crawler extract``: files, URLs, formats and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ecss_crawler.replica import ReplicaConfig, serve_replica

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "en.ecss.com.eg" / "seed-article"
ARABIC = FIXTURES / "ecss.com.eg" / "ar-arabic-theme-labels"


def extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", "extract", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_json_record_from_a_saved_page() -> None:
    url = json.loads((SEED / "meta.json").read_text())["url"]
    result = extract(str(SEED / "input.html"), "--url", url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record == json.loads((SEED / "expected.json").read_text(encoding="utf-8"))


def test_arabic_is_printed_as_is() -> None:
    result = extract(str(ARABIC / "input.html"))
    assert result.returncode == 0, result.stderr
    assert "\\u06" not in result.stdout
    assert json.loads(result.stdout)["language"] == "ar"


def test_saved_page_without_url_uses_its_canonical_link() -> None:
    result = extract(str(SEED / "input.html"))
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout)["url"] == expected["url"]


def test_text_format() -> None:
    result = extract(str(SEED / "input.html"), "--format", "text")
    assert result.returncode == 0
    assert result.stdout.startswith("Redefining Dynamics")
    assert "By Ahmed El-sayed" in result.stdout


def test_not_an_article_exits_3() -> None:
    page = FIXTURES / "en.ecss.com.eg" / "not-article-category" / "input.html"
    result = extract(str(page))
    assert result.returncode == 3
    assert result.stderr.startswith("error: not an article (category)")


def test_bad_input_is_one_line_error(tmp_path: Path) -> None:
    cases = {"empty.html": b"", "binary.html": bytes(range(256)) * 20, "plain.txt": b"no markup"}
    for name, body in cases.items():
        path = tmp_path / name
        path.write_bytes(body)
        result = extract(str(path))
        assert result.returncode == 2, name
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
    missing = extract(str(tmp_path / "nope.html"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr


def test_fetches_a_url_once() -> None:
    with serve_replica(ReplicaConfig(n_articles=4)) as server:
        record = server.site.expected_records()[0]
        result = extract(record["url"])
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["title"] == record["title"]
        assert len([r for r in server.requests if r.path.endswith("/") and r.method == "GET"]) == 1
