"""Route groups; `ROUTERS` is the one list the app mounts."""

from mamori.api.routes import generations, health, keys, ledger, registry, reviews, screen

ROUTERS = (
    health.router,
    keys.router,
    registry.router,
    screen.router,
    generations.router,
    reviews.router,
    ledger.router,
)
