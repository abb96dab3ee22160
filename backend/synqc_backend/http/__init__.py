"""The HTTP edge: the FastAPI app, its dependencies and middleware, the routes, the server and
the console."""
