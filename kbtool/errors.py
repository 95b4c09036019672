"""The exceptions kbtool raises, each carrying the context a user needs.

    KbtoolError                  exit 1 unless a subclass says otherwise
    ├── UsageError               exit 2: the command line itself is wrong
    ├── NotAKnowledgeBaseError   exit 3: no mkdocs.yml above the current directory
    ├── InputError               exit 4: a file, id or value we were given is bad
    │   ├── NoteFormatError          a note that cannot be read (path, line)
    │   ├── ConfigError              kbtool.yml / topics.yml / the import manifest (path, line)
    │   ├── InboxFormatError         inbox.yml, kbtool watch's inbox, cannot be read (path, line)
    │   ├── CitationDataError        citations.json, the citation data, cannot be read (path, line)
    │   ├── ArxivIdError             a string that is not an arXiv id (or escapes notes/)
    │   ├── UnknownPaperError        ids the arXiv API answered with no entry (ids)
    │   ├── ArxivQueryError          arXiv's own error feed, e.g. HTTP 400 (url, status, value)
    │   ├── NotTextError             a file that is binary or not UTF-8 (path, line)
    │   └── UnknownFormatError       a file to import in none of the known formats (path)
    ├── PaperHasNoteError        exit 1: `kbtool new` for a paper that already has a note
    ├── RemoteError              exit 6: a remote service failed after retries (url, status)
    └── SiteBuildError           exit 7: MkDocs could not build the site (or warned, under --strict)

The CLI turns each into one line on stderr and its exit code; nothing below the
CLI prints or exits.
"""

from __future__ import annotations

from pathlib import Path


class KbtoolError(Exception):
    """Base class: a problem to report to the user as one line."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(KbtoolError):
    exit_code = 2


class NotAKnowledgeBaseError(KbtoolError):
    exit_code = 3


class InputError(KbtoolError):
    exit_code = 4


class LocatedInputError(InputError):
    """An input error at a place in a file: rendered as ``path:line: message``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)
        self.detail = message


class NoteFormatError(LocatedInputError):
    pass


class ConfigError(LocatedInputError):
    pass


class InboxFormatError(LocatedInputError):
    """``inbox.yml`` (written by ``kbtool watch``) is not what kbtool writes there."""


class CitationDataError(LocatedInputError):
    """``citations.json`` (written by ``kbtool enrich``) is not what kbtool writes there."""


class NotTextError(LocatedInputError):
    """A file that should be text but is binary, or not UTF-8."""


class UnknownFormatError(LocatedInputError):
    """A file given to ``kbtool import`` in none of the formats it knows."""


class ArxivIdError(InputError):
    def __init__(self, message: str, value: str) -> None:
        super().__init__(message)
        self.value = value


class UnknownPaperError(InputError):
    """arXiv answered, and has no paper with these ids."""

    def __init__(self, message: str, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.ids = ids


class ArxivQueryError(InputError):
    """arXiv refused the query itself (its error feed), e.g. an id it cannot parse."""

    def __init__(
        self, message: str, url: str, status: int | None = None, value: str | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.value = value


class PaperHasNoteError(KbtoolError):
    """``kbtool new`` for a paper the knowledge base already has a note for (any version)."""

    def __init__(self, message: str, path: Path, paths: tuple[Path, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.paths = paths or (path,)


class RemoteError(KbtoolError):
    exit_code = 6

    def __init__(
        self, message: str, url: str | None = None, status: int | None = None, retries: int = 0
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retries = retries


class SiteBuildError(KbtoolError):
    exit_code = 7
