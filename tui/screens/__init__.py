"""The screens of the terminal UI, one module each (imported lazily, when first shown)."""
