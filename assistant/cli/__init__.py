"""The terminal interface: argument parsing, commands and terminal output."""
