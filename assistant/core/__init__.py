"""Names, records and text rules every layer shares; imports nothing else of the package."""
