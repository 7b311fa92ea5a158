"""Saves keep the file as it was (mode, owner), refuse in words, and concurrent reports all land."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.curation import false_positives, saves
from assistant.curation.false_positives import AlreadyListed, add_pending_pass_example
from assistant.curation.saves import SaveRefused, save, snapshot
from assistant.library.loader import load_library

RULE_ID = "demo.lucky"
# Block-style pass list, as the curated files write it, with a comment that must survive reports.
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
          pass:
            # why: luck that is not a favour
            - "We are lucky to have you."
"""


@pytest.fixture
def rule_library(rules_dir: Callable[[dict[str, str]], Path]) -> Path:
    return rules_dir({"draft/demo.yml": RULE_FILE})


@pytest.fixture
def saved_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.yml"
    path.write_text("first: 1\n", encoding="utf-8")
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def save_again(path: Path, text: str) -> None:
    save(path, text, snapshot(path).digest)


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640], ids=oct)
def test_save_keeps_the_file_mode(saved_file: Path, mode: int):
    os.chmod(saved_file, mode)
    save_again(saved_file, "second: 2\n")
    assert saved_file.read_text(encoding="utf-8") == "second: 2\n"
    assert oct(mode_of(saved_file)) == oct(mode)


def test_a_new_file_gets_the_mode_of_any_new_file(tmp_path: Path):
    previous = os.umask(0o027)
    try:
        path = tmp_path / "new.yml"
        save(path, "first: 1\n", saves.digest(""))
    finally:
        os.umask(previous)
    assert oct(mode_of(path)) == oct(0o666 & ~0o027)


def test_save_keeps_the_owner_and_group(saved_file: Path):
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another owner")
    os.chown(saved_file, 4321, 4322)
    save_again(saved_file, "second: 2\n")
    assert (saved_file.stat().st_uid, saved_file.stat().st_gid) == (4321, 4322)


def test_read_only_file_is_refused_and_kept(saved_file: Path):
    os.chmod(saved_file, 0o444)
    with pytest.raises(SaveRefused, match=r"notes\.yml is read-only.*not saved"):
        save_again(saved_file, "second: 2\n")
    assert saved_file.read_text(encoding="utf-8") == "first: 1\n"
    assert oct(mode_of(saved_file)) == oct(0o444)
    assert leftovers(saved_file.parent) == []


def test_file_the_saver_may_not_write_is_refused(saved_file: Path):
    if os.geteuid() == 0:
        pytest.skip("root may write any file: only a mode denying everyone refuses it")
    os.chmod(saved_file, 0o464)  # others (and the group) may write it, its owner may not
    with pytest.raises(SaveRefused, match="read-only"):
        save_again(saved_file, "second: 2\n")
    assert saved_file.read_text(encoding="utf-8") == "first: 1\n"


def test_file_that_is_not_utf8_is_refused_in_words(saved_file: Path):
    saved_file.write_bytes(b"caf\xe9: 1\n")
    with pytest.raises(SaveRefused, match=r"notes\.yml.*not UTF-8"):
        save(saved_file, "second: 2\n", saves.digest(""))
    assert saved_file.read_bytes() == b"caf\xe9: 1\n"


def refuse_creating_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder, also for root (who may write anywhere): creating a file there fails."""
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


def test_read_only_folder_is_reported_in_words(saved_file: Path, monkeypatch: pytest.MonkeyPatch):
    snap = snapshot(saved_file)
    refuse_creating_in(saved_file.parent, monkeypatch)
    with pytest.raises(SaveRefused, match=r"notes\.yml.*folder.*does not allow") as refused:
        save(saved_file, "second: 2\n", snap.digest)
    assert not isinstance(refused.value, OSError)
    monkeypatch.undo()
    assert saved_file.read_text(encoding="utf-8") == "first: 1\n"
    assert leftovers(saved_file.parent) == []


def test_real_read_only_folder_is_reported(tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root may write into a read-only folder (the simulated one above covers it)")
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "notes.yml"
    path.write_text("first: 1\n", encoding="utf-8")
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(SaveRefused, match="does not allow"):
            save_again(path, "second: 2\n")
        assert path.read_text(encoding="utf-8") == "first: 1\n"
        assert leftovers(folder) == []
    finally:
        os.chmod(folder, 0o755)


class FullDiskWriter:
    """A file whose writes fail the way they do on a full disk."""

    def __init__(self, real):
        self.real = real

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.real.close()


def test_full_disk_is_reported_and_no_temp_file_left(
    saved_file: Path, monkeypatch: pytest.MonkeyPatch
):
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FullDiskWriter(real_fdopen(*a, **k)))
    with pytest.raises(SaveRefused, match=r"notes\.yml.*disk is full"):
        save_again(saved_file, "second: 2\n")
    monkeypatch.undo()
    assert saved_file.read_text(encoding="utf-8") == "first: 1\n"
    assert leftovers(saved_file.parent) == []


def test_failed_replace_leaves_no_temp_file(saved_file: Path, monkeypatch: pytest.MonkeyPatch):
    def read_only_file_system(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only_file_system)
    with pytest.raises(SaveRefused, match="read-only file system"):
        save_again(saved_file, "second: 2\n")
    monkeypatch.undo()
    assert saved_file.read_text(encoding="utf-8") == "first: 1\n"
    assert leftovers(saved_file.parent) == []


def report_at_once(rules: Path, sentences: list[str]) -> list[object]:
    """Every sentence reported by its own agent, all starting together: the outcome of each."""
    start = threading.Barrier(len(sentences))
    outcomes: list[object] = [None] * len(sentences)

    def agent(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = add_pending_pass_example(rules, RULE_ID, sentences[index])
        except Exception as exc:  # the test reports every outcome, failures included
            outcomes[index] = exc

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(len(sentences))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_reports_all_land_each_once(rule_library: Path):
    path = rule_library / "draft" / "demo.yml"
    sentences = [f"Agent {n} says you are lucky the order shipped." for n in range(8)]
    outcomes = report_at_once(rule_library, sentences)
    assert outcomes == [path] * len(sentences)
    text = path.read_text(encoding="utf-8")
    assert [text.count(sentence) for sentence in sentences] == [1] * len(sentences)
    assert "# why: luck that is not a favour" in text
    rule = load_library(rule_library).rule(RULE_ID)
    assert sorted(rule.pending_pass_examples) == sorted(sentences)


def test_same_sentence_reported_twice_lands_once(rule_library: Path):
    sentence = "Honestly, you are lucky it arrived at all."
    outcomes = report_at_once(rule_library, [sentence, sentence])
    path = rule_library / "draft" / "demo.yml"
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyListed", "PosixPath"]
    assert path.read_text(encoding="utf-8").count(sentence) == 1
    with pytest.raises(AlreadyListed, match=r"already pending.*demo\.lucky"):
        add_pending_pass_example(rule_library, RULE_ID, f"  {sentence} ")
    assert load_library(rule_library).rule(RULE_ID).pending_pass_examples == (sentence,)


def test_settled_pass_example_is_not_reported_again(rule_library: Path):
    with pytest.raises(AlreadyListed, match="already a pass example"):
        add_pending_pass_example(rule_library, RULE_ID, "We are lucky to have you.")


def test_report_retries_when_another_writer_saved_in_between(
    rule_library: Path, monkeypatch: pytest.MonkeyPatch
):
    """An editor that takes no lock (a curator's text editor) saves while the report is validated:
    the report starts again from the new text, and both changes are kept."""
    path = rule_library / "draft" / "demo.yml"
    real_collect = false_positives.collect
    calls = []

    def collect_while_someone_saves(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            path.write_text(path.read_text(encoding="utf-8") + "# their note\n", encoding="utf-8")
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(false_positives, "collect", collect_while_someone_saves)
    sentence = "You are lucky the courier came back."
    assert add_pending_pass_example(rule_library, RULE_ID, sentence) == path
    text = path.read_text(encoding="utf-8")
    assert "# their note" in text and text.count(sentence) == 1


def test_report_on_a_read_only_rule_file_is_refused(rule_library: Path):
    path = rule_library / "draft" / "demo.yml"
    before = path.read_text(encoding="utf-8")
    os.chmod(path, 0o444)
    with pytest.raises(SaveRefused, match=r"demo\.yml is read-only"):
        add_pending_pass_example(rule_library, RULE_ID, "You are lucky we found it.")
    assert path.read_text(encoding="utf-8") == before
