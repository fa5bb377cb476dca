"""What the browser tests share: a headless Chromium, progress lines, and the axe-core check."""
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def chromium(width=1280, height=900):
    """Debian's headless Chromium through its chromedriver."""
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def step(text):
    print("ok:", text, flush=True)


def accessible(driver, where):
    """Fails when axe-core finds a serious or critical WCAG violation on the current page."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    for violation in bad:
        print("axe:", where, violation["id"], violation["impact"], violation["help"],
              [node["target"] for node in violation["nodes"]], flush=True)
    assert not bad, f"{len(bad)} serious or critical accessibility violations on {where}"
    step(f"axe: no serious or critical violations on {where} ({len(results['violations'])} minor)")
