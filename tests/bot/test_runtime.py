from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.i18n import CatalogError
from bot.messages import Channel, Inbound
from bot.runtime import LastGood, Runtime, build_runtime, folder_digest, problem_lines
from bot.settings import Settings, SettingsError
from gfmd_info.problems import ContentError
from tests.support.content_edits import break_yaml, set_english_summary

REPO = Path(__file__).resolve().parents[2]
QUESTION = "my boss did not pay me"
MARKER = "Reload marker ZEBRA. Keep your payslips."


def settings_for(content: Path, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "gfmd_content_dir": content,
        "gfmd_locales_dir": REPO / "locales",
        "gfmd_var_dir": tmp_path / "var",
        "database_url": f"sqlite:///{tmp_path}/state.sqlite3",
        "gfmd_bot_secret": "test-secret",
        **changes,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


def answer(runtime: Runtime, who: str, text: str = QUESTION) -> str:
    key = runtime.user_key(Channel.SMS, who)
    reply = runtime.conversation.handle(Inbound(Channel.SMS, key, text))
    assert reply is not None
    return "\n".join(block.text for block in reply.blocks)


def metric(runtime: Runtime, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(runtime.metrics.render().decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    built = build_runtime(settings_for(copy_content(tmp_path), tmp_path))
    yield built
    built.close()


def test_a_fresh_runtime_is_ready_and_reports_its_content_version(runtime: Runtime) -> None:
    assert runtime.readiness() == []
    version = runtime.knowledge().content.version
    assert metric(runtime, "gfmd_content_info", version=version) == 1.0


def test_a_good_edit_is_in_the_next_answer_after_a_reload(runtime: Runtime) -> None:
    before = runtime.knowledge().content.version
    assert MARKER not in answer(runtime, "+14155550100")
    set_english_summary(runtime.knowledge.content_dir, "unpaid-wages", MARKER)

    result = runtime.reload_content()

    assert result.ok and result.problems == ()
    assert result.version != before
    assert MARKER in answer(runtime, "+14155550101")
    assert runtime.readiness() == []
    assert metric(runtime, "gfmd_content_reloads_total", result="ok") == 1.0
    assert metric(runtime, "gfmd_content_info", version=result.version) == 1.0
    assert metric(runtime, "gfmd_content_info", version=before) == 0.0


def test_a_broken_edit_changes_nothing_and_is_reported_with_file_and_line(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    before = runtime.knowledge().content.version
    first_answer = answer(runtime, "+14155550100")
    path = set_english_summary(runtime.knowledge.content_dir, "unpaid-wages", MARKER)
    break_yaml(path)

    result = runtime.reload_content()

    assert not result.ok
    assert result.version == before
    assert any(re.search(r"en/unpaid-wages\.yaml:\d+: yaml:", p) for p in result.problems)
    assert answer(runtime, "+14155550101") == first_answer
    assert runtime.readiness() == []  # the previous content still serves
    warnings = runtime.warnings()
    assert warnings and all(
        w.startswith(f"content reload refused, still serving {before}: ") for w in warnings
    )
    assert "unpaid-wages.yaml:" in warnings[0]
    refused = [r for r in caplog.records if getattr(r, "event", "") == "content_reload_refused"]
    assert refused and list(result.problems) == refused[0].problems  # type: ignore[attr-defined]
    assert metric(runtime, "gfmd_content_reloads_total", result="refused") == 1.0
    assert metric(runtime, "gfmd_content_info", version=before) == 1.0


def test_mending_a_broken_edit_makes_the_runtime_ready_again(runtime: Runtime) -> None:
    path = set_english_summary(runtime.knowledge.content_dir, "unpaid-wages", MARKER)
    good = path.read_text(encoding="utf-8")
    break_yaml(path)
    assert not runtime.reload_content().ok
    path.write_text(good, encoding="utf-8")
    assert runtime.reload_content().ok
    assert runtime.readiness() == [] and runtime.warnings() == []
    assert MARKER in answer(runtime, "+14155550100")


def test_a_closed_store_makes_the_runtime_not_ready(runtime: Runtime) -> None:
    runtime.close()
    assert runtime.readiness() == ["store unreachable: ProgrammingError"]


def test_broken_content_at_start_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    break_yaml(content / "en" / "shelter.yaml")
    with pytest.raises(ContentError) as raised:
        build_runtime(settings_for(content, tmp_path))
    lines = problem_lines(raised.value)
    assert lines and all(re.search(r"\.yaml:(\d+|\?): ", line) for line in lines)
    assert any("en/shelter.yaml:" in line for line in lines)


def test_no_catalogs_at_start_is_an_error(tmp_path: Path) -> None:
    settings = settings_for(REPO / "content", tmp_path, gfmd_locales_dir=tmp_path / "none")
    with pytest.raises(CatalogError) as raised:
        build_runtime(settings)
    assert problem_lines(raised.value) == (f"{tmp_path / 'none'}: no catalogs found",)


def test_an_unreadable_file_is_one_problem_line() -> None:
    error = PermissionError(13, "Permission denied", "content/en/shelter.yaml")
    assert problem_lines(error) == (
        "content/en/shelter.yaml:?: file: cannot be read (Permission denied)",
    )


# -- the last good copy of the content ------------------------------------------------------------


def test_every_successful_load_keeps_a_copy_of_the_content_under_the_var_dir(
    runtime: Runtime, tmp_path: Path
) -> None:
    link = tmp_path / "var" / "last-good-content"
    first = runtime.knowledge().content.version
    assert link.is_symlink() and link.resolve().name == first
    assert folder_digest(link) == folder_digest(runtime.knowledge.content_dir)

    set_english_summary(runtime.knowledge.content_dir, "unpaid-wages", MARKER)
    second = runtime.reload_content().version

    assert link.resolve().name == second
    assert folder_digest(link) == folder_digest(runtime.knowledge.content_dir)
    copies = tmp_path / "var" / "last-good-content.d"
    assert sorted(p.name for p in copies.iterdir()) == [second]  # older copies are removed


def test_a_refused_reload_keeps_the_last_good_copy(runtime: Runtime, tmp_path: Path) -> None:
    link = tmp_path / "var" / "last-good-content"
    assert link.is_dir()
    before = folder_digest(link)
    break_yaml(set_english_summary(runtime.knowledge.content_dir, "unpaid-wages", MARKER))
    assert not runtime.reload_content().ok
    assert folder_digest(link) == before


def test_broken_content_at_start_serves_the_last_good_copy_with_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(copy_content(tmp_path), tmp_path)
    first = build_runtime(settings)
    good_version = first.knowledge().content.version
    good_answer = answer(first, "+14155550100")
    first.close()
    path = settings.gfmd_content_dir / "en" / "shelter.yaml"
    good = path.read_text(encoding="utf-8")
    break_yaml(path)

    runtime = build_runtime(settings)  # a restart with the broken folder: no exception
    try:
        assert runtime.knowledge().content.version == good_version
        assert answer(runtime, "+14155550101") == good_answer
        assert runtime.readiness() == []
        warnings = runtime.warnings()
        lead = f"content folder refused at startup, serving the last good copy ({good_version}): "
        assert warnings and all(w.startswith(lead) for w in warnings)
        assert re.search(r"content/en/shelter\.yaml:\d+: yaml: ", warnings[0])
        [logged] = [r for r in caplog.records if getattr(r, "event", "") == "content_fallback"]
        assert logged.levelno == logging.ERROR
        assert any("en/shelter.yaml:" in p for p in logged.problems)  # type: ignore[attr-defined]

        path.write_text(good, encoding="utf-8")  # mended: a reload serves the folder again
        assert runtime.reload_content().ok
        assert runtime.warnings() == [] and not runtime.knowledge.from_last_good
    finally:
        runtime.close()


def test_a_copy_that_differs_from_what_was_loaded_is_not_kept(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    last_good = LastGood(tmp_path / "var")
    assert not last_good.save(content, "0123456789ab", digest="not the folder's digest")
    assert last_good.path() is None
    assert last_good.save(content, "0123456789ab", folder_digest(content))
    assert last_good.path() is not None
    leftovers = [p.name for p in last_good.copies.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_var_dir_that_cannot_be_written_does_not_stop_a_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    var = tmp_path / "var"
    var.write_text("a file, not a folder", encoding="utf-8")
    content = copy_content(tmp_path)
    assert not LastGood(var).save(content, "0123456789ab", folder_digest(content))
    assert [r for r in caplog.records if getattr(r, "event", "") == "last_good_not_saved"]


# -- settings -----------------------------------------------------------------------------------


def test_postgresql_without_a_user_key_secret_is_refused(tmp_path: Path) -> None:
    settings = settings_for(
        REPO / "content",
        tmp_path,
        database_url="postgresql://gfmd@127.0.0.1:1/gfmd",
        gfmd_bot_secret=None,
    )
    with pytest.raises(SettingsError) as raised:
        build_runtime(settings)  # before anything is loaded or connected
    [problem] = raised.value.problems
    assert "GFMD_BOT_SECRET must be set when DATABASE_URL is PostgreSQL" in problem
    assert not (tmp_path / "var" / "user-key-secret").exists()
