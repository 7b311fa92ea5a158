"""User text made inert before it reaches Markdown or HTML on the page. Pure: no Streamlit here.

Customer messages and drafts are data, never markup: a `[Twitter](https://evil.example)` in a
message must not become a live link in our advice box, `*x*` must not turn italic, a `<b>` must
not become an element. Streamlit's Markdown is CommonMark + GFM (bare URLs and e-mail addresses
become links) + its own `:colour[...]` / `:emoji:` directives + `$...$` maths: every one of them
is spelled with ASCII punctuation, so escaping all ASCII punctuation disarms them all at once.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = frozenset(string.punctuation)
# CommonMark line endings (\r alone counts): a blank line ends an HTML block, after which the
# rest would be parsed as Markdown again; U+2028/2029 are kept as text by the parser.
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_SPACES = re.compile(r"[ \t\f\v\r\n\u2028\u2029]+")


def markdown_literal(text: str) -> str:
    """`text` as Markdown that renders exactly as written, on one line.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows it for each of them);
    whitespace runs become one space, since an inline quote in a message box is one line and
    leading spaces or blank lines would otherwise start code blocks or new paragraphs."""
    flat = _SPACES.sub(" ", text)
    return "".join(f"\\{c}" if c in _PUNCTUATION else c for c in flat)


def html_literal(text: str) -> str:
    """`text` as HTML (for st.markdown with unsafe_allow_html) that renders exactly as written.

    ASCII punctuation becomes numeric character references, so neither the HTML parser (`<`, `&`,
    quotes) nor the Markdown parser that Streamlit runs around the HTML (`*`, `[`, `:`, `$`, bare
    URLs) sees anything but text; line breaks become <br>, so the block stays one HTML line."""
    escaped = "".join(f"&#{ord(c)};" if c in _PUNCTUATION else c for c in text)
    return _LINE_BREAKS.sub("<br>", escaped)
