"""WARC (ISO 28500) output: every fetched response as WARC/1.1 records.

- :mod:`ecss_crawler.warc.files`: naming, rotating and closing ``*.warc.gz`` files and
  building records with warcio (no Scrapy);
- :mod:`ecss_crawler.warc.extension`: the Scrapy extension behind ``ECSS_WARC_DIR``
  (``ecss-crawler crawl --warc DIR``);
- :mod:`ecss_crawler.warc.export`: ``ecss-crawler export --format warc`` from stored captures.
"""
