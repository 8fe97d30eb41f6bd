"""Shared helpers for the crawl and scale benchmarks (site serving, measuring, services)."""
