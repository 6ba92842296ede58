"""Datasets and what people bring: Sign Language Digits, the bundled digits, user zips, safe
image decoding, sample pictures, downloads."""
