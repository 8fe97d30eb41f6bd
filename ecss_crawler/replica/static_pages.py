"""Pages that are not posts: About Us and friends, the login screen and the print view."""

from __future__ import annotations

from collections.abc import Callable

from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.pages import StaticPage
from ecss_crawler.replica.templates.base import body_html, esc, html_open
from ecss_crawler.replica.view import View

_ABOUT = {
    "en": (
        "The Egyptian Center for Strategic Studies is an independent think tank founded in 2018.",
        "It publishes analyses, situation assessments and studies on regional and international "
        "affairs, defense and security, and public policy.",
    ),
    "ar": (
        "المركز المصري للفكر والدراسات الاستراتيجية مؤسسة بحثية مستقلة تأسست عام ٢٠١٨.",
        "يصدر المركز تحليلات وتقديرات موقف ودراسات في الشؤون الإقليمية والدولية والأمن والسياسات "
        "العامة.",
    ),
}
_LEGAL = {
    "en": ("These terms govern the use of this website and its content.",),
    "ar": ("تحكم هذه الشروط استخدام الموقع ومحتواه.",),
}


def _about(language: str) -> StaticPage:
    title = "من نحن" if language == "ar" else "About Us"
    return StaticPage(2, "/about-us/", title, _ABOUT[language])


def _privacy(language: str) -> StaticPage:
    return StaticPage(3, "/privacy-policy/", "Privacy Policy", _LEGAL[language])


def _terms(language: str) -> StaticPage:
    return StaticPage(4, "/terms-of-use/", "Terms of Use", _LEGAL[language])


#: Decoded path -> page factory (taking the site language).
STATIC_PAGES: dict[str, Callable[[str], StaticPage]] = {
    "/about-us/": _about,
    "/privacy-policy/": _privacy,
    "/terms-of-use/": _terms,
}


def login_page(view: View) -> str:
    """``/wp-login.php``: a login form, never content."""
    return (
        f'{html_open(view.language)}<head><meta charset="UTF-8" /><title>Log In &lsaquo; '
        f"{esc(view.site_name)}</title><meta name='robots' content='noindex, follow' /></head>\n"
        '<body class="login no-js login-action-login wp-core-ui"><div id="login"><h1><a href="'
        f'{esc(view.home)}">{esc(view.site_name)}</a></h1><form name="loginform" id="loginform" '
        f'action="{esc(view.url("/wp-login.php"))}" method="post"><p><label for="user_login">'
        'Username or Email Address</label><input type="text" name="log" id="user_login" /></p>'
        '<p><label for="user_pass">Password</label><input type="password" name="pwd" '
        'id="user_pass" />'
        '</p><p class="submit"><input type="submit" name="wp-submit" value="Log In" /></p></form>'
        f'<p id="nav"><a href="{esc(view.url("/wp-login.php", "?action=lostpassword"))}">Lost your '
        "password?</a></p></div></body></html>\n"
    )


def print_page(view: View, spec: ArticleSpec) -> str:
    """``?print=1``: a printer-friendly copy of an article (noindex, canonical to the original)."""
    url = esc(view.article_url(spec))
    return (
        f'{html_open(spec.language)}<head><meta charset="UTF-8" /><title>{esc(spec.title)}</title>'
        "<meta name='robots' content='noindex, nofollow' />"
        f'<link rel="canonical" href="{url}" /></head>\n<body class="print-view"><div '
        'class="print-wrap">'
        f'<h1 class="print-title">{esc(spec.title)}</h1><p class="print-url">{url}</p>'
        f'<div class="print-content">{body_html(view, spec)}</div></div>'
        "<script>window.print();</script></body></html>\n"
    )
