"""The placeholders that stand in for personal details in a reported sentence.

Shared by the masking (curation) and the tokenizer (nlp): a masked sentence becomes a rule's pass
example, and "a [amount] admin fee" must read as one word where "$15" stood, or the rule would stop
firing on its own example.
"""

from __future__ import annotations

PLACEHOLDERS = {
    "email": "[email]",
    "url": "[link]",
    "phone": "[phone]",
    "amount": "[amount]",
    "date": "[date]",
    "day": "[day]",
    "year": "[year]",
    "address": "[address]",
    "postcode": "[postcode]",
    "number": "[number]",
    "name": "[name]",
}
