"""``python -m ecss_crawler.cli``: the same as the ``ecss-crawler`` command."""

from ecss_crawler.cli import main

main()
