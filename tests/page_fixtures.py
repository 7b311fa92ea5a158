"""Library pieces the page tests add to their copy of the library."""

from __future__ import annotations

# A family of one rule with a replacement, so the apply-and-undo tests do not depend on which
# replacements the bundled rules carry.
PROBE_FAMILY = """\
family: probe
category: stonewalling
description: A shrug at the customer's problem (a test family).
rules:
  - id: probe.cookie-crumbles
    severity: warning
    message: "“{match}” shrugs the problem off."
    replacements: ["here is what I can do"]
    patterns:
      - "that is the way the cookie crumbles"
    examples:
      flag:
        - {text: "Well, that is the way the cookie crumbles.", match: "that is the way the cookie crumbles"}
      pass:
        - {text: "The cookie jar is on its way."}
"""
