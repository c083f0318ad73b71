"""`Dialog`: a modal screen that closes once.

`Screen.dismiss` pops whatever screen is on top each time it is called. Keys arrive in bursts over
a slow link (`z` `1` `4`, `Enter Enter`): a dialog that answered the first key must not answer the
second by popping the screen under it (the chat screen), which left an empty app. Every modal of
smschat derives from this.
"""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    _answered = False

    def dismiss(self, result: ScreenResultType | None = None) -> AwaitComplete:
        if self._answered or not self.is_current:
            return AwaitComplete()  # answered already: later keys of the same burst do nothing
        self._answered = True
        return super().dismiss(result)
