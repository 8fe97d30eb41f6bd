"""Foxiz page chrome: assets, header with mega menus, mobile header, sidebar, footer and popups.

None of this is article content: it is the clutter an extractor must ignore and
the trap links a polite crawler must not follow.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from ecss_crawler.replica.clock import long_date, month_name, previous_month
from ecss_crawler.replica.model import Term
from ecss_crawler.replica.templates.base import enc, esc
from ecss_crawler.replica.templates.cards import grid_card, small_card
from ecss_crawler.replica.view import ANNUAL_REPORT, DEAD_LINK, View

SOCIALS: tuple[tuple[str, str, str], ...] = (
    ("facebook", "Facebook", "https://www.facebook.com/ECSSEgypt"),
    ("twitter", "Twitter", "https://twitter.com/ECSS_Egypt"),
    ("youtube", "YouTube", "https://www.youtube.com/c/ECSSEgypt"),
    ("instagram", "Instagram", "https://www.instagram.com/ecss_egypt"),
)

STYLES = (
    "<style>\nimg.wp-smiley,\nimg.emoji {\n\tdisplay: inline !important;\n\tborder: none "
    "!important;"
    "\n\theight: 1em !important;\n\twidth: 1em !important;\n\tmargin: 0 0.07em !important;\n}\n"
    "</style>\n"
    "<style id='global-styles-inline-css'>\nbody{--wp--preset--color--black: #000000;"
    "--wp--preset--color--white: #ffffff;--wp--preset--font-size--small: 13px;"
    "--wp--preset--font-size--medium: 20px;--wp--preset--font-size--large: 36px;}"
    ":where(.is-layout-flex){gap: 0.5em;}body .is-layout-flex{display: flex;}"
    ".has-black-color{color: var(--wp--preset--color--black) !important;}\n</style>\n"
)


def stylesheets(view: View) -> str:
    """Theme and plugin stylesheet links, and jQuery."""
    sheets = (
        ("wp-block-library-css", "/wp-includes/css/dist/block-library/style.min.css", "6.1.9"),
        (
            "foxiz-elements-css",
            "/wp-content/plugins/foxiz-core/lib/foxiz-elements/public/style.css",
            "2.0",
        ),
        ("foxiz-main-css", "/wp-content/themes/foxiz/assets/css/main.css", "2.5.0"),
        ("foxiz-style-css", "/wp-content/themes/foxiz/style.css", "2.5.0"),
    )
    links = "".join(
        f"<link rel='stylesheet' id='{sid}' href='{view.url(path, '?ver=' + ver)}' media='all' />\n"
        for sid, path, ver in sheets
    )
    jquery = view.url("/wp-includes/js/jquery/jquery.min.js", "?ver=3.6.1")
    return (
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>\n'
        f"{STYLES}{links}<script src='{jquery}' id='jquery-core-js'></script>\n"
    )


def _menu_link(item_id: int, url: str, label: str, extra: str = "") -> str:
    return (
        f'<li id="menu-item-{item_id}" class="menu-item menu-item-type-taxonomy '
        f'menu-item-object-category{extra} menu-item-{item_id}"><a href="{esc(url)}">'
        f"<span>{esc(label)}</span></a>"
    )


def mega_menu(view: View, term: Term) -> str:
    """A top category's menu item with its "Latest News" mega dropdown."""
    url = view.category_url(term)
    cards = "".join(grid_card(view, spec, "h5") for spec in view.latest_in(term, 4))
    return (
        _menu_link(60 + term.term_id, url, term.name, " menu-item-has-children is-mega-menu")
        + '\n<div class="mega-dropdown is-mega-category"><div class="rb-container edge-padding">'
        '<div class="mega-dropdown-inner"><div class="mega-header mega-header-fw"><span '
        'class="h4">'
        f'{esc(term.name)}</span><a class="mega-link is-meta" href="{esc(url)}"><span>Show More'
        '</span><i class="rbi rbi-cright" aria-hidden="true"></i></a></div>'
        f'<div id="mega-listing-{term.term_id}" class="block-wrap block-small block-grid '
        'block-grid-small-1 rb-columns rb-col-4 is-gap-10"><div class="block-h heading-layout-1">'
        '<div class="heading-inner"><span class="heading-title">Latest News</span></div></div>'
        f'<div class="block-inner">{cards}</div></div></div></div></div></li>\n'
    )


def other_language_link(view: View) -> str:
    """The menu link to the other language's first category."""
    other = "en" if view.language == "ar" else "ar"
    tops = view.catalog.top_categories(other)
    if not tops:
        return ""
    label = "English" if other == "en" else "العربية"
    return _menu_link(90, view.category_url(tops[0]), label) + "</li>\n"


def main_menu(view: View) -> str:
    """The desktop main menu."""
    items = [
        '<li id="menu-item-59" class="menu-item menu-item-type-custom menu-item-home '
        f'menu-item-59"><a href="{esc(view.home)}"><span>Home</span></a></li>\n'
    ]
    items += [mega_menu(view, term) for term in view.catalog.top_categories(view.language)]
    items.append(
        '<li id="menu-item-88" class="menu-item menu-item-type-post_type menu-item-88">'
        f'<a href="{esc(view.url("/about-us/"))}"><span>About Us</span></a></li>\n'
    )
    items.append(other_language_link(view))
    return (
        '<nav id="site-navigation" class="main-menu-wrap" aria-label="main menu">'
        '<ul id="menu-main-menu" class="main-menu rb-menu large-menu" itemscope '
        'itemtype="http://www.schema.org/SiteNavigationElement">' + "".join(items) + "</ul></nav>\n"
    )


def category_tree(view: View, language: str) -> str:
    """Nested ``ul.sub-menu`` lists of every category of ``language`` (mobile menu, footer)."""
    out = []
    for top in view.catalog.top_categories(language):
        children = "".join(
            _menu_link(100 + child.term_id, view.category_url(child), child.name) + "</li>\n"
            for child in view.catalog.children(top)
        )
        sub = f'\n<ul class="sub-menu">\n{children}</ul>\n' if children else ""
        extra = " menu-item-has-children" if children else ""
        out.append(
            _menu_link(100 + top.term_id, view.category_url(top), top.name, extra) + sub + "</li>\n"
        )
    return "".join(out)


def search_form(view: View) -> str:
    """The header search form (a ``GET /?s=`` trap)."""
    return (
        f'<form method="get" action="{esc(view.home)}" class="rb-search-form" data-search="post">'
        '<div class="search-form-inner"><span class="search-icon"><i class="rbi rbi-search" '
        'aria-hidden="true"></i></span><span class="search-text"><input type="text" class="field" '
        'placeholder="Search Headlines, News..." value="" name="s"/></span><span '
        'class="rb-search-submit"><input type="submit" value="Search"/></span></div></form>'
    )


def social_links(css: str = "header-social-list wnav-holder") -> str:
    """External social profile links."""
    links = "".join(
        f'<a class="social-link-{key}" aria-label="{label}" data-title="{label}" href="{url}" '
        f'target="_blank" rel="noopener nofollow"><i class="rbi rbi-{key}" aria-hidden="true"></i>'
        "</a>"
        for key, label, url in SOCIALS
    )
    return f'<div class="{css}">{links}</div>'


def notification(view: View) -> str:
    """The notification dropdown with the newest titles."""
    items = "".join(
        f'<div class="p-wrap p-list-small-1" data-pid="{spec.post_id}"><h6 class="entry-title">'
        f'<a class="p-url" href="{esc(view.article_url(spec))}">{esc(spec.title)}</a></h6></div>'
        for spec in view.latest(5)
    )
    return (
        '<div class="wnav-holder header-dropdown-outer"><a href="#" class="dropdown-trigger '
        'notification-icon notification-trigger" aria-label="notification"><i class="rbi '
        'rbi-notification wnav-icon" aria-hidden="true"></i></a><div class="header-dropdown '
        'notification-dropdown"><div class="notification-popup"><div class="notification-header">'
        '<span class="h4">Notification</span><a class="notification-url meta-text" href="#">'
        'Show More</a></div><div class="notification-content"><div class="scroll-holder">'
        f'<span class="h5">Latest News</span>{items}</div></div></div></div></div>'
    )


def share_links(view: View, url: str, title: str, gravity: str = "") -> str:
    """Share buttons: Facebook, Twitter, copy and a ``javascript:`` print link."""
    grav = f' data-gravity="{gravity}"' if gravity else ""
    text = enc(title)
    return (
        '<a class="share-action share-trigger icon-facebook" aria-label="Share on Facebook" '
        f'href="https://www.facebook.com/sharer.php?u={enc(url)}" data-title="Facebook"{grav} '
        'rel="nofollow"><i class="rbi rbi-facebook" aria-hidden="true"></i></a>\n'
        '<a class="share-action share-trigger icon-twitter" aria-label="Share on Twitter" '
        f'href="https://twitter.com/intent/tweet?text={text}&amp;url={enc(url)}'
        '&amp;via=ECSS_Egypt" '
        f'data-title="Twitter"{grav} rel="nofollow"><i class="rbi rbi-twitter" aria-hidden="true">'
        "</i></a>"
        '<a class="share-action icon-copy copy-trigger" aria-label="Copy Link" href="#" '
        f'data-copied="Copied!" data-link="{esc(url)}" rel="nofollow" data-copy="Copy Link"{grav}>'
        '<i class="rbi rbi-link-o" aria-hidden="true"></i></a>\n'
        '<a class="share-action icon-print" aria-label="Print" rel="nofollow" '
        f'href="javascript:if(window.print)window.print()" data-title="Print"{grav}>'
        '<i class="rbi rbi-print" aria-hidden="true"></i></a>\n'
    )


def sticky_title(view: View, url: str, title: str) -> str:
    """The sticky "Reading: title" bar of article pages."""
    return (
        '<div id="s-title-sticky" class="s-title-sticky"><div class="s-title-sticky-left">'
        '<span class="sticky-title-label">Reading:</span>'
        f'<span class="h4 sticky-title">{esc(title)}</span></div>'
        '<div class="sticky-share-list"><div class="t-shared-header meta-text"><i class="rbi '
        'rbi-share" aria-hidden="true"></i><span class="share-label">Share</span></div>'
        '<div class="sticky-share-list-items effect-fadeout">'
        f"{share_links(view, url, title, 'n')}</div></div></div>\n"
    )


def logo(view: View) -> str:
    """The text logo."""
    name = esc(view.site_name)
    return (
        '<div class="logo-wrap is-text-logo site-branding"><p class="logo-title h1">'
        f'<a href="{esc(view.home)}" title="{name}">{name}</a></p>'
        '<p class="site-description is-hidden">Egyptian Center for Strategic Studies</p></div>'
    )


def privacy_bar(view: View) -> str:
    """The cookie/privacy notice."""
    return (
        '<aside id="rb-privacy" class="privacy-bar privacy-left"><div class="privacy-inner">'
        '<div class="privacy-content">By using ECSS site, you agree to the '
        f'<a href="{esc(view.url("/privacy-policy/"))}">Privacy Policy</a> and '
        f'<a href="{esc(view.url("/terms-of-use/"))}">Terms of Use</a>.</div>'
        '<div class="privacy-dismiss"><a id="privacy-trigger" href="#" class="privacy-dismiss-btn '
        'is-btn"><span>Accept</span></a></div></div></aside>'
    )


def header(view: View, current_url: str, sticky: str = "") -> str:
    """``#site-header`` and ``#header-mobile``."""
    login = view.url("/wp-login.php", "?redirect_to=" + enc(current_url))
    return (
        '<div class="site-outer"><div id="site-header" class="header-wrap rb-section header-set-1 '
        f'header-1 header-wrapper style-shadow">{privacy_bar(view)}\n'
        '<div id="navbar-outer" class="navbar-outer"><div id="sticky-holder" class="sticky-holder">'
        '<div class="navbar-wrap"><div class="rb-container edge-padding"><div class="navbar-inner">'
        f'<div class="navbar-left">{logo(view)}\n{main_menu(view)}{sticky}</div>'
        '<div class="navbar-right"><div class="wnav-holder widget-h-login header-dropdown-outer">'
        f'<a href="{esc(login)}" class="login-toggle is-login header-element" data-title="Sign In" '
        f'aria-label="Sign In"><i class="rbi rbi-user wnav-icon"></i></a></div>{social_links()}'
        f"{notification(view)}"
        '<div class="wnav-holder w-header-search header-dropdown-outer"><a href="#" '
        'data-title="Search" class="icon-holder header-element search-btn search-trigger" '
        'aria-label="search"><i class="rbi rbi-search wnav-icon" aria-hidden="true"></i></a>'
        f'<div class="header-dropdown"><div class="header-search-form is-icon-layout">'
        f"{search_form(view)}</div></div></div>"
        '<div class="wnav-holder font-resizer"><a href="#" class="font-resizer-trigger" '
        'data-title="Font Resizer"><span class="screen-reader-text">Font Resizer</span>'
        "<strong>Aa</strong></a></div></div></div></div></div></div></div>\n"
        f"{mobile_header(view)}</div>\n"
    )


def mobile_header(view: View) -> str:
    """``#header-mobile`` with its own search form and menu."""
    return (
        '<div id="header-mobile" class="header-mobile"><div class="header-mobile-wrap">'
        f'<div class="mbnav edge-padding"><div class="navbar-left">{logo(view)}</div>'
        '<div class="navbar-right"><a href="#" class="mobile-menu-trigger mobile-search-icon" '
        'aria-label="search"><i class="rbi rbi-search wnav-icon"></i></a><div class="wnav-holder '
        'font-resizer"><a href="#" class="font-resizer-trigger"><strong>Aa</strong></a></div>'
        '</div></div></div><div class="mobile-collapse"><div class="collapse-holder">'
        '<div class="collapse-inner"><div class="mobile-search-form '
        f'edge-padding">{search_form(view)}'
        '</div><nav class="mobile-menu-wrap edge-padding"><ul id="mobile-menu" class="mobile-menu">'
        f"{category_tree(view, view.language)}</ul></nav>"
        '<div class="mobile-socials"><span class="mobile-social-title h6">Follow US</span>'
        f"{social_links('mobile-social-list')}</div></div></div></div></div>\n"
    )


def widget(widget_id: str, css: str, heading: str, inner: str) -> str:
    """One sidebar widget."""
    return (
        f'<div id="{widget_id}" class="widget rb-section w-sidebar clearfix {css}">'
        '<div class="block-h widget-heading heading-layout-1"><div class="heading-inner">'
        f'<h4 class="heading-title"><span>{esc(heading)}</span></h4></div></div>{inner}</div>'
    )


def follower_widget() -> str:
    """The "Stay Connected" widget with follower counts."""
    items = "".join(
        f'<div class="follower-el {key}-follower"><a target="_blank" href="{url}" class="{key}" '
        f'aria-label="{label}" rel="noopener nofollow"></a><span class="follower-inner">'
        f'<span class="fntotal">0</span><span class="text-count">Follow</span></span></div>'
        for key, label, url in SOCIALS
    )
    return widget(
        "widget-follower-2",
        "widget-follower",
        "Stay Connected",
        f'<div class="socials-counter h6"><div class="social-follower">{items}</div></div>',
    )


def latest_widget(view: View) -> str:
    """The "Latest Articles" widget: small cards, outside any main block."""
    cards = "".join(small_card(view, spec) for spec in view.latest(4))
    return widget(
        "widget-post-2",
        "widget-post",
        "Latest Articles",
        f'<div class="widget-p-listing">{cards}\t</div>',
    )


def picks_widget(view: View) -> str:
    """The "Editor's Picks" widget, whose links are URL variants of articles.

    Tracking parameters, no trailing slash, a fragment, a shortlink, upper-case
    percent-encoding, an old permalink, plus a PDF and a link that 404s.
    """
    picks = view.picks()
    links: list[tuple[str, str]] = []
    variants = ("?utm_source=newsletter&utm_medium=email&utm_campaign=weekly", "", "#comments", "")
    for number, (spec, suffix) in enumerate(zip(picks, variants, strict=False)):
        url = view.article_url(spec)
        if number == 1:
            url = url.rstrip("/")
        elif number == 3:
            url = view.url("/", f"?p={spec.post_id}")
        links.append((url + suffix, spec.title))
    arabic = view.with_arabic_slug()
    if arabic:
        upper = re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), view.article_url(arabic))
        links.append((upper, arabic.title))
    moved = view.with_old_path()
    if moved:
        links.append((view.url(moved.old_path), moved.title))
    links.append((view.url(ANNUAL_REPORT), "ECSS Annual Report 2023 (PDF)"))
    links.append((view.url(DEAD_LINK), "ECSS Archive 2015"))
    items = "".join(f'<li><a href="{esc(url)}">{esc(text)}</a></li>' for url, text in links)
    return widget(
        "custom_html-3",
        "widget_text widget_custom_html",
        "Editor’s Picks",
        f'<div class="textwidget custom-html-widget"><ul class="editor-picks">{items}</ul></div>',
    )


def calendar_widget(view: View, month: tuple[int, int] | None, style: str = "cal") -> str:
    """WordPress's calendar: day links ``/?m=YYYYMMDD`` and a "previous month" link that never
    runs out (``/YYYY/MM/?cal=prev``, or ``/?m=YYYYMM`` when ``style`` is ``"m"``)."""
    year, mon = month or view.calendar_month()
    days = view.days_with_posts(year, mon)
    rows = []
    for week in calendar.monthcalendar(year, mon):
        cells = []
        for day in week:
            if not day:
                cells.append('<td class="pad">&nbsp;</td>')
            elif day in days:
                label = long_date(datetime(year, mon, day), "en")
                cells.append(
                    f'<td><a href="{esc(view.url("/", f"?m={year:04d}{mon:02d}{day:02d}"))}" '
                    f'aria-label="Posts published on {label}">{day}</a></td>'
                )
            else:
                cells.append(f"<td>{day}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    prev_year, prev_mon = previous_month(year, mon)
    if style == "m":
        prev_url = view.url("/", f"?m={prev_year:04d}{prev_mon:02d}")
    else:
        prev_url = view.url(view.month_path(prev_year, prev_mon), "?cal=prev")
    prev = (
        f'<a href="{esc(prev_url)}">&laquo; {calendar.month_abbr[prev_mon]}</a>'
        if prev_year > 1900
        else "&nbsp;"
    )
    heads = "".join(f'<th scope="col">{name[0]}</th>' for name in calendar.day_abbr)
    table = (
        '<div id="calendar_wrap" class="calendar_wrap"><table id="wp-calendar" '
        f'class="wp-calendar-table"><caption>{month_name(year, mon, view.language)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<nav aria-label="Previous and next months" class="wp-calendar-nav">'
        f'<span class="wp-calendar-nav-prev">{prev}</span><span class="pad">&nbsp;</span>'
        '<span class="wp-calendar-nav-next">&nbsp;</span></nav></div>'
    )
    return widget("calendar-2", "widget_calendar", "Archives", table)


def sidebar(view: View, css: str, month: tuple[int, int] | None = None, style: str = "cal") -> str:
    """The sidebar (``.sidebar-wrap``) with all its widgets."""
    tweets = widget(
        "text-2",
        "widget_text",
        "Latest Tweets",
        '<div class="textwidget"><a class="twitter-timeline" '
        'href="https://twitter.com/ECSS_Egypt">Tweets by ECSS_Egypt</a></div>',
    )
    return (
        f'<div class="{css} sidebar-wrap"><div class="sidebar-inner clearfix">'
        f"{follower_widget()}{latest_widget(view)}{picks_widget(view)}"
        f"{calendar_widget(view, month, style)}{tweets}</div></div>\n"
    )


def footer(view: View) -> str:
    """``footer.footer-wrap``: category menus in both languages, pages and copyright."""
    other = "en" if view.language == "ar" else "ar"
    columns = "".join(
        f'<div class="footer-col"><div id="nav_menu-{n}" class="widget w-sidebar rb-section '
        'clearfix widget_nav_menu"><div class="block-h widget-heading heading-layout-10">'
        f'<div class="heading-inner"><h4 class="heading-title"><span>{esc(title)}</span></h4></div>'
        f'</div><ul class="menu">{items}</ul></div></div>'
        for n, (title, items) in enumerate(
            (
                ("Categories", category_tree(view, view.language)),
                ("العربية" if other == "ar" else "English", category_tree(view, other)),
                ("ECSS", _page_links(view)),
            ),
            2,
        )
    )
    return (
        '<footer class="footer-wrap rb-section"><div class="footer-inner footer-has-bg">'
        '<div class="footer-columns rb-columns is-gap-25 rb-container edge-padding footer-3c">'
        f'<div class="block-inner">{columns}</div></div><div class="footer-copyright">'
        '<div class="rb-container edge-padding"><div class="copyright-inner"><div '
        'class="copyright">'
        "All Rights Reserved to Egyptian Center for Strategic Studies - ECSS © 2023</div>"
        "</div></div></div></div></footer>\n"
    )


def _page_links(view: View) -> str:
    pages = (
        ("/about-us/", "About Us"),
        ("/privacy-policy/", "Privacy Policy"),
        ("/terms-of-use/", "Terms of Use"),
    )
    return "".join(
        f'<li class="menu-item menu-item-type-post_type"><a href="{esc(view.url(path))}">'
        f"<span>{label}</span></a></li>"
        for path, label in pages
    )


def popups(view: View, current_url: str) -> str:
    """Bookmark templates, the login popup and the closing scripts."""
    login = view.url("/wp-login.php")
    lost = view.url("/wp-login.php", "?action=lostpassword")
    ajax = view.url("/wp-admin/admin-ajax.php").replace("/", "\\/")
    return (
        '<script type="text/template" id="bookmark-toggle-template"><a href="#" '
        'class="rb-bookmark bookmark-trigger" data-pid="{{pid}}"></a></script>\n'
        '<aside id="bookmark-notification" class="bookmark-notification"></aside>\n'
        '<script type="text/template" id="bookmark-notification-template"><div '
        'class="bookmark-notification-inner">'
        '<span class="h5">Removed from reading list</span><a class="undo" href="#">Undo</a></div>'
        "</script>\n"
        '<div id="rb-user-popup-form" class="rb-user-popup-form mfp-animation mfp-hide">'
        '<div class="logo-popup-outer"><div class="logo-popup"><div class="login-popup-header">'
        '<span class="logo-popup-heading h3">Welcome Back!</span><p class="logo-popup-description '
        'is-meta">Sign in to your account</p></div><div class="user-login-form"><form '
        'name="popup-form" '
        f'id="popup-form" action="{esc(login)}" method="post"><div class="login-username">'
        '<div class="rb-login-label">Username or Email Address</div><input type="text" name="log" '
        'class="input" value="" /></div><div class="login-password"><div class="rb-login-label">'
        'Password</div><input type="password" name="pwd" class="input" value="" /></div>'
        f'<div class="remember-wrap"><a class="lostpassw-link" href="{esc(lost)}">Lost your '
        "password?"
        '</a></div><p class="login-submit"><input type="submit" name="wp-submit" value="Log In" />'
        f'<input type="hidden" name="redirect_to" value="{esc(current_url)}" /></p></form></div>'
        "</div></div></div>\n"
        f'<script id=\'foxiz-core-js-extra\'>\nvar foxizCoreParams = {{"ajaxurl":"{ajax}",'
        '"darkModeID":"RubyDarkMode","cookieDomain":"","cookiePath":"\\/"};\n</script>\n'
        f"<script src='{view.url('/wp-content/themes/foxiz/assets/js/global.js', '?ver=2.5.0')}' "
        "id='foxiz-global-js'></script>\n"
    )
