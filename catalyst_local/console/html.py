"""The console's HTML building blocks: escaping, tables, links and the page around them."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Sequence
from string import Template
from typing import Any

from starlette.responses import HTMLResponse

BASE = "/_catalyst_local/console"
NAV = (("", "Overview"), ("/functions", "Functions"), ("/filestore", "File Store"),
       ("/cache", "Cache"), ("/events", "Event Listener"), ("/imports", "Imports"),
       ("/zoho", "Zoho CRM sandbox"))

PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>$title · catalyst-local</title>
<style>
body{font:14px system-ui,sans-serif;margin:0 2em 2em;color:#222}
nav{padding:.8em 0;border-bottom:1px solid #ccc;margin-bottom:1em}
nav a{margin-right:1.2em;text-decoration:none;color:#05c}nav a.here{font-weight:bold;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}code,pre{font:12px ui-monospace,monospace}
pre{background:#f8f8f8;padding:.6em;max-height:24em;overflow:auto}
.notice{background:#eef6ee;border:1px solid #9c9;padding:.5em}.muted{color:#888}
</style></head>
<body><nav>$nav</nav><h1>$title</h1>
$body
</body></html>
""")


class Html(str):
    """Markup that is already safe: built here from escaped parts, never from raw input."""


def esc(value: Any) -> Html:
    """`value` as safe markup; markup built here passes through, None shows as a dash."""
    if isinstance(value, Html):
        return value
    if value is None:
        return Html('<span class="muted">-</span>')
    return Html(html.escape(str(value)))


def join(parts: Iterable[Any], separator: str = "") -> Html:
    return Html(separator.join(esc(part) for part in parts))


def tag(name: str, content: Any, **attributes: Any) -> Html:
    attrs = "".join(f' {key.rstrip("_").replace("_", "-")}="{html.escape(str(value))}"'
                    for key, value in attributes.items())
    return Html(f"<{name}{attrs}>{esc(content)}</{name}>")


def link(href: str, text: Any) -> Html:
    return tag("a", text, href=href)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "None yet.",
          **attributes: Any) -> Html:
    rows = list(rows)
    if not rows:
        return tag("p", empty, class_="muted")
    head = join(tag("th", header) for header in headers)
    body = join(Html("<tr>" + join(tag("td", cell) for cell in row) + "</tr>") for row in rows)
    return tag("table", Html(f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"),
               **attributes)


def when(epoch_ms_or_s: float | None) -> str | None:
    """A local `HH:MM:SS` time from epoch seconds or milliseconds."""
    if epoch_ms_or_s is None:
        return None
    seconds = epoch_ms_or_s / 1000 if epoch_ms_or_s > 10_000_000_000 else epoch_ms_or_s
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def duration(ms: float | None) -> str | None:
    """A time to expiry such as `47 h 59 min`."""
    if ms is None:
        return None
    minutes = int(ms // 60_000)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def page(title: str, here: str, *sections: Any, status: int = 200) -> HTMLResponse:
    nav = join(tag("a", label, href=BASE + path, class_="here" if path == here else "")
               for path, label in NAV)
    body = PAGE.substitute(title=esc(title), nav=nav, body=join(sections, "\n"))
    return HTMLResponse(body, status_code=status)
