"""Structured logs: one JSON object per line, with extras and without uvicorn's ANSI copy."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import PurePosixPath

from entrypoints.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extras():
    record = logging.makeLogRecord({"name": "charge.test", "levelname": "INFO", "msg": "hello %s", "args": ("ada",),
                                    "port": 8000, "color_message": "\x1b[36mhello\x1b[0m"})
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["msg"], entry["level"], entry["port"]) == ("hello ada", "info", 8000)
    assert "color_message" not in entry


def test_the_timestamp_is_the_records_own_time_in_utc_to_the_millisecond():
    formatter = JsonFormatter()
    for created in (1_780_000_000.0, 1_780_000_000.9996, 1_780_000_001.25, 1_780_000_000.5):  # seconds repeat
        record = logging.makeLogRecord({"msg": "x", "created": created})
        stamp = json.loads(formatter.format(record))["ts"]
        expected = datetime.fromtimestamp(created, UTC)
        assert stamp == expected.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expected.microsecond // 1000:03d}+00:00"


def test_values_json_does_not_know_are_written_as_text_and_an_exception_with_its_traceback():
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info(),
                                        "path": PurePosixPath("/srv/charge"), "amount": Decimal("1.10")})
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["path"], entry["amount"]) == ("/srv/charge", "1.10")
    assert entry["exc"].startswith("Traceback") and entry["exc"].endswith("ValueError: bad")
