"""smschat: a keyboard-first terminal chat client for SMS conversations."""

__version__ = "0.1.0"
