"""The driver portal: how a driver gets in (portal tokens, magic links) and what they may dispute."""

from domain.portal.access import MagicLink, PortalToken, PortalTokenSource
from domain.portal.disputes import (
    Dispute,
    DisputeComment,
    DisputeOutcome,
    DisputeSource,
    DisputeStatus,
    Settlement,
    SettlementStatus,
)

__all__ = ["Dispute", "DisputeComment", "DisputeOutcome", "DisputeSource", "DisputeStatus", "MagicLink",
           "PortalToken", "PortalTokenSource", "Settlement", "SettlementStatus"]
