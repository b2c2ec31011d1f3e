"""Structured logs: one JSON object per line, with extras and without uvicorn's ANSI copy."""

from __future__ import annotations

import json
import logging

from entrypoints.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extras():
    record = logging.makeLogRecord({"name": "charge.test", "levelname": "INFO", "msg": "hello %s", "args": ("ada",),
                                    "port": 8000, "color_message": "\x1b[36mhello\x1b[0m"})
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["msg"], entry["level"], entry["port"]) == ("hello ada", "info", 8000)
    assert "color_message" not in entry
