"""One site's `_redirects` and `_headers`, its files, and the table of what each request
gets: the Python reference matcher and the JavaScript evaluator are held to it alike."""

from __future__ import annotations

REDIRECTS = """\
# moved pages
/old            /new
/found          /elsewhere          302
/see            /other              303
/temp           /temporary          307
/perm           /permanent          308
/blog/*         /posts/:splat       301
/news/:year/:slug  /articles/:year-:slug  302
/ext/*          https://example.com/docs/:splat  301
/q              /target?lang=en     301
/first          /winner             301
/first          /loser              302
/app/*          /app/index.html     200
/gone/*         /404.html           404
/shop/*         /shop/index.html    200
/forced         /new.html           200!
"""

HEADERS = """\
/*
  X-Frame-Options: DENY
  Content-Security-Policy: default-src 'self'
/blog/*
  Cache-Control: max-age=60
/blog/:slug
  Cache-Control: no-transform
  ! X-Frame-Options
"""

#: The release's files as paths; /shop/* matches one of them.
FILES = ("/index.html", "/new.html", "/shop/real.html", "/shop/index.html", "/about.html")
FOLDERS = ("/shop",)

#: (path, query, expected decision or None): expected is (status, location-or-uri).
CASES: tuple[tuple[str, str, tuple[int, str] | None], ...] = (
    ("/old", "", (301, "/new")),
    ("/found", "", (302, "/elsewhere")),
    ("/see", "", (303, "/other")),
    ("/temp", "", (307, "/temporary")),
    ("/perm", "", (308, "/permanent")),
    ("/old", "a=1&b=2", (301, "/new?a=1&b=2")),
    ("/q", "x=1", (301, "/target?lang=en&x=1")),
    ("/blog/2024/hello", "", (301, "/posts/2024/hello")),
    ("/blog/", "", (301, "/posts/")),
    ("/news/2023/launch", "", (302, "/articles/2023-launch")),
    ("/news/2023/launch/more", "", None),
    ("/ext/a/b", "v=2", (301, "https://example.com/docs/a/b?v=2")),
    ("/first", "", (301, "/winner")),
    ("/app/settings/profile", "", (200, "/app/index.html")),
    ("/gone/page", "", (404, "/404.html")),
    ("/shop/missing", "", (200, "/shop/index.html")),
    ("/shop/real.html", "", None),
    ("/forced", "", (200, "/new.html")),
    ("/older", "", None),
    ("/", "", None),
)

#: With clean URLs on (and the same rules).
CLEAN_CASES: tuple[tuple[str, str, tuple[int, str] | None], ...] = (
    ("/about.html", "", (301, "/about")),
    ("/about.html", "ref=x", (301, "/about?ref=x")),
    ("/docs/index.html", "", (301, "/docs/")),
    ("/about", "", (200, "/about.html")),
    ("/shop", "", None),
    ("/app.js", "", None),
    ("/old", "", (301, "/new")),
)

HEADER_CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/", {"x-frame-options": "DENY", "content-security-policy": "default-src 'self'"}),
    (
        "/blog/a/b",
        {
            "x-frame-options": "DENY",
            "content-security-policy": "default-src 'self'",
            "cache-control": "max-age=60",
        },
    ),
    (
        "/blog/post",
        {
            "content-security-policy": "default-src 'self'",
            "cache-control": "max-age=60, no-transform",
        },
    ),
)
