"""The code behind every view: pure functions that write a short, self-contained Python script
(torch / Captum / numpy / scikit-learn / PIL / safetensors only, never `explorer`) reproducing
what a page shows with its current settings. One small module per view; explorer/ui/code_panel.py
shows them. Each script prints the numbers a test compares with the page's (tests/test_codegen.py).
"""
