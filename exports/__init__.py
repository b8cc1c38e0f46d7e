"""Inspection exports and the written analysis report (`bianzhi export`, `bianzhi report`).

Why a package of its own: both commands only *read* the published marts (plus, for the roster
sheet, the raw roster's identity numbers) and never take part in a nightly run. The one write
they make — a row in `audit.export_log` — goes through the same write-audit-publish path as a
run, so the published file still only ever changes by atomic replacement.
"""
