"""The only part of explorer that imports Streamlit: widgets, pickers, caches, links, lessons.

Importing it changes nothing in Streamlit: the repairs of Streamlit internals live in
streamlit_fixes.py and are installed explicitly by app.py and every page.
"""
