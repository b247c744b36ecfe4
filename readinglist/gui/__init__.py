"""The desktop app: everything that imports Qt lives under this package."""
