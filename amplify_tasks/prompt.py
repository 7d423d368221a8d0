"""Terminal questions for the interactive tasks: free answers, numbered choices and yes/no,
each showing its default and asking again after an answer that does not parse.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, TypeVar

from .errors import HostingError, SettingsError

T = TypeVar("T")

#: How many invalid answers in a row before giving up (a script piping junk would loop).
MAX_ATTEMPTS = 20


def interactive(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> bool:
    """True when both stdin and stdout are terminals."""
    streams = (stdin or sys.stdin, stdout or sys.stdout)
    try:
        return all(s.isatty() for s in streams)
    except (AttributeError, ValueError):
        return False


class EndOfInput(SettingsError):
    """Input ended (Ctrl-D, or a closed pipe) before a question was answered."""


class Prompter:
    """Asks questions on a pair of text streams (the terminal by default)."""

    def __init__(self, stdin: IO[str] | None = None, stdout: IO[str] | None = None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _line(self, question: str) -> str:
        self.stdout.write(question)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()  # the question's line ends here, not in the error that follows
            raise EndOfInput(
                "input ended before every question was answered: answer on a terminal, "
                "or pass the settings as flags"
            )
        return line.strip()

    def ask(
        self,
        question: str,
        default: str | None = None,
        parse: Callable[[str], T] | None = None,
    ) -> T:
        """Ask until ``parse`` accepts the answer (an empty answer takes the default)."""
        shown = f" [{default}]" if default not in (None, "") else ""
        convert: Callable[[str], T] = parse or (lambda s: s)  # type: ignore[assignment,return-value]
        for _ in range(MAX_ATTEMPTS):
            answer = self._line(f"? {question}{shown}: ")
            if not answer and default is not None:
                answer = default
            try:
                return convert(answer)
            except (ValueError, HostingError) as exc:
                self.say(f"  ! {exc}")
        raise SettingsError(f"no valid answer to {question!r}: pass the setting as a flag instead")

    def choose(self, question: str, options: Sequence[tuple[T, str]], default: T) -> T:
        """Pick one of ``options`` (value, label) by number or by the value's name."""
        self.say(f"? {question}")
        default_index = 1
        for i, (value, label) in enumerate(options, start=1):
            self.say(f"  {i}) {label}")
            if value == default:
                default_index = i

        def parse(answer: str) -> T:
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1][0]
            for value, label in options:
                if answer.lower() in (str(value).lower(), label.lower()):
                    return value
            raise ValueError(f"answer a number from 1 to {len(options)}")

        return self.ask("Choice", str(default_index), parse)

    def confirm(self, question: str, default: bool) -> bool:
        """A yes/no question."""

        def parse(answer: str) -> bool:
            word = answer.lower()
            if word in ("y", "yes", "true", "1"):
                return True
            if word in ("n", "no", "false", "0"):
                return False
            raise ValueError("answer y or n")

        return self.ask(f"{question} (y/n)", "y" if default else "n", parse)
