"""WARC writing on its own: what ``--warc`` costs per page, apart from any crawl.

Renders the bundled replica's pages (articles, listings, sitemaps, as the crawler fetches
them), gzips them as the server does, and writes each as a request/response pair through
``ecss_crawler.warc.files`` (warcio's ``WARCWriter``, gzip per record) into a temporary
directory, timing the writing only. The figure to hold beside the crawl's own cost per page
(``benchmarks/crawl_throughput.py``, CPU ms/page) is the ms per exchange.

    python benchmarks/warc_write.py                 # 2,000 articles, every page, best of 3
    python benchmarks/warc_write.py --articles 500 --repeat 5
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support.measure import table
from ecss_crawler.replica import ReplicaConfig
from ecss_crawler.replica.site import ReplicaSite
from ecss_crawler.warc.files import Exchange, WarcFileSet, crawl_info, warc_date, write_exchange

BASE = "http://127.0.0.1:8080/"


def exchanges(articles: int) -> list[Exchange]:
    """Every page of a replica site, gzip-encoded like the server sends HTML and XML."""
    site = ReplicaSite(ReplicaConfig(n_articles=articles, arabic_share=0.4, per_page=10), BASE)
    found = []
    for path in site.paths():
        response = site.render(path)
        kind = response.header("Content-Type") or ""
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        body = response.body
        if "html" in kind or "xml" in kind:
            body = gzip.compress(body, 6, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        request = [("User-Agent", "ecss-crawler/bench"), ("Accept-Encoding", "gzip, deflate")]
        found.append(
            Exchange(
                BASE.rstrip("/") + path,
                "GET",
                request,
                b"",
                response.status,
                "HTTP/1.1",
                headers,
                body,
                warc_date(),
                "127.0.0.1",
            )
        )
    return found


def write_all(pages: list[Exchange], directory: Path) -> float:
    """Seconds to write every exchange (files rotated at the default 1 GB)."""
    started = time.perf_counter()
    files = WarcFileSet(directory, info=crawl_info())
    for exchange in pages:
        files.write(partial(write_exchange, exchange=exchange))
    files.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = exchanges(args.articles)
    payload = sum(len(page.body) for page in pages)
    best = float("inf")
    size = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            best = min(best, write_all(pages, Path(tmp)))
            size = sum(f.stat().st_size for f in Path(tmp).glob("*.warc.gz"))
    print(f"\n{len(pages):,} pages of a {args.articles:,}-article replica, best of {args.repeat}\n")
    print(
        table(
            ["pages", "payload MB", "WARC MB", "seconds", "exchanges/s", "ms per exchange"],
            [
                [
                    f"{len(pages):,}",
                    f"{payload / 1e6:.1f}",
                    f"{size / 1e6:.1f}",
                    f"{best:.2f}",
                    f"{len(pages) / best:,.0f}",
                    f"{best / len(pages) * 1000:.3f}",
                ]
            ],
        )
    )


if __name__ == "__main__":
    main()
