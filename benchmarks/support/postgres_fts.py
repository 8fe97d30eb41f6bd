"""PostgreSQL comparison for ``benchmarks/query_scale.py --postgres``.

Starts a throw-away PostgreSQL cluster on 127.0.0.1 (``services.postgres_server``),
loads the SQLite archive's articles into it, and runs the same searches:

* load: ``COPY`` of id, language, title, summary, body, published and the archive's
  normalised search columns (``search_*``: Arabic folded as in SQLite);
* index: a stored ``tsvector`` (title weight A, summary B, body D, ``english``
  configuration: Snowball English stemming, Arabic tokens kept as they are, like
  FTS5's porter + unicode61) with a GIN index;
* query: each benchmark query turned into a ``tsquery`` (words AND-ed,
  ``"phrases"`` as ``<->``, ``word*`` as ``word:*``), ranked with ``ts_rank_cd``,
  top 20 with a ``ts_headline`` snippet, i.e. what ``ecss-crawler search`` returns;
* concurrent writers: N processes inserting articles at once, in PostgreSQL
  (row locks) and in one SQLite file (one writer at a time, ``busy_timeout``).
"""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.support.measure import table
from benchmarks.support.services import postgres_server
from ecss_crawler.archive.arabic import normalise

SCHEMA = """
CREATE TABLE articles (
    id text PRIMARY KEY, language text, title text, summary text, body text,
    published text, search_title text, search_summary text, search_body text,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(search_title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(search_summary, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(search_body, '')), 'D')
    ) STORED
)
"""
COLUMNS = ("id", "language", "title", "summary", "body", "published")
SEARCH_COLUMNS = ("search_title", "search_summary", "search_body")
SEARCH_SQL = """
SELECT id, title, ts_headline('english', body, q, 'MaxWords=30, MinWords=10') AS snippet
FROM (
    SELECT id, title, body, q, ts_rank_cd(tsv, q) AS rank
    FROM articles, to_tsquery('english', %s) AS q
    WHERE tsv @@ q {where}
    ORDER BY rank DESC LIMIT 20
) AS top ORDER BY rank DESC
"""


def to_tsquery_text(query: str) -> str:
    """FTS5-style query text -> ``to_tsquery`` syntax (words AND-ed)."""
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', normalise(query)):
        if phrase:
            words = [_lexeme(w) for w in phrase.split() if _lexeme(w)]
            if words:
                parts.append("(" + " <-> ".join(words) + ")")
        elif word.upper() in ("AND", "OR", "NOT"):
            continue
        elif word.endswith("*") and _lexeme(word[:-1]):
            parts.append(_lexeme(word[:-1]) + ":*")
        elif _lexeme(word):
            parts.append(_lexeme(word))
    return " & ".join(parts) or "''"


def _lexeme(word: str) -> str:
    cleaned = re.sub(r"[^\w]", "", word)
    return f"'{cleaned}'" if cleaned else ""


def _where(filters: Any) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if getattr(filters, "lang", None):
        clauses.append("language = %s")
        params.append(filters.lang)
    if getattr(filters, "since", None):
        clauses.append("published >= %s")
        params.append(filters.since)
    return "".join(f" AND {c}" for c in clauses), params


def load(url: str, sqlite_path: Path) -> dict[str, float]:
    """Copy the archive's articles into PostgreSQL; returns load/index seconds and size."""
    import psycopg

    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    names = (*COLUMNS, *SEARCH_COLUMNS)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY articles ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in source.execute(f"SELECT {', '.join(names)} FROM articles"):
                copy.write_row(row)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("CREATE INDEX articles_tsv ON articles USING gin (tsv)")
        conn.execute("CREATE INDEX articles_published ON articles (published)")
        conn.execute("VACUUM ANALYZE articles")
        indexed = time.perf_counter() - started
        size = conn.execute("SELECT pg_total_relation_size('articles')").fetchone()[0]
    source.close()
    return {"load_s": loaded, "index_s": indexed, "size_mb": size / 1e6}


def search_latencies(url: str, queries: list[tuple[str, str, Any]]) -> tuple[list[float], int]:
    import psycopg

    latencies: list[float] = []
    hits = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for rounds in (0, 1):  # the first round warms the cache
            for _kind, query, filters in queries:
                where, params = _where(filters)
                sql = SEARCH_SQL.format(where=where)
                started = time.perf_counter()
                found = conn.execute(sql, [to_tsquery_text(query), *params]).fetchall()
                if rounds:
                    latencies.append((time.perf_counter() - started) * 1000)
                    hits += bool(found)
    return latencies, hits


# --------------------------------------------------------------------------- concurrent writers

_BODY = " ".join(["water security and the nile dam negotiations"] * 60)


def _pg_writer(args: tuple[str, int, int]) -> float:
    import psycopg

    url, worker, count = args
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        for start in range(0, count, 100):
            with conn.transaction():
                conn.cursor().executemany(
                    "INSERT INTO articles (id, language, title, body, search_title, search_body)"
                    " VALUES (%s, 'en', %s, %s, %s, %s)",
                    [
                        (f"w{worker}:{n}", f"title {n}", _BODY, f"title {n}", _BODY)
                        for n in range(start, min(start + 100, count))
                    ],
                )
    return time.perf_counter() - started


def _sqlite_writer(args: tuple[str, int, int]) -> float:
    from ecss_crawler.archive import Archive
    from ecss_crawler.items import Article

    path, worker, count = args
    started = time.perf_counter()
    with Archive(path, batch_size=100) as archive:
        crawl = archive.begin_crawl("bench", {"worker": worker})
        for n in range(count):
            archive.store_article(
                Article(
                    url=f"https://bench/{worker}/{n}/",
                    site="bench",
                    post_id=worker * 1_000_000 + n,
                    title=f"title {n}",
                    body=_BODY,
                    published="2024-01-01T00:00:00+02:00",
                ),
                crawl,
            )
    return time.perf_counter() - started


def concurrent_writers(url: str, tmp: Path, writers: int, per_writer: int) -> list[list[str]]:
    """Wall time for ``writers`` processes each inserting ``per_writer`` articles."""
    import psycopg

    rows = []
    for name, fn, target in (
        ("PostgreSQL", _pg_writer, url),
        ("SQLite (Archive)", _sqlite_writer, str(tmp / "writers.db")),
    ):
        for n in (1, writers):
            if name == "PostgreSQL":
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("TRUNCATE articles")
            else:
                for p in tmp.glob("writers.db*"):
                    p.unlink()
                _sqlite_writer((target, 0, 1))  # create + migrate outside the timing
            started = time.perf_counter()
            with multiprocessing.get_context("spawn").Pool(n) as pool:
                pool.map(fn, [(target, w + 1, per_writer) for w in range(n)])
            wall = time.perf_counter() - started
            total = n * per_writer
            rows.append([name, str(n), f"{total:,}", f"{wall:.1f}", f"{total / wall:,.0f}"])
    return rows


def run_comparison(sqlite_path: Path, queries: list[tuple[str, str, Any]]) -> None:
    """Load, search and write benchmarks against PostgreSQL; prints Markdown tables."""
    import tempfile

    from benchmarks.archive import percentile

    with postgres_server() as url:
        loaded = load(url, sqlite_path)
        latencies, hits = search_latencies(url, queries)
        with tempfile.TemporaryDirectory() as tmp:
            writers = concurrent_writers(url, Path(tmp), 2, 5000)
    print("\nPostgreSQL (same articles, tsvector + GIN, ts_rank_cd, ts_headline)\n")
    rows = [
        ["load (COPY)", f"{loaded['load_s']:.1f} s"],
        ["GIN + published index, VACUUM ANALYZE", f"{loaded['index_s']:.1f} s"],
        ["table + indexes size", f"{loaded['size_mb']:,.0f} MB"],
        ["search median", f"{statistics.median(latencies):.1f} ms"],
        ["search p95", f"{percentile(latencies, 95):.1f} ms"],
        ["search max", f"{max(latencies):.1f} ms"],
        ["queries with hits", f"{hits} / {len(queries)}"],
    ]
    print(table(["measure", "value"], rows))
    print("\nConcurrent writers (batches of 100 articles per transaction)\n")
    headers = ["database", "writer processes", "articles", "seconds", "articles/s"]
    print(table(headers, writers))
