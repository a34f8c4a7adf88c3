"""The HTTP API: FastAPI routes (one module per route group under `routes/`) and request/response schemas
(`schemas/`) over `mamori.ops` and the `Mamori` service. Build an app with `mamori.api.app.create_app(svc)`."""
