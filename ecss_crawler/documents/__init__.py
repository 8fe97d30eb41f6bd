"""Documents linked from articles (PDF, DOCX, DOC): download, read, archive, search.

* :mod:`~ecss_crawler.documents.text`: pure text and metadata extraction (no Scrapy);
* :mod:`~ecss_crawler.documents.isolate`: the same in a child process with a time limit;
* :mod:`~ecss_crawler.documents.crawl`: the spider's requests and callbacks;
* :mod:`~ecss_crawler.documents.pipeline`: the item pipeline and the archive hand-off.

Storage is :mod:`ecss_crawler.archive.documents`; see docs/data-model.md.
"""
