"""Foundations every other part of the core may use: errors as values, credentials hidden from
text (`redact`), where the app keeps its files (`paths`), writing a user's file safely
(`safe_write`), the spreadsheet formula guard (`csv_guard`) and API keys in the keyring (`keys`).

May import: nothing of the app outside this package.
"""
