"""Request and response schemas, one module per route group. Requests are strict: wrong types are rejected,
never coerced, and unknown fields are errors."""
