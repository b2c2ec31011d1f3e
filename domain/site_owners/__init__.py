"""Site owners (issue 13): the partners who host charge points, their onboarding, their projects (groups of
locations with a revenue share) and the monthly statements that pay them their share."""

from domain.site_owners.access import SiteOwnerInvitation, SiteOwnerToken
from domain.site_owners.owners import OnboardingStage, PayoutDetails, SiteOwner, SiteOwnerProfile, SiteOwnerStatus
from domain.site_owners.projects import Project, ShareBasis
from domain.site_owners.statements import Statement, StatementAdjustment, StatementSession, compute_statement

__all__ = ["OnboardingStage", "PayoutDetails", "Project", "ShareBasis", "SiteOwner", "SiteOwnerInvitation",
           "SiteOwnerProfile", "SiteOwnerStatus", "SiteOwnerToken", "Statement", "StatementAdjustment",
           "StatementSession", "compute_statement"]
