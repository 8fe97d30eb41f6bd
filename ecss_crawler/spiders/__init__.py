"""Spiders: navigation only. Extraction lives in :mod:`ecss_crawler.extract`."""
