"""Billing: customers who pay, the double-entry ledger, invoices and credit notes with EN 16931 VAT."""
