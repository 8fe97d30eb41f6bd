"""HTML templates for the replica's theme variants."""

from __future__ import annotations

from ecss_crawler.replica.pages import Theme
from ecss_crawler.replica.templates.cms import CmsTheme
from ecss_crawler.replica.templates.foxiz import FoxizTheme
from ecss_crawler.replica.templates.plain import BrokenTheme, RedesignTheme
from ecss_crawler.replica.templates.stock import BlockTheme, ClassicTheme


def theme_for(name: str) -> Theme:
    """The theme object for a :class:`ReplicaConfig.theme` name."""
    themes: dict[str, Theme] = {
        "foxiz": FoxizTheme(meta=True),
        "foxiz-nometa": FoxizTheme(meta=False),
        "redesign": RedesignTheme(),
        "broken": BrokenTheme(),
        "block": BlockTheme(),
        "classic": ClassicTheme(),
        "cms": CmsTheme(),
    }
    return themes[name]
