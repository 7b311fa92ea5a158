"""The library's files a curator can open in the Library tab, and the checks an edit gets."""

from __future__ import annotations

from pathlib import Path

from assistant.curation.edits import validate_library_edit, validate_template_edit
from assistant.library.files import unreadable_reason
from assistant.library.loader import rule_files

RULES_PREFIX = "phrase_rules/"
TEMPLATES_PREFIX = "templates/"


def editable_files(rules_dir: Path, templates_dir: Path) -> dict[str, Path]:
    """{display name → path}: the rule files, then the settings files beside them, then every
    template, each group in sorted order; names start phrase_rules/ or templates/. A file the
    library refuses to read (a link out of its folder, a FIFO, an oversized file) is not offered:
    the editor would read it."""
    rules = rule_files(rules_dir)
    catalogue = {f"{RULES_PREFIX}{p.relative_to(rules_dir).as_posix()}": p for p in rules}
    catalogue.update(
        {f"{RULES_PREFIX}{p.name}": p for p in sorted(rules_dir.glob("*.yml")) if p not in rules}
    )
    catalogue.update(
        {
            f"{TEMPLATES_PREFIX}{p.relative_to(templates_dir).as_posix()}": p
            for p in sorted(templates_dir.rglob("*.txt"))
        }
    )
    roots = ((RULES_PREFIX, rules_dir), (TEMPLATES_PREFIX, templates_dir))
    return {
        name: path
        for name, path in catalogue.items()
        if not any(
            name.startswith(prefix) and unreadable_reason(path, root) for prefix, root in roots
        )
    }


def template_files(templates_dir: Path, case_type: str) -> list[str]:
    """The names of the files in a case type's template folder, sorted."""
    return sorted(p.name for p in (templates_dir / case_type).glob("*") if p.is_file())


def edit_problems(
    name: str, text: str, catalogue: dict[str, Path], rules_dir: Path, templates_dir: Path
) -> list[str]:
    """What is wrong with `text` as the new contents of the catalogue's file `name` (none: valid)."""
    if name.startswith(TEMPLATES_PREFIX):
        return validate_template_edit(templates_dir, name.removeprefix(TEMPLATES_PREFIX), text)
    return [str(p) for p in validate_library_edit(rules_dir, catalogue[name], text)]
