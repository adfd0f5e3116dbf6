"""Streamlit helpers shared by the pages: URL-bound widgets, page frame, live training panel."""
