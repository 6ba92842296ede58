"""Saved models in the shared data folder: the registry, each model's card, who owns it, atomic
writes and the inter-process lock they take."""
