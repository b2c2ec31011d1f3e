"""Charge's pure model: money, identity, tariffs, sessions. Imports attrs and the standard library only."""
