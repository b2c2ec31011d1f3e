"""Reports: what a completed session contributes to usage figures, and the local calendar reports are read in."""

from domain.reports.calendar import Grain, ReportWindow, bucket_start, day_pieces, local_midnight, offset_intervals
from domain.reports.facts import SessionFact, SessionRevenue, fact_of, usage_times

__all__ = [
    "Grain",
    "ReportWindow",
    "SessionFact",
    "SessionRevenue",
    "bucket_start",
    "day_pieces",
    "fact_of",
    "local_midnight",
    "offset_intervals",
    "usage_times",
]
