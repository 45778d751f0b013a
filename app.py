"""Piazza: `python app.py` serves the live wall and console (on an empty database, the demo)."""

from coverage import create_app
from coverage.server import serve

app = create_app()

if __name__ == "__main__":
    serve(app)
