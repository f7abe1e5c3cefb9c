"""Every error of the web layer as `{"detail": "<French message>"}`, never a stack trace."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from assistant.web.api import INTERNAL_ERROR

log = logging.getLogger("assistant.web")

STATUS_MESSAGES = {
    400: "Requête invalide.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
}

FIELD_NAMES = {"question": "la question", "history": "l'historique", "rating": "la note", "citations": "les citations"}


def validation_message(errors: list[dict]) -> str:
    """One French sentence for the first error FastAPI found (the most useful one to fix first)."""
    if not errors:
        return STATUS_MESSAGES[400]
    error = errors[0]
    kind = error.get("type", "")
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    field = location[0] if location else ""
    limit = (error.get("ctx") or {}).get("max_length")
    if kind == "json_invalid":
        return "Le corps de la requête n'est pas un JSON valide."
    if field == "question" and kind == "string_too_long":
        return f"La question est trop longue : {limit} caractères au maximum. Reformulez-la plus brièvement."
    if field == "question" and kind in ("string_too_short", "missing"):
        return "La question est vide : posez une question sur les dispositifs d'innovation de la Région."
    if field == "history" and kind == "too_long":
        return (
            f"L'historique de la conversation est trop long : {limit} messages au maximum. "
            "Commencez une nouvelle conversation."
        )
    if field == "history" and len(location) > 2 and location[2] == "role":
        return "Chaque message de l'historique a le rôle « user » ou « assistant »."
    if field == "rating":
        return "La note est « up » ou « down »."
    if kind == "missing":
        return f"Champ obligatoire manquant : « {'.'.join(location)} »."
    if kind == "string_too_long":
        return f"Le champ « {'.'.join(location)} » est trop long : {limit} caractères au maximum."
    if kind == "too_long":
        return f"Le champ « {'.'.join(location)} » a trop d'éléments : {limit} au maximum."
    name = FIELD_NAMES.get(field, f"« {'.'.join(location) or 'corps'} »")
    return f"Requête invalide : {name} n'a pas le bon format."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(list(error.errors()))}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) and error.status_code not in STATUS_MESSAGES else None
        detail = detail or STATUS_MESSAGES.get(error.status_code, "Erreur.")
        return JSONResponse({"detail": detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)
