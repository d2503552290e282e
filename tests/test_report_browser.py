"""The HTML report in a real browser (Debian's headless chromium through selenium and the system chromedriver).

Checks that the page loads without console errors, that a click on a finding reveals its source
sentences, that the filters hide findings, and saves a screenshot to outputs/report_screenshot.png.
Needs `apt-get install -y chromium chromium-driver` and `pip install selenium`; without them it fails
with that message (no skip).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import api
from pipeline.qa import load_params, run_qa
from pipeline.report import write_report

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = (
    "the browser test needs Debian's chromium and its driver and selenium: "
    "`apt-get update && apt-get install -y chromium chromium-driver` and `.venv/bin/pip install selenium`"
)
TABLES = ("documents", "mentions", "footnotes", "sentences", "sections", "tables", "facts")


@pytest.fixture(scope="module")
def report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report_out")
    api.run([ROOT / "corpus" / "docx"], out, workers=1)
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    findings = run_qa(tables, load_params())
    return write_report(tables, findings, out / "report.html")


@pytest.fixture(scope="module")
def driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(INSTALL_HINT)
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")) or not Path(CHROMEDRIVER).exists():
        pytest.fail(INSTALL_HINT)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield browser
    browser.quit()


def test_report_loads_clicks_and_filters(report_path: Path, driver) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(report_path.as_uri())
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], severe

    findings = driver.find_elements(By.CSS_SELECTOR, ".finding")
    assert len(findings) >= 10, "the corpus holds more than ten inconsistencies"
    first = findings[0]
    sources = first.find_element(By.CSS_SELECTOR, ".sources")
    assert not sources.is_displayed()
    first.find_element(By.CSS_SELECTOR, ".finding-head").click()
    assert sources.is_displayed()
    shown = sources.find_elements(By.CSS_SELECTOR, ".source")
    assert shown and all(s.text.strip() for s in shown)
    assert sources.find_elements(By.CSS_SELECTOR, "mark.hit"), "the finding's numbers are highlighted"

    Path(ROOT / "outputs").mkdir(exist_ok=True)
    screenshot = ROOT / "outputs" / "report_screenshot.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000

    Select(driver.find_element(By.ID, "f-severity")).select_by_value("error")
    visible = [f for f in driver.find_elements(By.CSS_SELECTOR, ".finding") if f.is_displayed()]
    assert visible and all("error" in f.get_attribute("class") for f in visible)
    assert int(driver.find_element(By.ID, "f-count").text) == len(visible)

    driver.find_element(By.CSS_SELECTOR, 'nav button[data-view="v-charts"]').click()
    assert driver.find_element(By.ID, "v-charts").is_displayed()
    assert driver.find_elements(By.CSS_SELECTOR, "#v-charts svg circle title")
    assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
