"""A submissions CSV read strictly: its encoding and delimiter detected and said, every problem named by line.

Spreadsheets write CSV in many ways. This module reads the ways a class's file really arrives in:

* **Encoding**: UTF-8 with or without a byte-order mark, UTF-16 (what Excel's "Unicode text"
  writes, with or without a BOM), GB18030/GBK (Excel on Chinese Windows) and cp1252 (Excel on
  Western Windows). UTF-8 is tried first and wins whenever it decodes; otherwise GB18030 is chosen
  when the text reads as Chinese and cp1252 when it reads as Latin text with accents (an accented
  letter alone between ASCII letters). Bytes no candidate decodes are refused, naming the line.
* **Delimiter**: comma, semicolon or tab, chosen as the one that splits the header into the
  required columns (a first line ``sep=;``, as Excel writes it, is obeyed).
* **Problems**: an unterminated quote, text after a closing quote, a NUL byte, a row with fewer
  or more fields than the header (more is a stray delimiter: an unquoted ``,`` in an answer), and
  a quoted field that swallowed lines that look like rows (a closing quote is missing). Each is
  reported with the line it starts on. Reading resumes on the next line, so one bad quote never
  hides the rows after it: every record is kept, the broken ones with their problem.

Line numbers count physical lines of the file from 1 (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "cp1252")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


class CsvRefused(Exception):
    """The file cannot be read at all (undecodable bytes, no header); the message names the line."""


@dataclass
class Record:
    """One record of the file: the line it starts on, its fields, and what is wrong with it."""

    line: int
    fields: list[str]
    problem: str = ""


@dataclass
class Table:
    """A parsed CSV: its header, its records in order, and how it was read."""

    header: list[str]
    records: list[Record]
    encoding: str
    delimiter: str
    header_line: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Record]:
        """The records with a problem, in file order."""
        return [r for r in self.records if r.problem]

    def describe(self) -> str:
        """How the file was read, for the person running the command."""
        return f"encoding {self.encoding}, delimiter {DELIMITERS.get(self.delimiter, repr(self.delimiter))}"


# ---------------------------------------------------------------------------------- decoding


def _line_of(raw: bytes, offset: int, encoding: str) -> int:
    prefix = raw[:offset].decode(encoding, errors="replace")
    return prefix.count("\n") + 1


def _looks_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text has a NUL in every other byte."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _reads_as_latin(text_cp1252: str) -> bool:
    """Accented Latin text has most of its non-ASCII letters alone; GBK read as cp1252 has them in pairs."""
    runs = [len(m.group()) for m in _NON_ASCII_RUN.finditer(text_cp1252)]
    return bool(runs) and sum(1 for n in runs if n == 1) * 2 >= len(runs)


def _reads_as_chinese(text_gb: str) -> bool:
    non_ascii = [c for c in text_gb if ord(c) > 127]
    return bool(non_ascii) and sum(1 for c in non_ascii if _CJK.match(c)) >= 0.9 * len(non_ascii)


def _decode_or_refuse(raw: bytes, codec: str, name: str, fix: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        line = _line_of(raw, err.start, codec)
        byte = raw[err.start]
        raise CsvRefused(f"line {line} cannot be decoded as {name} (byte 0x{byte:02x}); {fix}") from None


# files a TA hands over instead of the CSV: refused by name, not read as cp1252 garbage
_NOT_CSV = ((b"PK\x03\x04", "a zip archive (an Excel .xlsx or LibreOffice .ods workbook is one)"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
            (b"%PDF", "a PDF document"))


def _refuse_a_file_that_is_not_text(raw: bytes) -> None:
    for magic, what in _NOT_CSV:
        if raw.startswith(magic):
            raise CsvRefused(f"this is {what}, not a CSV file; in the spreadsheet choose File → Save As "
                             "(or Export) → \"CSV UTF-8\" and grade that file")


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the name of the encoding it was read in.

    Raises :class:`CsvRefused` naming the first line that cannot be decoded, or what the file is
    when it is a workbook or a PDF rather than a CSV.
    """
    _refuse_a_file_that_is_not_text(raw)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CsvRefused(f"unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}") from None
        return _decode_or_refuse(raw, encoding, encoding, "check --encoding"), encoding
    boms = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
            (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"))
    for bom, codec, name in boms:
        if raw.startswith(bom):
            fix = "which its byte-order mark announces; save the file again as UTF-8"
            return _decode_or_refuse(raw, codec, name, fix), name
    utf16 = _looks_utf16(raw)
    if utf16:
        try:
            return raw.decode(utf16), f"UTF-16 {utf16[-2:].upper()} (no BOM)"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as err:
        first_error = err
    readings: dict[str, str] = {}
    for codec in ("gb18030", "cp1252"):
        try:
            readings[codec] = raw.decode(codec)
        except UnicodeDecodeError:
            continue
    if "gb18030" in readings and _reads_as_chinese(readings["gb18030"]) and not (
            "cp1252" in readings and _reads_as_latin(readings["cp1252"])):
        return readings["gb18030"], "GB18030"
    if "cp1252" in readings:
        return readings["cp1252"], "cp1252"
    if "gb18030" in readings:
        return readings["gb18030"], "GB18030"
    line = _line_of(raw, first_error.start, "utf-8")
    raise CsvRefused(
        f"line {line} cannot be decoded (byte 0x{raw[first_error.start]:02x}) as UTF-8, UTF-16, GB18030 "
        "or cp1252; save the file as UTF-8 (Excel: \"CSV UTF-8\") or name its encoding with --encoding")


# ---------------------------------------------------------------------------------- splitting


def _lines(text: str) -> list[str]:
    """Physical lines with their endings (only \\n and \\r\\n end a line; a lone \\r file is converted)."""
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def detect_delimiter(header_line: str, required: Iterable[str]) -> str:
    """The delimiter (comma, semicolon or tab) that splits the header into the most required columns."""
    wanted = {r.lower() for r in required}

    def score(d: str) -> tuple[int, int]:
        try:
            fields = next(csv.reader([header_line], delimiter=d))
        except (csv.Error, StopIteration):
            return (0, 0)
        names = {f.strip().lower() for f in fields}
        return (len(names & wanted), len(fields))

    return max(DELIMITERS, key=score)


class _Counted:
    """An iterator over lines that counts how many the csv reader has taken."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines, self.pos = lines, start

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _csv_problem(err: csv.Error, line: int, delimiter: str) -> str:
    text = str(err)
    if "unexpected end of data" in text or "EOF" in text:
        return (f"line {line}: unterminated quote: the quoted field that starts on this line is never "
                "closed (add the closing \")")
    if "NUL" in text:
        return f"line {line}: the line holds a NUL byte (is the file UTF-16 saved under another name?)"
    if "expected after" in text:
        return (f"line {line}: text follows a closing quote; a \" inside a quoted field must be doubled "
                "(\"\"), "
                f"and a field holding {DELIMITERS[delimiter]}s must be quoted whole")
    if "field larger than field limit" in text:
        return (f"line {line}: a field is longer than {csv.field_size_limit():,} characters, far beyond "
                "any answer (a derivation is read up to 40,000); is a closing quote missing, or a file "
                "pasted in?")
    return f"line {line}: the CSV cannot be read here ({text})"


def _swallowed_rows(fields: list[str], delimiter: str, row_keys: set[str]) -> int:
    """How many lines inside a multi-line field look like rows of their own."""
    count = 0
    for value in fields:
        if "\n" not in value:
            continue
        for inner in value.split("\n")[1:]:
            parts = [p.strip() for p in inner.split(delimiter)]
            if len(parts) >= 3 and any(p in row_keys for p in parts[1:3]):
                count += 1
    return count


def _swallowed_problem(line: int, end: int, swallowed: int) -> str:
    return (f"line {line}: the quoted field that starts here runs to line {end} and holds {swallowed} "
            f"line{'s' if swallowed != 1 else ''} that look like rows: a closing quote is probably missing")


def _naive_fields(line: str, delimiter: str) -> list[str]:
    return [p.strip().strip('"') for p in line.rstrip("\r\n").split(delimiter)]


def split_records(lines: list[str], delimiter: str, first: int, width: int,
                  row_keys: set[str]) -> list[Record]:
    """Every record from line index ``first``; a broken one is kept with its problem, and reading goes on."""
    records: list[Record] = []
    pos = first
    while pos < len(lines):
        source = _Counted(lines, pos)
        reader = csv.reader(source, delimiter=delimiter, strict=True)
        start = pos
        try:
            for fields in reader:
                line = start + 1
                end = source.pos
                if any(f.strip() for f in fields):
                    swallowed = _swallowed_rows(fields, delimiter, row_keys)
                    if swallowed:
                        records.append(Record(line, _naive_fields(lines[start], delimiter),
                                              _swallowed_problem(line, end, swallowed)))
                        pos = start + 1
                        break
                    records.append(Record(line, fields, _width_problem(line, fields, width, delimiter)))
                start = end
            else:
                pos = len(lines)
        except csv.Error as err:
            line = start + 1
            swallowed = _swallowed_rows(["".join(lines[start:source.pos])], delimiter, row_keys)
            problem = _csv_problem(err, line, delimiter)
            if swallowed and "unterminated" in problem:
                problem += f"; it would swallow the {swallowed} rows after it"
            elif swallowed and source.pos - start > 1:
                problem = _swallowed_problem(line, source.pos, swallowed)
            records.append(Record(line, _naive_fields(lines[start], delimiter), problem))
            pos = start + 1
    return records


def _width_problem(line: int, fields: list[str], width: int, delimiter: str) -> str:
    if len(fields) == width:
        return ""
    name = DELIMITERS.get(delimiter, repr(delimiter))
    if len(fields) > width:
        return (f"line {line}: {len(fields)} fields where the header has {width}: a stray {name}; "
                f"an answer that contains a {name} must be in double quotes")
    return f"line {line}: {len(fields)} field{'s' if len(fields) != 1 else ''} where the header has {width}"


def read_table(raw: bytes, required: Iterable[str] = ("student", "question", "answer"),
               row_keys: Iterable[str] = (), encoding: str | None = None,
               delimiter: str | None = None) -> Table:
    """Decode and split a submissions file. ``row_keys`` are values (question ids) that mark a row.

    Raises :class:`CsvRefused` when the file cannot be decoded or has no header.
    """
    required = tuple(required)
    text, used = decode(raw, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _lines(text)
    index = 0
    notes: list[str] = []
    hint = re.fullmatch(r"sep=(.)\r?\n?", lines[0]) if lines else None
    if hint and delimiter is None:
        delimiter = hint.group(1)
        notes.append(f"line 1 names the delimiter ({DELIMITERS.get(delimiter, repr(delimiter))})")
        index = 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        raise CsvRefused("the file is empty: it needs a header line with the columns " + ",".join(required))
    delimiter = delimiter or detect_delimiter(lines[index], required)
    try:
        header = next(csv.reader([lines[index]], delimiter=delimiter, strict=True))
    except csv.Error as err:
        raise CsvRefused(f"line {index + 1}: the header cannot be read ({err})") from None
    header = [h.strip().lower() for h in header]
    records = split_records(lines, delimiter, index + 1, len(header), set(row_keys))
    return Table(header, records, used, delimiter, index + 1, notes)
