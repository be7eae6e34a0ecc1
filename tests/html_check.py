"""A small well-formedness check for our HTML: balanced tags and unique ids."""

from collections import Counter
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Elements whose end tag HTML lets us omit; we always close them, so they are checked too.


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: Counter = Counter()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def html_problems(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    problems += [f"unclosed <{tag}>" for tag in checker.stack]
    problems += [f"duplicate id {i!r}" for i, n in checker.ids.items() if n > 1]
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no doctype")
    return problems
