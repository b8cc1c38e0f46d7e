"""Streamlit dashboard over the published warehouse (read-only): `make dashboard`."""
