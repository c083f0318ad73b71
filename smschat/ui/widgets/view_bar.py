"""The line above the contact list that says which view it shows, with the counts of the others."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from smschat.domain.triage import VIEW_LABELS, Counts, View, ViewKind

#: the other views worth a glance, in this order, when they hold something
_GLANCE = (ViewKind.WAITING, ViewKind.UNREAD, ViewKind.FAILED, ViewKind.SNOOZED)


class ViewBar(Widget):
    """`view` and `counts` in, one line out: "▌Waiting 3 ▐ all 14 · unread 2 · failed 1"."""

    view: reactive[View] = reactive(View, layout=False)
    counts: reactive[Counts] = reactive(Counts, layout=False)
    filtered: reactive[bool] = reactive(False)

    def render(self) -> Content:
        kind = self.view.kind
        label = VIEW_LABELS[kind]
        account = f" ·{self.view.account[-4:]}" if self.view.account else ""
        head = Content.styled(f" {label} {self.counts.of(kind)}{account} ", "bold reverse $text-accent")
        if kind is ViewKind.ALL:
            glance = [f"{VIEW_LABELS[k].lower()} {self.counts.of(k)}" for k in _GLANCE if self.counts.of(k)]
        else:
            glance = [f"all {self.counts.all}"] + [
                f"{VIEW_LABELS[k].lower()} {self.counts.of(k)}" for k in _GLANCE if k is not kind and self.counts.of(k)
            ]
        parts = [head]
        if self.filtered:
            parts.append(Content.styled(" filtered", "bold $text-warning"))
        if glance:
            parts.append(Content.styled(" " + " · ".join(glance), "$text-muted"))
        return Content.assemble(*parts)
