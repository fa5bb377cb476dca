#!/usr/bin/env python3
"""The chat widget on a city's own site, in a real headless Chromium (run by ServerTests/ConsoleBrowserTests).

    widget_test.py BASE_URL SITE_PORT PHOTO

A page of the city's site (another origin, served here on SITE_PORT) carries the one widget tag. A resident
opens the widget — in the page's language, Spanish — and reports graffiti with a photo (PHOTO, a PNG file) and
its caption, answers the questions by button and by typing, and gets a tracking number. axe-core scans the site's
page with the widget open. Prints one line per step; exits non-zero on the first failure.
"""
import atexit
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading

from browser import accessible, chromium, step
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE, SITE_PORT, PHOTO = sys.argv[1], int(sys.argv[2]), sys.argv[3]

PAGE = """<!doctype html>
<html lang="es">
<head><meta charset="utf-8"><title>Ciudad de Springfield</title></head>
<body>
<main><h1>Ciudad de Springfield</h1><p>Bienvenidos al sitio de la ciudad.</p></main>
<script src="%s/chat/widget.js" async></script>
</body>
</html>
""" % BASE


def serve_site():
    """The city's own site: one page with the widget tag, on another origin than the 311 server."""
    root = tempfile.mkdtemp()
    atexit.register(shutil.rmtree, root, True)
    with open(os.path.join(root, "index.html"), "w", encoding="utf-8") as page:
        page.write(PAGE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", SITE_PORT), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def bubbles(driver, kind):
    return driver.find_elements(By.CSS_SELECTOR, "#log .message." + kind)


def answered(driver, wait, before):
    wait.until(lambda d: len(bubbles(d, "bot")) > before and not d.find_elements(By.CSS_SELECTOR, "#log .pending"))
    return bubbles(driver, "bot")[-1]


def main():
    site = serve_site()
    driver = chromium(1024, 900)
    wait = WebDriverWait(driver, 60)
    try:
        driver.get(f"http://127.0.0.1:{SITE_PORT}/")
        host = wait.until(lambda d: d.find_element(By.ID, "cityline-chat"))
        shadow = host.shadow_root
        button = shadow.find_element(By.CSS_SELECTOR, "button[aria-expanded]")
        assert button.text == "Chat con Springfield 311", button.text
        assert not driver.find_elements(By.TAG_NAME, "iframe"), "nothing loads before the resident opens the chat"
        step("the widget's button speaks the page's language: " + button.text)

        button.send_keys(Keys.ENTER)
        assert button.get_attribute("aria-expanded") == "true"
        frame = wait.until(lambda d: shadow.find_element(By.CSS_SELECTOR, "iframe"))
        accessible(driver, "the city's page with the widget open")
        driver.switch_to.frame(frame)
        wait.until(lambda d: d.find_element(By.ID, "status").text == "")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
        step("the chat opens in the panel, connected, in Spanish")

        # A photo with its caption: typed first, then the photo picked.
        driver.find_element(By.ID, "text").send_keys("grafiti en esta pared de 220 Walnut St")
        before = len(bubbles(driver, "bot"))
        driver.find_element(By.ID, "photo").send_keys(PHOTO)
        answer = answered(driver, wait, before)
        sent = bubbles(driver, "resident")[-1]
        assert sent.find_elements(By.TAG_NAME, "img") and "220 Walnut St" in sent.text, sent.get_attribute("outerHTML")
        assert answer.text.startswith("Grafiti"), answer.text
        step("a photo and its caption sent: " + answer.text.splitlines()[0])

        before = len(bubbles(driver, "bot"))
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "#log .choices button") if b.text.startswith("2. ")).click()
        answered(driver, wait, before)
        for text in ("sí", "sí"):
            before = len(bubbles(driver, "bot"))
            driver.find_element(By.ID, "text").send_keys(text + Keys.ENTER)
            done = answered(driver, wait, before)
        assert "1 foto" in bubbles(driver, "bot")[-2].text, bubbles(driver, "bot")[-2].text
        assert "#" in done.text or "seguimiento" in done.text, done.text
        step("filed with its photo: " + done.text)
        driver.switch_to.default_content()
    finally:
        driver.quit()
        site.shutdown()


if __name__ == "__main__":
    main()
