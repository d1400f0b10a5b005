#!/usr/bin/env python3
"""Drives Herald's web console in a real browser (Debian's chromium through chromium-driver and
selenium), against a running `herald serve` the caller started (Tests/IntegrationTests/
ConsoleBrowserTests.swift). Saves a screenshot of each page into $SCREENSHOTS.

Environment: CONSOLE_URL, INGRESS_URL, CONSOLE_PASSWORD, HERALD_PID, KEY_FILE (the Mandrill key
file the config reads), GOOD_KEY (the key Mandrill accepts), SCREENSHOTS (a directory).

Exit status: 0 passed; 1 a check failed (the message says which); 77 chromium cannot run here.
"""
import http.server
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CONSOLE = os.environ["CONSOLE_URL"].rstrip("/")
INGRESS = os.environ["INGRESS_URL"].rstrip("/")
PASSWORD = os.environ["CONSOLE_PASSWORD"]
SHOTS = os.environ["SCREENSHOTS"]


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def raw(method, url, body=None, headers=None):
    """(status, headers, text) without following redirects."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def eventually(condition, what, timeout=30, quiet=False):
    started = time.time()
    deadline = started + timeout
    while time.time() < deadline:
        if condition():
            if not quiet:
                print("%.1fs for %s" % (time.time() - started, what), flush=True)
            return
        time.sleep(0.25)
    fail("timed out waiting for " + what)


def browser():
    # Everything is on the machine: selenium must not look for drivers online.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # chromium's sandbox refuses to run as root
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    try:
        return webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        print("SKIP: chromium cannot run here: " + str(error).splitlines()[0], flush=True)
        sys.exit(77)


STARTED = time.time()


def shot(driver, name):
    print("%.1fs: %s" % (time.time() - STARTED, name), flush=True)
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def text(driver):
    """The page's visible text; empty while a navigation replaces the page."""
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:
        return ""


def heading(driver):
    try:
        return driver.find_element(By.TAG_NAME, "h1").text
    except WebDriverException:
        return ""


def element_text(driver, id):
    try:
        return driver.find_element(By.ID, id).text
    except WebDriverException:
        return ""


def click(driver, selector, by=By.CSS_SELECTOR):
    """Clicks and waits until the next page replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, selector).click()

    def replaced():
        try:
            old.tag_name
            return False
        except WebDriverException:
            return True
    eventually(replaced, "the page after clicking " + selector, quiet=True)


def main():
    # Without the session cookie: a page redirects to the login, an action is 401.
    status, headers, _ = raw("GET", CONSOLE + "/dead")
    check(status == 303 and headers["Location"] == "/login", "GET /dead without a cookie gave %d" % status)
    status, _, _ = raw("POST", CONSOLE + "/dead/retry-all", b"csrf=x",
                       {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 401, "POST without a cookie gave %d" % status)

    started = time.time()
    driver = browser()
    print("%.1fs to start chromium" % (time.time() - started), flush=True)
    try:
        run(driver)
        print("%.1fs to run" % (time.time() - started), flush=True)
    finally:
        driver.quit()
    print("PASS after %.1fs" % (time.time() - started), flush=True)


def run(driver):
    driver.get(CONSOLE + "/")
    check(driver.current_url.endswith("/login"), "not sent to the login: " + driver.current_url)
    shot(driver, "login")
    driver.find_element(By.ID, "password").send_keys("wrong password")
    click(driver, "button[type=submit]")
    check("not right" in text(driver), "a wrong password was not refused: " + text(driver))
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click(driver, "main button[type=submit]")
    check(heading(driver) == "Overview", "no overview after the login: " + text(driver))
    cookie = driver.get_cookie("herald_console")
    check(cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", "cookie: %r" % cookie)

    # An event arrives; Mandrill refuses the key, so its job becomes a dead letter.
    body = json.dumps({"identity": {"id": "4b1c", "traits": {"email": "jane@example.com"}}}).encode()
    status, _, answer = raw("POST", INGRESS + "/v1/events/registration/after", body,
                            {"Content-Type": "application/json", "Ory-Webhook-Trigger-ID": "browser-1"})
    check(status == 202, "the event was answered %d: %s" % (status, answer))
    event_id = json.loads(answer)["event_id"]

    def page_has(path, needle):
        driver.get(CONSOLE + path)
        return needle in driver.page_source

    eventually(lambda: page_has("/events", event_id), "the event on the events page")
    check("j***@example.com" in text(driver) and "jane@example.com" not in driver.page_source,
          "the recipient is not masked on the events page")
    shot(driver, "events")

    eventually(lambda: page_has("/dead?route=welcome", "1 dead letter match"), "the dead letter")
    check("Invalid_Key" in text(driver), "the dead letter's reason is not shown")
    shot(driver, "dead-letters")
    click(driver, "tbody a")
    check(heading(driver).startswith("Job "), "no job page: " + text(driver))
    shot(driver, "job")

    # Fix the key (a reload reads the file again), then retry the dead letter and watch it deliver.
    before = driver.current_url
    with open(os.environ["KEY_FILE"], "w") as key:
        key.write(os.environ["GOOD_KEY"])
    driver.get(CONSOLE + "/config")
    loaded = driver.find_element(By.TAG_NAME, "time").get_attribute("datetime")
    os.kill(int(os.environ["HERALD_PID"]), signal.SIGHUP)
    eventually(lambda: page_has("/config", "datetime") and
               driver.find_element(By.TAG_NAME, "time").get_attribute("datetime") != loaded, "the reload")
    check(os.environ["GOOD_KEY"] not in driver.page_source, "the configuration page shows the key")
    shot(driver, "configuration")

    driver.get(before)
    click(driver, "Retry…", By.LINK_TEXT)
    check("Put dead letter" in text(driver), "no confirmation before the retry: " + text(driver))
    click(driver, "main form button[type=submit]")
    check("is back in the queue" in text(driver), "the retry was not done: " + text(driver))
    eventually(lambda: page_has("/", "Delivered") and "Delivered, last hour\n1" in text(driver),
               "the delivery on the overview")
    eventually(lambda: page_has("/dead", "No dead letters."), "the dead letter to be gone")
    driver.get(CONSOLE + "/")
    check("Delivered, last hour\n1" in text(driver), "the overview does not count the delivery")
    # Every request the page made went to the console itself.
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    check(all(name.startswith(CONSOLE) for name in resources), "third-party requests: %r" % resources)
    shot(driver, "overview")

    # The route playground: the same answer as herald explain; a broken payload shows where.
    driver.get(CONSOLE + "/playground")
    Select(driver.find_element(By.ID, "event")).select_by_value("registration.after")
    payload = driver.find_element(By.ID, "payload")
    payload.send_keys('{"identity": {"traits": {"email": "max@example.com"}}}')
    click(driver, "main form button[type=submit]")
    explanation = element_text(driver, "explanation")
    check("route 'welcome'" in explanation and "MATCH" in explanation and "nothing was sent" in explanation,
          "the playground did not explain: " + explanation)
    shot(driver, "playground")
    payload = driver.find_element(By.ID, "payload")
    payload.clear()
    payload.send_keys('{"identity": tru}')
    click(driver, "main form button[type=submit]")
    problem = element_text(driver, "problem")
    check("line 1, column" in problem, "no parser position: " + problem)

    driver.get(CONSOLE + "/queue")
    shot(driver, "queue")

    # A cross-site form posting to the console is refused (the cookie is SameSite=Strict, the
    # Origin is another site's, and it has no form token).
    page = ('<form id="f" method="post" action="%s/dead/drop-all"><input name="csrf" value="x"></form>'
            '<script>document.getElementById("f").submit()</script>' % CONSOLE).encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        timeout = 5  # chromium's idle preconnections must not hold the server

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Evil)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        driver.get("http://127.0.0.2:%d/" % server.server_port)
        eventually(lambda: driver.current_url.startswith(CONSOLE), "the cross-site post")
        refused = text(driver)
        check("log in first" in refused or "refused" in refused, "a cross-site post was not refused: " + refused)
    finally:
        server.shutdown()
    # Even with the session's cookie, a post from another origin is refused.
    status, _, _ = raw("POST", CONSOLE + "/dead/drop-all", b"csrf=x",
                       {"Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": "herald_console=" + cookie["value"], "Origin": "http://127.0.0.2"})
    check(status == 403, "a post from another origin with the cookie gave %d" % status)

    # Readable on a phone.
    driver.set_window_size(390, 844)
    driver.get(CONSOLE + "/")
    shot(driver, "overview-phone")


if __name__ == "__main__":
    main()
