"""What leaves the app for a reader: CSV exports of votes and tallies (`export`,
`export_sources`) and the self-contained HTML report (`report`, `report_html`, `report_svg`).

May import: base, contenders, store, stats, judge, team. The numbers themselves are `stats`'s.
"""
