"""mamori (守り): the rights gate for generative image and video."""

__version__ = "0.1.0"
