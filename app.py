"""`python app.py`: the chat at `/`, the JSON API under `/api`, the widget at `/widget.js`, on one port
(and the console at `/admin`, on ASSISTANT_ADMIN_PORT when it is set)."""

import logging

from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from assistant.settings import UnknownName, get_settings, settings_problem


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = get_settings()
    except (ValidationError, SettingsError) as error:
        raise SystemExit(f"Invalid setting: {settings_problem(error)}") from None
    from assistant.server import (  # Gradio takes seconds to import: settings first
        AnnouncingServer,
        create_app,
        listening_sockets,
        server_config,
    )

    try:
        app = create_app(settings)
    except UnknownName as error:
        raise SystemExit(f"Invalid setting: {error}") from None
    logging.getLogger("assistant").info("Assistant Innovation Occitanie: starting (the URLs follow once it listens)")
    AnnouncingServer(server_config(app, settings), settings).run(sockets=listening_sockets(settings))


if __name__ == "__main__":
    main()
