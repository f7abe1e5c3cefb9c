"""`python app.py`: the chat at `/`, the JSON API under `/api`, the widget at `/widget.js`, on one port."""

import logging

import uvicorn

from assistant.settings import get_settings
from assistant.web import create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    app = create_app(settings)
    logging.getLogger("assistant").info(
        "Assistant Innovation Occitanie: http://%s:%s/ (API docs at /docs)", settings.host, settings.port
    )
    uvicorn.run(app, host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
