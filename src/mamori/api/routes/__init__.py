"""Route groups; `ROUTERS` is the one list the app mounts."""

from mamori.api.routes import generations, health, keys, ledger, media_matches, registry, reviews, screen

# Matched in this order: the busiest routes (health checks, screening) first.
ROUTERS = (
    health.router,
    screen.router,
    keys.router,
    registry.router,
    generations.router,
    reviews.router,
    media_matches.router,
    ledger.router,
)
