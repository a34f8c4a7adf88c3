"""mamori (守り): the rights gate for generative image and video."""

__version__ = "0.1.0"

__all__ = ["Blocked", "Guard", "__version__"]


def __getattr__(name: str) -> object:
    # Lazy, so `import mamori` stays light: the SDK pulls in the service only when used.
    if name in ("Guard", "Blocked"):
        from mamori import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'mamori' has no attribute {name!r}")
