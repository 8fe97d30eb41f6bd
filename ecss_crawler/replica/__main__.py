"""``python -m ecss_crawler.replica``: serve a replica site until Ctrl-C, or write it to disk.

Examples::

    python -m ecss_crawler.replica --port 8089 --articles 40
    python -m ecss_crawler.replica --articles 20000 --write-static /tmp/replica
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from ecss_crawler.replica.model import THEMES, ReplicaConfig
from ecss_crawler.replica.server import ReplicaServer
from ecss_crawler.replica.site import ReplicaSite
from ecss_crawler.replica.static_export import nginx_conf, write_static


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m ecss_crawler.replica",
        description="Serve a generated ECSS-like WordPress (Foxiz) site on 127.0.0.1.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8089, help="port, 0 for any free one (default %(default)s)"
    )
    parser.add_argument(
        "--articles", type=int, default=40, help="number of articles (default %(default)s)"
    )
    parser.add_argument("--arabic-share", type=float, default=0.5, help="share of Arabic articles")
    parser.add_argument(
        "--language", choices=("en", "ar"), default="en", help="the site's own language"
    )
    parser.add_argument("--per-page", type=int, default=5, help="cards per listing page")
    parser.add_argument("--theme", choices=THEMES, default="foxiz", help="theme variant")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same site)")
    parser.add_argument(
        "--load-more",
        default="analysis",
        help="comma-separated category slugs in 'Show More' mode ('' for none)",
    )
    parser.add_argument("--no-sitemap", action="store_true", help="serve no wp-sitemap.xml")
    parser.add_argument(
        "--write-static",
        metavar="DIR",
        help="write the whole site under DIR (for nginx) instead of serving it",
    )
    return parser


def config_from(args: argparse.Namespace) -> ReplicaConfig:
    """A :class:`ReplicaConfig` from parsed options."""
    return ReplicaConfig(
        seed=args.seed,
        n_articles=args.articles,
        arabic_share=args.arabic_share,
        language=args.language,
        per_page=args.per_page,
        theme=args.theme,
        load_more_categories=tuple(s for s in args.load_more.split(",") if s),
        sitemap=not args.no_sitemap,
    )


def export(config: ReplicaConfig, args: argparse.Namespace) -> int:
    """``--write-static``: render every page to disk and print an nginx config for it."""
    site = ReplicaSite(config, f"http://{args.host}:{args.port}/")
    started = time.monotonic()
    count = write_static(site, args.write_static, lambda n: print(f"  {n} files...", flush=True))
    print(f"wrote {count} files to {args.write_static} in {time.monotonic() - started:.1f} s")
    print(
        "serve them with nginx -c <file> where <file> "
        f"holds:\n\n{nginx_conf(args.write_static, args.port)}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    config = config_from(args)
    if args.write_static:
        return export(config, args)
    try:
        server = ReplicaServer(config, args.host, args.port)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    site = server.site
    print(f"ECSS replica: {len(site.articles)} articles, theme {config.theme}")
    print(f"serving {server.base_url}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
