"""What the book's pages show, worked out from the model and the clinical numbers, so templates stay dumb."""
