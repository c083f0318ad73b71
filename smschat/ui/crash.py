"""What the terminal shows when the app crashes: a traceback without local variables.

Textual's own crash report lists every frame's local variables, and a frame deep in the provider
can hold the password (`make_client(..., password)`). This one shows the frames and the error only.
"""

from __future__ import annotations

from typing import Any


def fatal_error_without_locals(app: Any) -> None:
    """Textual's `App._fatal_error`, with `show_locals=False`."""
    import rich
    from rich.segment import Segments
    from rich.traceback import Traceback

    app.bell()
    traceback = Traceback(show_locals=False, width=None, suppress=[rich])
    app._exit_renderables.append(Segments(app.console.render(traceback, app.console.options)))
    app._close_messages_no_wait()
