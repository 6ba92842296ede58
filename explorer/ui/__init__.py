"""The only part of explorer that imports Streamlit: shared widgets and cached loaders."""
