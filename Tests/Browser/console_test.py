#!/usr/bin/env python3
"""The operators' console in a real headless Chromium (run by ServerTests/ConsoleBrowserTests).

    console_test.py BASE_URL STAFF_TOKEN

A Spanish-speaking resident texts that she wants a person, then what is wrong. An operator signs in with the
keyboard alone, sees her waiting, opens the conversation, picks a canned response in Spanish, sends it, closes
the conversation with a last word, sees an Arabic resident arrive live and her conversation right to left, and
signs out; the resident's next text gets the bot again. axe-core scans
the front page (Spanish, Arabic), the sign-in page and the console (before and with a conversation open): no serious or critical violations.
Prints one line per step; exits non-zero on the first failure.
"""
import sys
import urllib.parse
import urllib.request

from browser import accessible, chromium, step
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, TOKEN = sys.argv[1], sys.argv[2]
RESIDENT = "+12175550188"


def sms(sid, body, sender=RESIDENT):
    form = urllib.parse.urlencode({"MessageSid": sid, "From": sender, "To": "+12175550311", "Body": body, "NumMedia": "0"})
    request = urllib.request.Request(BASE + "/webhooks/twilio/sms", data=form.encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def again(action, tries=10):
    """Runs `action`, again when the live page re-rendered the element it held (the queue and the transcript are
    redrawn whenever the server pushes a change)."""
    for attempt in range(tries):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise


def main():
    twiml = sms("SMBROWSER1", "necesito hablar con una persona")
    assert "operador" in twiml, twiml
    assert sms("SMBROWSER2", "hay un árbol caído sobre la calle Oak") == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    step("the resident asked for a person; her next message went to the queue, not the bot")

    driver = chromium(1280, 900)
    wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
    try:
        # The public front page, in Spanish and in Arabic (right to left).
        for lang, direction in (("es", "ltr"), ("ar", "rtl")):
            driver.get(BASE + "/?lang=" + lang)
            html = driver.find_element(By.TAG_NAME, "html")
            assert html.get_attribute("lang") == lang and html.get_attribute("dir") == direction
            accessible(driver, f"the front page in {lang}")

        driver.get(BASE + "/console")
        accessible(driver, "the sign-in page")
        # A wrong token is refused with a message, and nothing else happens.
        driver.find_element(By.ID, "token").send_keys("not-a-token" + Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.ID, "sign-in-error"))
        step("a wrong token is refused: " + driver.find_element(By.ID, "sign-in-error").text)
        driver.find_element(By.ID, "token").send_keys(TOKEN + Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue-list button"))
        cookie = driver.get_cookie("cityline_console")
        assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
        step("signed in with the keyboard; the session cookie is HttpOnly and SameSite=Strict")

        entry = again(lambda: driver.find_element(By.CSS_SELECTOR, "#queue-list button").text)
        assert "Waiting" in entry and "SMS" in entry and " es " in entry + " ", entry
        assert RESIDENT not in driver.page_source, "the resident's number is shown unmasked"
        step("the queue shows her waiting, by SMS, in Spanish, number masked: " + entry)
        accessible(driver, "the console")

        again(lambda: driver.find_element(By.CSS_SELECTOR, "#queue-list button").send_keys(Keys.ENTER))
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#transcript li")) == 3)
        assert driver.find_element(By.ID, "transcript").get_attribute("lang") == "es"
        classes, last = again(lambda: ([line.get_attribute("class") for line in driver.find_elements(By.CSS_SELECTOR, "#transcript li")],
                                       driver.find_elements(By.CSS_SELECTOR, "#transcript li")[-1].text))
        assert classes == ["resident", "bot", "resident"], classes
        assert "árbol caído" in last
        step("the conversation so far: resident, bot, resident — in Spanish")
        accessible(driver, "the console with a conversation open")

        # The canned replies arrive with the conversation's own request: wait for them, as an operator would.
        wait.until(lambda d: any(option.text.startswith("¿Cuál es la dirección")
                                 for option in Select(d.find_element(By.ID, "canned")).options))

        def pick():
            canned = Select(driver.find_element(By.ID, "canned"))
            choice = next(option.text for option in canned.options if option.text.startswith("¿Cuál es la dirección"))
            canned.select_by_visible_text(choice)
            return choice
        choice = again(pick)
        assert driver.find_element(By.ID, "reply").get_attribute("value") == choice
        driver.find_element(By.CSS_SELECTOR, "#reply-form button").send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript li.operator"))
        sent = again(lambda: driver.find_element(By.CSS_SELECTOR, "#transcript li.operator").text)
        assert "Operador de Springfield 311: ¿Cuál es la dirección" in sent, sent
        step("a canned Spanish reply went to her: " + sent.splitlines()[-1])

        driver.find_element(By.ID, "note").send_keys("Árbol grande, quizá bloquea la calle." + Keys.ENTER)
        wait.until(lambda d: "quizá bloquea" in d.find_element(By.ID, "notes").text)
        step("an internal note is kept with the conversation")

        # File her report: the description starts from what she wrote; routed by service and place.
        assert "árbol caído" in driver.find_element(By.ID, "description").get_attribute("value")
        Select(driver.find_element(By.ID, "service")).select_by_value("pothole")
        driver.find_element(By.ID, "address").send_keys("1423 Oak St" + Keys.ENTER)
        wait.until(lambda d: "filed" in d.find_element(By.ID, "filed").text)
        filed = again(lambda: driver.find_element(By.ID, "filed").text)
        assert "streets" in filed, filed
        wait.until(lambda d: "Reports: " in d.find_element(By.ID, "tickets").text)
        step("filed a report for her: " + filed)

        driver.find_element(By.ID, "closing").send_keys("Gracias, lo reportamos." + Keys.ENTER)
        wait.until(lambda d: "(closed)" in d.find_element(By.ID, "conversation-title").text)
        assert not driver.find_element(By.ID, "actions").is_displayed()
        step("closed: " + driver.find_element(By.ID, "conversation-title").text)

        # A resident writing in Arabic asks for a person: she appears without a reload (the live queue), and her
        # conversation reads right to left.
        sms("SMBROWSER4", "أريد التحدث مع موظف", sender="+12175550199")
        wait.until(lambda d: any(" ar " in b.text + " " for b in d.find_elements(By.CSS_SELECTOR, "#queue-list button")))
        again(lambda: next(b for b in driver.find_elements(By.CSS_SELECTOR, "#queue-list button") if " ar " in b.text + " ")
              .send_keys(Keys.ENTER))
        wait.until(lambda d: d.find_element(By.ID, "transcript").get_attribute("lang") == "ar")
        assert driver.find_element(By.ID, "transcript").get_attribute("dir") == "rtl"
        assert driver.find_element(By.ID, "reply").get_attribute("dir") == "rtl"
        step("a new Arabic conversation appeared live and reads right to left")

        driver.find_element(By.CSS_SELECTOR, "header form button").send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.ID, "token"))
        assert driver.get_cookie("cityline_console") is None
        step("signed out")
    finally:
        driver.quit()

    back = sms("SMBROWSER3", "hay un bache enorme en 1423 Oak St")
    assert "<Message>" in back, back
    step("back with the bot: " + back[:120])


if __name__ == "__main__":
    main()
