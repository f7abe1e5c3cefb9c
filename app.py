"""`python app.py`: the chat at `/`, the JSON API under `/api`, the widget at `/widget.js`, on one port."""

import logging

import uvicorn
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from assistant.settings import UnknownName, get_settings, settings_problem


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = get_settings()
    except (ValidationError, SettingsError) as error:
        raise SystemExit(f"Invalid setting: {settings_problem(error)}") from None
    from assistant.server import create_app, server_config  # Gradio takes seconds to import: settings first

    try:
        app = create_app(settings)
    except UnknownName as error:
        raise SystemExit(f"Invalid setting: {error}") from None
    logging.getLogger("assistant").info(
        "Assistant Innovation Occitanie: http://%s:%s/ (API docs at /docs)", settings.host, settings.port
    )
    uvicorn.Server(server_config(app, settings)).run()


if __name__ == "__main__":
    main()
