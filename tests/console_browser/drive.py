#!/usr/bin/env python3
"""Drives Debian's chromium (headless) through chromium-driver's WebDriver
API against a live activad's web console, and prints what it saw as one
JSON object on stdout. Standard library only: no selenium, no npm.

  drive.py --url https://127.0.0.1:PORT/ --admin USER:PASSWORD \
           --user USER:PASSWORD [--screenshots DIR]

Steps (each a key of the output):
  count            the overview's count of the first application (admin)
  saved            the settings form's answer to /sai 60 (admin)
  no_csrf_status   HTTP status of a settings change sent without X-CSRF-Token
  standard_form_disabled   the standard user's settings form is disabled
  standard_status  HTTP status and management result of that user's /sai
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
DEADLINE = 30.0  # seconds for any one thing the page must show (a cold chromium is slow)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    def __init__(self, driver, browser, profile):
        self.port = free_port()
        self.process = subprocess.Popen(
            [driver, "--port=%d" % self.port, "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % self.port
        start = time.monotonic()
        while True:
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() - start > DEADLINE:
                    raise RuntimeError("chromium-driver did not start")
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            # activad's self-signed certificate: the test pins nothing here.
            "acceptInsecureCerts": True,
            "goog:chromeOptions": {
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         "--user-data-dir=" + profile, "--window-size=1280,900"],
            }}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError("WebDriver %s %s: %s" % (method, path, e.read().decode()))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.session, path), body)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def script(self, code, *args):
        return self.s("POST", "/execute/sync", {"script": code, "args": list(args)})

    def async_script(self, code, *args):
        return self.s("POST", "/execute/async", {"script": code, "args": list(args)})

    def wait(self, code, what):
        start = time.monotonic()
        while time.monotonic() - start < DEADLINE:
            value = self.script(code)
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError("the page never showed " + what)

    def type(self, css, text):
        e = self.find(css)
        self.s("POST", "/element/%s/clear" % e, {})
        self.s("POST", "/element/%s/value" % e, {"text": text})

    def click(self, css):
        self.s("POST", "/element/%s/click" % self.find(css), {})

    def screenshot(self, path, width, height):
        self.s("POST", "/window/rect", {"width": width, "height": height})
        time.sleep(0.3)  # the layout settles after a resize
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.s("GET", "/screenshot")))

    def close(self):
        try:
            self.call("DELETE", "/session/" + self.session)
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)


VISIBLE = "return !document.getElementById('%s').hidden;"

# A change from the page's own origin, with or without the CSRF token.
CHANGE = """
const [body, withToken, done] = arguments;
(async () => {
  const headers = {'Content-Type': 'application/json'};
  if (withToken) {
    const s = await (await fetch('/console/api/session')).json();
    headers['X-CSRF-Token'] = s.csrf_token;
  }
  const r = await fetch('/console/api/settings', {method: 'POST', headers, body});
  const j = await r.json();
  done({status: r.status, result: j.result === undefined ? null : j.result});
})().catch((e) => done({status: 0, error: String(e)}));
"""


def log_in(d, url, user, password):
    d.go(url)
    d.wait(VISIBLE % "view-login", "the login form")
    d.type("#login-user", user)
    d.type("#login-password", password)
    d.click("#login-submit")
    d.wait(VISIBLE % "view-overview", "the overview after logging in as " + user)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--admin", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--screenshots")
    p.add_argument("--browser", default="/usr/bin/chromium")
    p.add_argument("--driver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    a = p.parse_args()
    out = {}
    profile = tempfile.mkdtemp(prefix="activa-chromium-")
    d = WebDriver(a.driver, a.browser, profile)
    try:
        admin, admin_pw = a.admin.split(":", 1)
        log_in(d, a.url, admin, admin_pw)
        out["count"] = d.wait(
            "const e = document.getElementById('count-0'); return e && e.textContent;",
            "the host's count")
        if a.screenshots:
            d.wait("return document.querySelector('#counts svg polyline') !== null;", "the plot")
            d.screenshot(os.path.join(a.screenshots, "console-overview-desktop.png"), 1280, 1000)
            d.screenshot(os.path.join(a.screenshots, "console-overview-phone.png"), 390, 1400)
            d.s("POST", "/window/rect", {"width": 1280, "height": 900})

        d.go(a.url + "console/#settings")
        d.wait("return document.getElementById('set-sai').value !== '';", "the settings")
        if a.screenshots:
            d.screenshot(os.path.join(a.screenshots, "console-settings-desktop.png"), 1280, 900)
        d.type("#set-sai", "60")
        d.click("#settings-save")
        out["saved"] = d.wait(
            "const t = document.getElementById('status').textContent;"
            "const e = document.getElementById('settings-error').textContent;"
            "return t.startsWith('Saved') ? t : (e ? 'error: ' + e : null);", "the saved settings")

        r = d.async_script(CHANGE, '{"op":"sai","minutes":30}', False)
        out["no_csrf_status"] = r["status"]

        d.click("#logout")
        d.wait(VISIBLE % "view-login", "the login form after logging out")
        user, user_pw = a.user.split(":", 1)
        log_in(d, a.url, user, user_pw)
        d.go(a.url + "console/#settings")
        d.wait("return document.getElementById('set-sai').value !== '';", "the read-only settings")
        out["standard_form_disabled"] = d.script(
            "return document.getElementById('settings-fields').disabled;")
        r = d.async_script(CHANGE, '{"op":"sai","minutes":30}', True)
        out["standard_status"] = [r["status"], r["result"]]
    finally:
        d.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the test prints this line when it fails
        print(json.dumps({"error": str(e)}))
        sys.exit(1)
