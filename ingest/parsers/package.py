"""Unpacking ZIP packages (Word files) without falling for zip bombs.

Sizes are checked from the archive's directory before anything is inflated,
and the bytes actually inflated are counted as they stream, so a header that
lies about its size cannot make a part grow past the limit either.
"""
from __future__ import annotations

import zipfile

from kb.errors import ParseError

MAX_UNPACKED = 50 * 1024 * 1024
TOO_BIG = "refused: the Word file unpacks to more than 50 MB (a zip bomb?)"
# Word compresses its XML ten to fifty times; a part past a megabyte that shrank
# two hundred times or more is filler built to blow up when inflated.
MAX_RATIO, RATIO_FLOOR = 200, 1024 * 1024
MAX_PARTS = 5000
TOO_MANY_PARTS = f"refused: the Word file holds more than {MAX_PARTS} parts (a zip bomb?)"
CHUNK = 1 << 16


def check_part_count(package: zipfile.ZipFile, source: str) -> None:
    """Refuse a package of more parts than any Word file has."""
    if len(package.infolist()) > MAX_PARTS:
        raise ParseError(TOO_MANY_PARTS, source)


def read_parts_capped(package: zipfile.ZipFile, names: list[str], source: str) -> dict[str, bytes]:
    """Inflate the named parts, refusing them if they declare or yield too much."""
    infos = [package.getinfo(name) for name in names]
    check_sizes(infos, source)
    allowance = sum(info.file_size for info in infos)
    parts = {}
    for info in infos:
        parts[info.filename] = read_capped(package, info, allowance, source)
        allowance -= len(parts[info.filename])
    return parts


def check_sizes(infos: list[zipfile.ZipInfo], source: str) -> None:
    """Refuse, before inflating anything, parts that declare too much or compress too well."""
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise ParseError(TOO_BIG, source)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            reason = f"refused: {info.filename} of the Word file inflates more than {MAX_RATIO} times (a zip bomb?)"
            raise ParseError(reason, source)


def read_capped(package: zipfile.ZipFile, info: zipfile.ZipInfo, allowance: int, source: str) -> bytes:
    """Inflate one part in chunks, stopping as soon as it passes what the parts declared."""
    chunks, total = [], 0
    with package.open(info) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > allowance:
                raise ParseError(TOO_BIG, source)
            chunks.append(chunk)
    return b"".join(chunks)
