"""Structured logs: one JSON object per line (or plain text for a terminal), extras included."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import msgspec

# uvicorn adds an ANSI-coloured copy of each message; JSON readers want the plain one only.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}
_ENCODER = msgspec.json.Encoder(enc_hook=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per record. A busy server writes one per request, so the line is built cheaply: the
    timestamp's seconds are formatted once per second, and msgspec encodes the object (anything it does not
    know, such as an exception or a path, as its ``str``)."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and k[0] != "_"})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry).decode()

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._second_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._second_text}.{int((created - second) * 1000):03d}+00:00"


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # No record needs the caller's file and line, its thread or its process (neither format shows them);
    # without these, logging skips a walk up the stack and three lookups on every record (the logging
    # HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "websockets"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("websockets").setLevel("WARNING")
    # Alembic logs its plugins and each step at INFO; `charge migrate` says what it did in one line.
    logging.getLogger("alembic").setLevel("WARNING")
    logging.getLogger("factur-x").setLevel("WARNING")     # an INFO line per invoice document made
