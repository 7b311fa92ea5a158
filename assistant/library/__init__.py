"""The only reader of the rule library: YAML with line numbers, word classes, phrase notation, rules and settings, validated."""
