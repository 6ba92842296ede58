"""Looking inside a trained model: layers and feature maps, attribution (Captum), heatmaps,
the randomisation sanity check, the pixel-space model wrapper."""
