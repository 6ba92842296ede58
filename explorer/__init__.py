"""CNN Explorer: the library behind the app (plain Python; no Streamlit outside explorer/ui)."""
