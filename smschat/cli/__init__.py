"""The headless command line: `smschat contacts | conversation | send | status | simulate | config`.

Thin on purpose: it builds the config and calls the same provider layer the TUI's sync uses.
"""
