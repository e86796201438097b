"""Typed errors whose messages are written for the people who read them."""


class KBError(Exception):
    """Base of every error atkb reports to a user.

    ``source`` names the file, URL, query or document the error is about; the
    message reads "<source>: <reason>" on one line.
    """

    def __init__(self, reason: str, source: str = ""):
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {reason}" if source else reason)


class ManifestError(KBError):
    """A manifest, or one entry of it, is missing or malformed."""


class FetchError(KBError):
    """A source could not be read from disk or downloaded."""


class UnsupportedFormat(KBError):
    """The bytes of a source are not a format atkb can parse."""


class ParseError(KBError):
    """A source looked like a known format but could not be parsed."""


class EmptyDocument(ParseError):
    """A source parsed but held no text."""


class BadQuery(KBError):
    """A search query could not be understood."""


class IndexMissing(KBError):
    """There is no index yet under the data directory."""


class StoreMissing(IndexMissing):
    """The drafting store derived from the index is missing, and the reader may not build it."""


class IndexOutdated(IndexMissing):
    """The index on disk was built with another schema: unusable until rebuilt."""


class IndexBusy(KBError):
    """Another process holds the index writer lock."""


class DiskFull(KBError):
    """The disk filled up while the index or the drafting store was written; the old one stands."""


class DocumentNotFound(KBError):
    """No document with the given id is indexed."""


class BadDraft(KBError):
    """A draft to compare with the corpus is missing, empty, too short or too long."""


class PassageNotFound(KBError):
    """No passage with the given id is indexed."""


class ExportError(KBError):
    """An export, citation, chart or brief cannot be made as asked (format, theme, basket)."""


class QueryTooSlow(BadQuery):
    """A search ran past its time budget and was stopped."""
