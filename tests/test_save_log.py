"""The save log: one escaped line per save, all of them landing under concurrent saves, never read
as a library file, and written by saves.save()/update() only when asked and only after a write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.curation import saves
from assistant.curation.save_log import (
    LOG_NAME,
    UNKNOWN_AUTHOR,
    SaveEntry,
    SaveLogError,
    escape,
    log_path,
    read_save_log,
    record_save,
    unescape,
)
from assistant.curation.saves import SaveConflict, save, snapshot, update
from assistant.library.loader import load_library, rule_files

RULE_FILE = """\
    family: demo
    category: youre_lucky
    rules:
      - id: demo.lucky
        severity: warning
        message: "“{match}” makes the fix sound like a favour."
        patterns: ["you are lucky"]
        examples:
          flag: [{text: "You are lucky we had one.", match: "You are lucky"}]
          pass: ["We are lucky to have you."]
"""
NOON = datetime(2026, 3, 14, 12, 30, 5, tzinfo=UTC)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    (root / "draft").mkdir(parents=True)
    (root / "draft" / "demo.yml").write_text("family: demo\n", encoding="utf-8")
    return root


def test_a_save_is_one_line_with_utc_time_who_action_and_relative_path(library):
    when = datetime(2026, 3, 14, 13, 30, 5, tzinfo=timezone(timedelta(hours=1)))
    record_save(library, "mina", library / "draft" / "demo.yml", "save", when=when)
    text = log_path(library).read_text(encoding="utf-8")
    assert text == "2026-03-14T12:30:05+00:00\tmina\tsave\tdraft/demo.yml\n"
    assert read_save_log(library) == [SaveEntry(NOON, "mina", "save", "draft/demo.yml")]


def test_entries_come_back_oldest_first_and_limit_keeps_the_newest(library):
    for minute, who in enumerate(("mina", "olu", "sam")):
        record_save(
            library, who, library / "draft" / "demo.yml", "update", NOON + timedelta(minutes=minute)
        )
    assert [entry.who for entry in read_save_log(library)] == ["mina", "olu", "sam"]
    assert [entry.who for entry in read_save_log(library, limit=2)] == ["olu", "sam"]
    assert read_save_log(library, limit=0) == []
    assert read_save_log(library)[2].when == NOON + timedelta(minutes=2)


def test_a_library_never_saved_in_has_an_empty_log(library):
    assert read_save_log(library) == []


@pytest.mark.parametrize(
    "who",
    [
        "mina\n2026-01-01T00:00:00+00:00\tadmin\tsave\tdraft/demo.yml",  # a forged second entry
        "tab\there",
        "back\\slash\\n",  # a literal backslash-n, not a line break
        "carriage\rreturn",
        "separators\u2028and\u2029more",
        "nul\x00bell\x07del\x7fc1\x85",
        "Zoë Ødegård 王",
    ],
)
def test_names_are_escaped_so_each_save_stays_one_line(library, who):
    record_save(library, who, library / "draft" / "demo.yml", "save", when=NOON)
    text = log_path(library).read_text(encoding="utf-8")
    assert text.count("\n") == 1 and len(text.splitlines()) == 1
    assert text.count("\t") == 3
    assert read_save_log(library) == [SaveEntry(NOON, who, "save", "draft/demo.yml")]


def test_paths_are_escaped_too(library):
    odd = library / "draft" / "new\nline.yml"
    record_save(library, "mina", odd, "save", when=NOON)
    assert len(log_path(library).read_text(encoding="utf-8").splitlines()) == 1
    assert read_save_log(library)[0].path == "draft/new\nline.yml"


def test_escape_round_trips_and_leaves_plain_text_alone():
    for value in ("plain name", "a\\tb", "\\\\", "x\u2028y\tz\n", "\x9f\x80", "é"):
        assert unescape(escape(value)) == value
    assert escape("mina.k@desk") == "mina.k@desk"
    assert escape("Zoë") == "Zoë"


def test_concurrent_saves_all_land_each_on_its_own_line(library):
    writers, per_writer = 8, 25
    start = threading.Barrier(writers)

    def write_many(number: int) -> None:
        start.wait()
        for index in range(per_writer):
            record_save(
                library, f"curator{number}", library / "draft" / "demo.yml", f"save {index}"
            )

    threads = [threading.Thread(target=write_many, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = read_save_log(library)
    assert len(entries) == writers * per_writer
    for number in range(writers):
        mine = [e.action for e in entries if e.who == f"curator{number}"]
        assert mine == [f"save {index}" for index in range(per_writer)]  # each writer's order kept


def test_a_file_outside_the_library_or_a_naive_time_is_a_programming_error(library, tmp_path):
    with pytest.raises(ValueError, match="is not inside the library"):
        record_save(library, "mina", tmp_path / "elsewhere.yml", "save")
    with pytest.raises(ValueError, match="no time zone"):
        record_save(
            library, "mina", library / "draft" / "demo.yml", "save", when=datetime(2026, 1, 1)
        )
    assert not log_path(library).exists()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2026-03-14T12:30:05+00:00\tmina\tsave\n", "expected 4 tab-separated fields"),
        ("yesterday\tmina\tsave\tdraft/demo.yml\n", "is not an ISO time"),
        ("2026-03-14T12:30:05\tmina\tsave\tdraft/demo.yml\n", "has no time zone"),
        ("2026-03-14T12:30:05+00:00\tmi\\qna\tsave\tdraft/demo.yml\n", "no known escape"),
    ],
)
def test_a_broken_log_line_is_named_by_file_and_line(library, line, problem):
    good = "2026-03-14T12:00:00+00:00\tolu\tsave\tdraft/demo.yml\n"
    log_path(library).write_text(good + line, encoding="utf-8")
    with pytest.raises(SaveLogError) as caught:
        read_save_log(library)
    assert f"{LOG_NAME}:2: " in str(caught.value) and problem in str(caught.value)


def test_an_unwritable_log_says_the_save_happened_but_is_not_recorded(library):
    log_path(library).mkdir()  # a folder where the log should be: no one can append to it
    with pytest.raises(SaveLogError, match=r"demo\.yml was saved, but the save log"):
        record_save(library, "mina", library / "draft" / "demo.yml", "save")


def test_the_loader_never_reads_the_log_as_a_rule_file(rules_dir: Callable[[dict[str, str]], Path]):
    root = rules_dir({"draft/demo.yml": RULE_FILE})
    record_save(root, "mina", root / "draft" / "demo.yml", "save")
    # A log line is not YAML a rule file could hold: read as one, it would be a broken library.
    assert log_path(root) not in rule_files(root)
    assert all(path.suffix == ".yml" for path in rule_files(root))
    library = load_library(root)
    assert [rule.id for rule in library.rules] == ["demo.lucky"]


def test_save_and_update_record_only_when_given_a_log_root(library):
    path = library / "draft" / "demo.yml"
    save(path, "family: demo\n# one\n", snapshot(path).digest)  # an existing caller: no log
    assert not log_path(library).exists()
    save(path, "family: demo\n# two\n", snapshot(path).digest, who="mina", log_root=library)
    update(path, lambda text: text + "# three\n", who="olu", log_root=library)
    update(path, lambda text: text + "# four\n", log_root=library)
    entries = read_save_log(library)
    assert [(e.who, e.action, e.path) for e in entries] == [
        ("mina", "save", "draft/demo.yml"),
        ("olu", "update", "draft/demo.yml"),
        (UNKNOWN_AUTHOR, "update", "draft/demo.yml"),
    ]


def test_a_refused_save_is_not_recorded(library):
    path = library / "draft" / "demo.yml"
    stale = snapshot(path)
    save(path, "family: demo\n# someone else\n", stale.digest)
    with pytest.raises(SaveConflict):
        save(path, "family: demo\n# mine\n", stale.digest, who="mina", log_root=library)
    assert read_save_log(library) == []


def test_the_public_lock_is_the_one_saves_take(library, monkeypatch):
    path = library / "draft" / "demo.yml"
    taken: list[Path] = []
    real = saves._locked

    def spy(target: Path):
        taken.append(target)
        return real(target)

    monkeypatch.setattr(saves, "_locked", spy)
    with saves.locked(path):
        pass
    save(path, "family: demo\n", snapshot(path).digest, who="mina", log_root=library)
    # The public wrapper, the file's own save, and the log's append all go through one lock.
    assert taken == [path, path, log_path(library)]
