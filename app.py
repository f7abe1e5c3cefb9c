"""`python app.py`: the chat at `/`, the JSON API under `/api`, the widget at `/widget.js`, on one port."""

import uvicorn

from assistant.settings import get_settings
from assistant.web import create_app


def main() -> None:
    settings = get_settings()
    app = create_app(settings)
    print(f"Assistant Innovation Occitanie: http://{settings.host}:{settings.port}/ (API docs at /docs)")
    uvicorn.run(app, host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
