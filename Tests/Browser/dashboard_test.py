#!/usr/bin/env python3
"""The staff dashboard in a real headless Chromium (run by ServerTests/ConsoleBrowserTests).

    dashboard_test.py BASE_URL ADMIN_TOKEN

Signs in with the keyboard (a wrong token first), lands on /dashboard with the last 90 days by language, reads the
tiles, checks every chart is an image with a title and description followed by its data table, opens the weekly
numbers, changes the grouping to area with the keyboard, downloads the CSV through the page's link, and has axe-core
scan the page: no serious or critical violations. Prints one line per step; exits non-zero on the first failure.
"""
import sys

from browser import accessible, chromium, step
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, TOKEN = sys.argv[1], sys.argv[2]


def tile(driver, title):
    for item in driver.find_elements(By.CSS_SELECTOR, ".tiles > li"):
        if item.find_element(By.CSS_SELECTOR, ".label").text == title:
            return item.find_element(By.CSS_SELECTOR, ".value").text
    raise AssertionError(f"no tile {title!r}")


def main():
    driver = chromium(1280, 1000)
    # An element found on a page that is being replaced goes stale.
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    try:
        driver.get(BASE + "/dashboard")
        box = driver.find_element(By.ID, "token")
        box.send_keys("not-a-token" + Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.ID, "sign-in-error"))
        step("a wrong token is refused")
        driver.find_element(By.ID, "token").send_keys(TOKEN + Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".tiles"))
        assert driver.current_url.endswith("/dashboard"), driver.current_url
        step("signed in with the keyboard, back on the dashboard")

        assert tile(driver, "Tickets") == "5", tile(driver, "Tickets")
        assert tile(driver, "Emergencies sent to 911") == "2", tile(driver, "Emergencies sent to 911")
        assert tile(driver, "Satisfaction") == "3.5 / 5", tile(driver, "Satisfaction")
        step("tiles: 5 tickets, 2 emergencies, satisfaction 3.5 / 5")

        charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        assert len(charts) == 4, f"{len(charts)} charts"
        for chart in charts:
            assert chart.get_attribute("role") == "img"
            labels = chart.get_attribute("aria-labelledby").split()
            assert chart.find_element(By.TAG_NAME, "title").get_attribute("id") in labels
            assert chart.find_element(By.TAG_NAME, "desc").get_attribute("id") in labels
            section = chart.find_element(By.XPATH, "ancestor::section")
            assert section.find_elements(By.TAG_NAME, "table"), "a chart without its table"
        step("4 charts, each an image with a title and a description, each with its table")

        rows = driver.find_elements(By.CSS_SELECTOR, "#breakdown-title ~ div table tbody tr")
        names = [row.find_element(By.TAG_NAME, "th").text for row in rows]
        assert names == ["English", "Spanish", "Vietnamese"], names  # most tickets first, then emergencies, then code
        spanish = [cell.text for cell in rows[1].find_elements(By.TAG_NAME, "td")]
        assert spanish[:4] == ["2", "0", "2", "31.0 h"], spanish
        step("by language: Spanish closes in a median of 31.0 h from the first text")
        warning = driver.find_element(By.XPATH, "//section[.//h2[@id='equity-language-title']]//tbody/tr[2]/td[last()]").text
        assert warning.startswith("Too few to compare"), warning
        step("the equity view warns that so few tickets say little")

        summary = driver.find_element(By.CSS_SELECTOR, "details summary")
        summary.send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "details table").is_displayed())
        step("the weekly numbers open with the keyboard")
        accessible(driver, "/dashboard")

        Select(driver.find_element(By.ID, "group_by")).select_by_value("area")
        driver.find_element(By.CSS_SELECTOR, ".filters button").send_keys(Keys.ENTER)
        # The form loads a new page: read it only once it is there, not the old one going away.
        wait.until(lambda d: "group_by=area" in d.current_url)
        wait.until(lambda d: d.find_element(By.ID, "breakdown-title").text == "By area")
        names = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#breakdown-title ~ div table tbody th")]
        assert "Ward 1 (Northwest)" in names and "No area (no point on the map)" in names, names
        assert "group_by=area" in driver.current_url
        step("grouped by area: " + ", ".join(names))
        accessible(driver, "/dashboard by area")

        link = driver.find_element(By.PARTIAL_LINK_TEXT, "Download these tickets as CSV").get_attribute("href")
        csv = driver.execute_async_script(
            "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done, e => done('error ' + e));", link)
        lines = csv.strip().split("\r\n")
        assert lines[0].startswith("tracking_number,service_code,department"), lines[0]
        assert len(lines) == 6, len(lines)
        step("the CSV link gives the 5 tickets with the page's sign-in")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
