"""One picture toolkit: colour maps, tiles and mosaics, PNG encoding."""
