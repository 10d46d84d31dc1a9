"""Which cookies does a real Chromium attach to cross-site and same-site requests?

The victim site is http://localhost:<port>. At /login it sets four cookies: SameSite=Strict,
SameSite=Lax, SameSite=None; Secure, and one with no SameSite attribute. Two other origins then
send it requests: http://127.0.0.1:<port> (another site: an IP address and "localhost" have no
registrable domain, so each host is its own site) and http://localhost:<another port> (another
origin, but the same site: ports do not count). Each sends a top-level GET by clicking a link, a
top-level form POST and a fetch() POST with credentials: "include". The victim's server records the
cookies that arrived with each request.

Needs a Chromium on PATH (chromium, chromium-browser or google-chrome; Playwright's own downloaded
browser is not used) and Playwright for Python (python3 -m pip install playwright). Copy local_http.py
next to this file. All three servers listen on 127.0.0.1; Chromium resolves "localhost" to loopback.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import sync_playwright

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_http.py
from local_http import LocalServer, QuietHandler  # noqa: E402

COOKIES = {  # name: the Set-Cookie header the victim sends at /login
    "strict": "strict=1; SameSite=Strict; Path=/; HttpOnly",
    "lax": "lax=1; SameSite=Lax; Path=/; HttpOnly",
    "none": "none=1; SameSite=None; Secure; Path=/; HttpOnly",
    "unset": "unset=1; Path=/; HttpOnly",  # no SameSite: Chromium treats it as Lax, with an exception
}
COLUMNS = {"strict": "Strict", "lax": "Lax", "none": "None;Secure", "unset": "(no attr.)"}
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]


class VictimHandler(QuietHandler):
    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.read_body()
        self.handle_any()

    def handle_any(self):
        url = urlsplit(self.path)
        if url.path == "/login":
            self.send_response(200)
            for header in COOKIES.values():
                self.send_header("Set-Cookie", header)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"logged in")
            return
        if url.path == "/transfer":
            sent = self.headers.get("Cookie", "")
            self.server.seen[parse_qs(url.query)["via"][0]] = {
                "cookies": {pair.split("=")[0].strip() for pair in sent.split(";") if "=" in pair},
                "sec-fetch-site": self.headers.get("Sec-Fetch-Site", "-"),
                "origin": self.headers.get("Origin", "-"),
            }
        self.send_body(200, b"<!doctype html><title>victim</title>ok", "text/html; charset=utf-8")


class OtherOriginHandler(QuietHandler):
    """Pages that point at the victim: a link and a form. fetch() is run from its blank page."""

    def do_GET(self):
        target = f"{self.server.target}?via={self.server.label}"
        pages = {
            "/link": f'<a id="go" href="{target}-link">go</a>',
            "/form": f'<form id="f" method="post" action="{target}-form"><input name="amount" value="100"></form>',
            "/blank": "",
        }
        body = f"<!doctype html><title>other origin</title>{pages.get(self.path, '')}".encode()
        self.send_body(200, body, "text/html; charset=utf-8")


def chromium_path() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome") or "chromium"


class WithheldCookies:
    """Chromium's own reasons for each cookie it left out of a request, read over the DevTools protocol."""

    def __init__(self, context, page):
        self.urls, self.reasons = {}, {}
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        session.on("Network.requestWillBeSentExtraInfo", self.record)
        session.send("Network.enable")

    def record(self, event):
        self.reasons[event["requestId"]] = {
            c["cookie"]["name"]: c["blockedReasons"] for c in event["associatedCookies"] if c["blockedReasons"]}

    def for_url(self, url: str) -> dict:
        return next((self.reasons.get(rid, {}) for rid, u in self.urls.items() if u == url), {})


def send_three_requests(page, attacker: str, victim: LocalServer, label: str) -> dict:
    """From a page of `attacker`, send the victim a link GET, a form POST and a fetch POST."""
    page.goto(f"{attacker}/link")
    with page.expect_navigation(url=f"{victim.target}?via={label}-link"):
        page.click("#go")
    page.goto(f"{attacker}/form")
    with page.expect_navigation(url=f"{victim.target}?via={label}-form"):
        page.eval_on_selector("#f", "form => form.submit()")
    page.goto(f"{attacker}/blank")
    page.evaluate(  # resolves once the victim has answered (no-cors: the page cannot read the answer)
        """url => fetch(url, {method: "POST", credentials: "include", mode: "no-cors", body: "amount=100"})""",
        f"{victim.target}?via={label}-fetch",
    )
    return {request: victim.seen[f"{label}-{via}"]
            for request, via in (("link GET", "link"), ("form POST", "form"), ("fetch POST", "fetch"))}


def third_party_cookies_allowed(profile: str) -> None:
    """A fresh profile whose cookie setting is "Allow third-party cookies" (kCookieControlsMode = kOff)."""
    Path(profile, "Default").mkdir()
    Path(profile, "Default", "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": 0}}))


def main() -> int:
    with LocalServer(VictimHandler) as victim, LocalServer(OtherOriginHandler) as cross_site, \
            LocalServer(OtherOriginHandler) as same_site, tempfile.TemporaryDirectory() as profile:
        victim.seen = {}
        victim_origin = f"http://localhost:{victim.server_address[1]}"
        victim.target = cross_site.target = same_site.target = f"{victim_origin}/transfer"
        cross_site.label, same_site.label = "cross-site", "same-site"
        origins = {
            "cross-site": f"http://127.0.0.1:{cross_site.server_address[1]}",
            "same-site": f"http://localhost:{same_site.server_address[1]}",
        }
        third_party_cookies_allowed(profile)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), args=QUIET_CHROMIUM)
            try:
                version = context.browser.version if context.browser else "?"
                page = context.pages[0] if context.pages else context.new_page()
                page.set_default_timeout(10_000)
                withheld = WithheldCookies(context, page)
                page.goto(f"{victim_origin}/login")
                stored = {c["name"]: c for c in context.cookies(victim_origin)}
                results = {kind: send_three_requests(page, origin, victim, kind) for kind, origin in origins.items()}
                reasons = {(kind, request): withheld.for_url(f"{victim.target}?via={kind}-{request.split()[0]}")
                           for kind, rows in results.items() for request in rows}
            finally:
                context.close()

            # The same fetch from Playwright's default context, which is off the record (like Incognito).
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=QUIET_CHROMIUM)
            try:
                incognito = browser.new_context()
                page = incognito.new_page()
                page.set_default_timeout(10_000)
                withheld = WithheldCookies(incognito, page)
                page.goto(f"{victim_origin}/login")
                cross_site.label = "incognito"
                page.goto(f"{origins['cross-site']}/blank")
                page.evaluate("""url => fetch(url, {method: "POST", credentials: "include", mode: "no-cors"})""",
                              f"{victim.target}?via=incognito-fetch")
                incognito_fetch = victim.seen["incognito-fetch"]
                incognito_reasons = withheld.for_url(f"{victim.target}?via=incognito-fetch")
                incognito.close()
            finally:
                browser.close()

    print(f"Chromium {version} (headless, driven by Playwright), a fresh profile set to allow third-party cookies")
    print(f"victim site:     {victim_origin}  sets the four cookies at /login")
    print(f"cross-site page: {origins['cross-site']}")
    print(f"same-site page:  {origins['same-site']}  (another port: another origin, same site)\n")
    print("cookies Chromium stored for the victim: " + ", ".join(
        f"{name} (sameSite={c['sameSite']}, secure={c['secure']})" for name, c in sorted(stored.items())))
    print()
    header = f"{'from':<11} {'request':<11} {'Sec-Fetch-Site':<15}" + "".join(f"{v:<12}" for v in COLUMNS.values()) + "Origin header"
    print(header.rstrip())
    print("-" * len(header))
    for kind, rows in results.items():
        for request, seen in rows.items():
            marks = "".join(f"{'sent' if name in seen['cookies'] else '-':<12}" for name in COLUMNS)
            print(f"{kind:<11} {request:<11} {seen['sec-fetch-site']:<15}{marks}{seen['origin']}")
    print("\n(no attr.) = a cookie set without SameSite, less than 2 minutes before the request.")
    print("\nWhy Chromium withheld each cookie (blockedReasons, from the DevTools protocol):")
    for (kind, request), blocked in reasons.items():
        if blocked:
            print(f"  {kind} {request}: " + ", ".join(f"{n}: {'+'.join(r)}" for n, r in sorted(blocked.items())))
    print("\nThe cross-site fetch POST again, from an off-the-record context (Playwright's default, like Incognito):")
    print("  cookies sent: " + (", ".join(sorted(incognito_fetch["cookies"])) or "none"))
    print("  withheld: " + ", ".join(f"{n}: {'+'.join(r)}" for n, r in sorted(incognito_reasons.items())))
    print()

    cross, same = results["cross-site"], results["same-site"]
    checks = {
        "all four cookies were stored, the Secure one too, over http://localhost": set(stored) == set(COOKIES)
        and stored["none"]["secure"],
        "Chromium labelled the 127.0.0.1 requests cross-site": all(r["sec-fetch-site"] == "cross-site" for r in cross.values()),
        "Chromium labelled the other-port localhost requests same-site": all(r["sec-fetch-site"] == "same-site" for r in same.values()),
        "the Strict cookie went with no cross-site request": all("strict" not in r["cookies"] for r in cross.values()),
        "the Lax cookie went with the cross-site link GET": "lax" in cross["link GET"]["cookies"],
        "the Lax cookie did not go with the cross-site form POST or fetch": "lax" not in cross["form POST"]["cookies"]
        and "lax" not in cross["fetch POST"]["cookies"],
        "the None; Secure cookie went with every cross-site request": all("none" in r["cookies"] for r in cross.values()),
        "the fresh cookie without SameSite went with the cross-site form POST (Lax-allowing-unsafe)":
        "unset" in cross["form POST"]["cookies"],
        "the cookie without SameSite did not go with the cross-site fetch POST": "unset" not in cross["fetch POST"]["cookies"],
        "Chromium sent Origin with each POST, and no Origin with the link GETs":
        all(rows[r]["origin"] == origins[kind] for kind, rows in results.items() for r in ("form POST", "fetch POST"))
        and all(rows["link GET"]["origin"] == "-" for rows in results.values()),
        "from the same site, every cookie went with every request": all(r["cookies"] == set(COOKIES) for r in same.values()),
        "off the record, the fetch carried no cookie at all, and None; Secure was withheld for the user's cookie setting":
        not incognito_fetch["cookies"] and incognito_reasons.get("none") == ["UserPreferences"],
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
