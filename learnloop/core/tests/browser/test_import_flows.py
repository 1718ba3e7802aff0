"""An L&D admin imports a skills taxonomy in a real Chromium and watches it run in the background."""

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core import imports
from learnloop.core.models import ImportJob
from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_accessibility import WCAG_AA
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.skills.models import Skill

pytestmark = pytest.mark.browser


def _upload(page: Any, path: Path) -> None:
    page.goto("/skills/import/")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and import").click()


def _accessible(page: Any) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def test_upload_a_taxonomy_watch_its_progress_and_see_the_counts(page: Any, personas: Personas, tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.csv"
    taxonomy.write_text("name,category\n" + "".join(f"Skill {i},Practice\n" for i in range(3000)))
    sign_in(page, personas.lena.username)
    _upload(page, taxonomy)
    expect(page.get_by_role("heading", level=1)).to_contain_text("taxonomy.csv")
    expect(page.get_by_role("heading", name="Waiting for the background worker")).to_be_visible()
    job = ImportJob.objects.get()
    # The page polls: a worker's progress shows without a reload.
    ImportJob.objects.filter(pk=job.pk).update(status="running", stage="checking", done=1500, total=3000)
    status = page.locator("#import-status")
    expect(status).to_contain_text("1,500 of 3,000 rows (50%)")
    # Screen readers hear the stage once, from the one live region, not every second's count.
    expect(page.get_by_role("status")).to_have_text("Checking every row")
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_attribute("value", "50")
    _accessible(page)
    ImportJob.objects.filter(pk=job.pk).update(status="queued", stage="", done=0, total=0)
    imports.import_run.call(job_id=job.pk)
    expect(status).to_contain_text("Imported 3,000 skills (simple format): 3,000 added")
    expect(page.get_by_role("status")).to_have_text("Import finished.")
    assert Skill.objects.filter(name__startswith="Skill ").count() == 3000
    page.get_by_role("link", name="Import another file").click()
    expect(page.get_by_role("table")).to_contain_text("taxonomy.csv")


def test_a_file_with_problems_lists_them_and_offers_them_as_csv(page: Any, personas: Personas, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("name,category\nCoaching,Leadership\n,Leadership\ncoaching,Leadership\n")
    sign_in(page, personas.lena.username)
    _upload(page, broken)
    imports.import_run.call(job_id=ImportJob.objects.get().pk)
    alert = page.locator("#import-status")
    expect(page.get_by_role("status")).to_have_text("Nothing was imported: 2 problems found.")
    expect(alert).to_contain_text("Nothing was imported: 2 problems found")
    expect(alert.get_by_role("table")).to_contain_text("is required")
    _accessible(page)
    with page.expect_download() as download:
        alert.get_by_role("link", name="Download every problem as CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "line,column,problem" and len(lines) == 3
    assert not Skill.objects.filter(name="Coaching").exists()


def test_a_huge_value_and_a_column_named_twice_are_problems_on_the_page_not_a_failure(
    page: Any, personas: Personas, tmp_path: Path
) -> None:
    from learnloop.core.csv_import import MAX_FIELD_CHARS

    huge = tmp_path / "huge.csv"
    huge.write_text(f"name,description\nCoaching,{'x' * (MAX_FIELD_CHARS + 1)}\n")
    sign_in(page, personas.lena.username)
    _upload(page, huge)
    imports.import_run.call(job_id=ImportJob.objects.get().pk)
    status = page.locator("#import-status")
    expect(page.get_by_role("status")).to_have_text("Nothing was imported: 1 problem found.")
    expect(status.get_by_role("table")).to_contain_text("is longer than 131,072 characters")
    expect(status.get_by_role("table")).to_contain_text("description")
    twice = tmp_path / "twice.csv"
    twice.write_text("name,category,name\nCoaching,Leadership,Kubernetes\n")
    _upload(page, twice)
    imports.import_run.call(job_id=ImportJob.objects.latest("pk").pk)
    expect(page.locator("#import-status").get_by_role("table")).to_contain_text("column(s) named more than once: name")
    assert not Skill.objects.filter(name="Coaching").exists()
