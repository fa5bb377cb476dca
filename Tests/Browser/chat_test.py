#!/usr/bin/env python3
"""The web chat in a real headless Chromium (run by ServerTests/ConsoleBrowserTests).

    chat_test.py BASE_URL

A resident opens the front page in Spanish, follows the chat link, reports a pothole, reloads the page in the
middle of the report (the conversation comes back and goes on), and finishes with a tracking number. A second
resident writes in Arabic: the bot's answer reads right to left. axe-core scans /chat in both languages: no
serious or critical violations. Prints one line per step; exits non-zero on the first failure.
"""
import sys

from browser import accessible, chromium, step
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = sys.argv[1]


def bubbles(driver, kind):
    return driver.find_elements(By.CSS_SELECTOR, "#log .message." + kind)


def say(driver, wait, text):
    """Sends `text` with the keyboard and waits for the bot's next answer; returns it."""
    before = len(bubbles(driver, "bot"))
    box = driver.find_element(By.ID, "text")
    box.send_keys(text + Keys.ENTER)
    wait.until(lambda d: len(bubbles(d, "bot")) > before and not d.find_elements(By.CSS_SELECTOR, "#log .pending"))
    return bubbles(driver, "bot")[-1]


def main():
    driver = chromium(1024, 900)
    wait = WebDriverWait(driver, 60)
    try:
        driver.get(BASE + "/?lang=es")
        driver.find_element(By.CSS_SELECTOR, 'a[href="/chat?lang=es"]').send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "status").text == "")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
        step("the front page's chat link opens the chat in Spanish, connected")
        accessible(driver, "/chat in Spanish")

        answer = say(driver, wait, "Hay un bache enorme en la calle Oak")
        assert answer.text.startswith("Bache: anotado."), answer.text
        assert answer.get_attribute("lang") == "es" and answer.get_attribute("dir") == "ltr"
        answer = say(driver, wait, "Calle Oak 1423, frente a la biblioteca")
        step("mid-report: " + answer.text.splitlines()[0])

        # Reload in the middle of the report: the same conversation comes back.
        before = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#log .message")]
        driver.refresh()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log .message")) == len(before))
        assert [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#log .message")] == before
        step(f"after a reload the {len(before)} messages are back")

        # A choice by its button (the keyboard's Enter on it), the next by typing its number.
        before = len(bubbles(driver, "bot"))
        choice = next(b for b in driver.find_elements(By.CSS_SELECTOR, "#log .choices button") if b.text.startswith("3. "))
        choice.send_keys(Keys.ENTER)
        wait.until(lambda d: len(bubbles(d, "bot")) > before)
        step("answered with a choice button: " + choice.text)
        for text in ("1", "omitir"):
            say(driver, wait, text)
        done = say(driver, wait, "sí")
        assert "Reporte #" in done.text, done.text
        step("finished after the reload: " + done.text)

        # Another resident, in Arabic: the answer reads right to left.
        driver.execute_script("localStorage.clear()")
        driver.get(BASE + "/chat?lang=ar")
        wait.until(lambda d: d.find_element(By.ID, "status").text == "")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        answer = say(driver, wait, "يوجد حفرة كبيرة في الشارع")
        assert answer.get_attribute("dir") == "rtl" and answer.get_attribute("lang") == "ar", answer.get_attribute("outerHTML")
        step("an Arabic answer reads right to left: " + answer.text)
        accessible(driver, "/chat in Arabic")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
