"""The Textual UI. Imports nothing from providers: all data comes through a `Session`."""
