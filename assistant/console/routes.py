"""The region's console: the page at `/admin` and its JSON endpoints under `/admin/api/`.

Off (404 everywhere under /admin) unless `ASSISTANT_ADMIN_TOKEN` is set. Every endpoint but login
needs a session (cookie + CSRF header on changes) or the token as a bearer (assistant/console/auth.py).
The page is static HTML and one script (assistant/static/admin.*), which shows everything that comes
from a document or a user as text. A logged question opens with what it was answered then; marked
wrong, it joins the console's own evaluation set (`set=reviews`).
"""

import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field

from assistant.assistant import Assistant
from assistant.console import gaps
from assistant.console.auth import PREFIX, AdminAuth, console_token
from assistant.console.evals import (
    REVIEW_SET,
    EvalRuns,
    check_set,
    compared,
    interrupt_abandoned_runs,
    load_set,
    review_set_csv,
    shipped_set,
    template_csv,
)
from assistant.console.reindex import Reindexer
from assistant.ingest import corpus_files
from assistant.ingest.reading_worker import corpus_reader
from assistant.retrieval.embeddings import load_embeddings
from assistant.settings import Settings
from assistant.web.errors import request_language
from assistant.wording import message, words

log = logging.getLogger("assistant.web")

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE_FILES = {"admin.js": "text/javascript", "admin.css": "text/css"}
GAP_QUESTIONS = 2000  # newest abstained and thumbs-down questions grouped: 4 s the first time, 0.6 s after (gaps.py keeps vectors)
REFUSAL_STATUS = {"upload_exists": 409, "upload_too_large": 413, "document_missing": 404, "link_outside": 403,
                  "link_inside": 403}


class Login(BaseModel):
    token: str = Field(max_length=1000)


class Review(BaseModel):
    """An answer marked wrong: what it should have said (facts `|`-separated, ` / ` between variants)."""

    reference: str = Field(default="", max_length=5000)
    facts: str = Field(default="", max_length=5000)
    sources: str = Field(default="", max_length=5000)
    must_abstain: bool = False


class Dismissal(BaseModel):
    wordings: list[Annotated[str, Field(max_length=5000)]] = Field(min_length=1, max_length=GAP_QUESTIONS)


def admin_router(assistant: Assistant, settings: Settings) -> APIRouter:
    """The console's routes; `settings` are the app's (its token and limits), `assistant` the one serving."""
    token = console_token(settings)
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    if token is None:
        if settings.admin_token:
            log.warning("ASSISTANT_ADMIN_TOKEN is shorter than 16 characters: the console stays off.")

        @router.api_route("", methods=["GET", "POST", "PUT", "DELETE"])
        @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
        def off(path: str = "") -> None:
            raise HTTPException(status_code=404)

        router.reindexer = None
        return router

    auth = AdminAuth(token, settings)
    reindexer = Reindexer(assistant)
    corpus_dir = assistant.settings.corpus_dir
    reader = corpus_reader(settings.reader_memory_mb, settings.reader_timeout_s)  # uploads read in a worker process
    evals: list[EvalRuns] = []  # one, made on first use with the app's store

    def store(request: Request):
        """The app's store (StoreUnavailable, a French 503 in assistant/web/errors.py, while it is known down)."""
        return request.app.state.question_log.reachable_store()

    def eval_runs(request: Request) -> EvalRuns:
        if not evals:
            evals.append(EvalRuns(assistant, store(request)))
        return evals[0]

    def refused(error: corpus_files.Refused, request: Request) -> HTTPException:
        detail = error.message(request_language(request.headers))
        return HTTPException(status_code=REFUSAL_STATUS.get(error.key, 422), detail=detail)

    # --- the page and the session --------------------------------------------------------------

    @router.get("")
    @router.get("/")
    def page() -> FileResponse:
        return FileResponse(STATIC / "admin.html", media_type="text/html")

    @router.get("/static/{name}")
    def page_file(name: str) -> FileResponse:
        if name not in PAGE_FILES:
            raise HTTPException(status_code=404)
        return FileResponse(STATIC / name, media_type=PAGE_FILES[name])

    @router.post("/api/login")
    def login(body: Login, request: Request, response: Response) -> dict:
        auth.check_token(body.token, request)
        session = auth.open_session(request, response)
        prepare_gaps(request)
        return {"csrf": session.csrf}

    @router.get("/api/session")
    def session(request: Request) -> dict:
        current = auth.session(request)
        if current is None:
            raise HTTPException(status_code=401, detail=message(request_language(request.headers), "admin_login_required"))
        prepare_gaps(request)
        return {"csrf": current.csrf}

    @router.post("/api/logout", dependencies=[Depends(auth.require)])
    def logout(request: Request, response: Response) -> dict:
        auth.close_session(request, response)
        return {"detail": message(request_language(request.headers), "admin_logged_out")}

    # --- documents and re-indexing -------------------------------------------------------------

    @router.get("/api/documents", dependencies=[Depends(auth.require)])
    def documents(request: Request) -> dict:
        state = assistant.retriever.state
        language = request_language(request.headers)
        return {
            "documents": corpus_files.documents(state, corpus_dir),
            # "Ce que l'assistant a compris": each document's programme profiles (assistant/profiles/).
            "profiles": {source: [p.model_dump(mode="json") for p in state.profiles or [] if p.source == source]
                         for source in state.files},
            # How the page names a document's kind and status: the words the LLM prompt uses too.
            "labels": {**words(language, "document_kinds"), **words(language, "programme_status")},
            "faults": state.faults,
            "folders": corpus_files.folders(corpus_dir),
            "accepted": list(corpus_files.ACCEPTED),
            "max_upload_bytes": settings.max_upload_bytes,
            "index": {"documents": len(state.files), "chunks": len(state.chunks), "model": state.model},
            "reindex": reindexer.status(),
        }

    async def received(file: UploadFile) -> bytes:
        return await file.read(settings.max_upload_bytes + 1)  # one byte more tells a file that is too large

    @router.post("/api/documents", status_code=201, dependencies=[Depends(auth.require)])
    async def upload(request: Request, file: Annotated[UploadFile, File()], folder: Annotated[str, Form()] = "") -> dict:
        data = await received(file)
        try:
            source = await run_in_threadpool(corpus_files.save_upload, corpus_dir, file.filename or "", data,
                                             settings.max_upload_bytes, folder, None, reader)
        except corpus_files.Refused as error:
            raise refused(error, request) from error
        return {"source": source}

    @router.put("/api/documents/{source:path}", dependencies=[Depends(auth.require)])
    async def replace(source: str, request: Request, file: Annotated[UploadFile, File()]) -> dict:
        data = await received(file)
        try:
            await run_in_threadpool(corpus_files.save_upload, corpus_dir, file.filename or "", data,
                                    settings.max_upload_bytes, "", source, reader)
        except corpus_files.Refused as error:
            raise refused(error, request) from error
        return {"source": source}

    @router.delete("/api/documents/{source:path}", dependencies=[Depends(auth.require)])
    def remove(source: str, request: Request) -> dict:
        try:
            corpus_files.remove(corpus_dir, source)
        except corpus_files.Refused as error:
            raise refused(error, request) from error
        return {"source": source}

    @router.post("/api/reindex", status_code=202, dependencies=[Depends(auth.require)])
    def reindex(request: Request) -> dict:
        if not reindexer.start():
            raise HTTPException(status_code=409, detail=message(request_language(request.headers), "reindex_running"))
        return reindexer.status()

    @router.get("/api/reindex", dependencies=[Depends(auth.require)])
    def reindex_status() -> dict:
        return reindexer.status()

    # --- questions, gaps, exports --------------------------------------------------------------

    @router.get("/api/questions", dependencies=[Depends(auth.require)])
    def questions(request: Request, abstained: bool | None = None, rating: str | None = Query(None, pattern="^(up|down)$"),
                  since: str | None = None, until: str | None = None, source: str | None = None,
                  limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
                  before: int | None = Query(None, ge=1)) -> dict:
        filters = {"abstained": abstained, "rating": rating, "since": since or None, "until": until or None,
                   "source": source or None}
        try:
            rows = store(request).questions(**filters, limit=limit, offset=offset, before=before)
            total = store(request).count_questions(**filters)
        except ValueError as error:  # a date the store cannot read
            detail = message(request_language(request.headers), "bad_format", field="since/until")
            raise HTTPException(status_code=422, detail=detail) from error
        return {"total": total, "questions": rows}

    @router.get("/api/questions/{question_id}", dependencies=[Depends(auth.require)])
    def question_detail(question_id: int, request: Request) -> dict:
        found = store(request).question(question_id)
        if found is None:
            raise HTTPException(status_code=404)
        # What each intent asks, in words (the LLM prompt's own), for the page to say what was understood.
        return found | {"intents": words(request_language(request.headers), "intents")}

    @router.post("/api/questions/{question_id}/review", status_code=201, dependencies=[Depends(auth.require)])
    def review(question_id: int, body: Review, request: Request) -> dict:
        """Mark a logged answer wrong: it joins the console's evaluation set with what was expected."""
        found = store(request).question(question_id)
        if found is None:
            raise HTTPException(status_code=404)
        if not (body.facts.strip() or body.sources.strip() or body.must_abstain):
            raise HTTPException(status_code=422, detail=message(request_language(request.headers), "review_unscorable"))
        review_id = store(request).add_review(found["question"], body.reference.strip(), body.facts.strip(),
                                              body.sources.strip(), body.must_abstain, question_id)
        return {"id": review_id, "reviews": len(store(request).reviews())}

    @router.get("/api/reviews", dependencies=[Depends(auth.require)])
    def reviews(request: Request) -> dict:
        return {"reviews": store(request).reviews()}

    @router.delete("/api/reviews/{review_id}", dependencies=[Depends(auth.require)])
    def remove_review(review_id: int, request: Request) -> dict:
        if not store(request).remove_review(review_id):
            raise HTTPException(status_code=404)
        return {"id": review_id}

    def gap_questions(log_store) -> list[dict]:
        unanswered = {r["id"]: r for r in log_store.questions(abstained=True, limit=GAP_QUESTIONS)}
        unanswered |= {r["id"]: r for r in log_store.questions(rating="down", limit=GAP_QUESTIONS)}
        return list(unanswered.values())

    def prepare_gaps(request: Request) -> None:
        """Opening the console embeds the questions of "Ce qui manque" in the background (gaps.prepare)."""
        log_store = store(request)
        gaps.prepare(lambda: gap_questions(log_store), load_embeddings(assistant.retriever.state.model, settings))

    @router.get("/api/gaps", dependencies=[Depends(auth.require)])
    def gap_list(request: Request) -> dict:
        log_store = store(request)
        unanswered = gap_questions(log_store)
        dismissed = log_store.dismissed_gaps()
        kept = [r for r in unanswered if gaps.normal(r["question"]) not in dismissed]
        state = assistant.retriever.state
        embeddings = load_embeddings(state.model, settings)
        far = gaps.far_from_corpus(kept, assistant.retriever.store.vectors(), embeddings)
        groups = gaps.page_groups([r for r, out in zip(kept, far) if not out], embeddings)
        outside = gaps.group_gaps([r for r, out in zip(kept, far) if out], embeddings)
        titles = {c.source: c.title for c in state.chunks}
        most, never = gaps.citation_counts(*log_store.citation_counts(), titles)
        return {"groups": [vars(g) for g in groups], "out_of_scope": [vars(g) for g in outside],
                "most_cited": most[:20], "never_cited": never, "questions": len(unanswered),
                "dismissed": len(unanswered) - len(kept)}

    @router.post("/api/gaps/dismiss", dependencies=[Depends(auth.require)])
    def dismiss_gap(body: Dismissal, request: Request) -> dict:
        """Dismiss a group of "Ce qui manque" (its wordings): remembered, for every operator."""
        return {"dismissed": store(request).dismiss_gaps(gaps.normal(w) for w in body.wordings)}

    @router.delete("/api/gaps/dismissed", dependencies=[Depends(auth.require)])
    def restore_gaps(request: Request) -> dict:
        return {"restored": store(request).restore_gaps()}

    def csv_download(pieces: Iterator[bytes], name: str) -> StreamingResponse:
        """Streamed as the store reads it; the first piece is read here, so that a store that fails
        answers an error status instead of a truncated file."""
        first = next(pieces)
        return StreamingResponse(chain([first], pieces), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/api/exports/questions.csv", dependencies=[Depends(auth.require)])
    def export_questions(request: Request) -> StreamingResponse:
        return csv_download(store(request).questions_csv(), "questions.csv")

    @router.get("/api/exports/feedback.csv", dependencies=[Depends(auth.require)])
    def export_feedback(request: Request) -> StreamingResponse:
        return csv_download(store(request).feedback_csv(), "feedback.csv")

    @router.get("/api/exports/reviews.csv", dependencies=[Depends(auth.require)])
    def export_reviews(request: Request) -> Response:
        return csv_download(iter([review_set_csv(store(request).reviews())]), REVIEW_SET)

    @router.get("/api/exports/eval-template.csv", dependencies=[Depends(auth.require)])
    def export_template() -> Response:
        return csv_download(iter([template_csv()]), "modele-jeu-evaluation.csv")

    # --- evaluations ---------------------------------------------------------------------------

    @router.get("/api/evals", dependencies=[Depends(auth.require)])
    def eval_list(request: Request) -> dict:
        interrupt_abandoned_runs(store(request))  # a run whose heartbeat stopped (its server did) is no longer "running"
        return {"runs": store(request).eval_runs(), "running": eval_runs(request).progress()}

    @router.get("/api/evals/{run_id}", dependencies=[Depends(auth.require)])
    def eval_detail(run_id: int, request: Request) -> dict:
        log_store = store(request)
        run = log_store.eval_run(run_id)
        if run is None:
            raise HTTPException(status_code=404)
        return compared(run, log_store.eval_runs(), log_store.eval_run)

    @router.post("/api/evals", status_code=202, dependencies=[Depends(auth.require)])
    async def eval_start(request: Request, file: Annotated[UploadFile | None, File()] = None,
                         which: Annotated[str, Form(alias="set", pattern="^(|shipped|reviews)$")] = "") -> dict:
        """Run an uploaded set, the console's own (`set=reviews`: the answers marked wrong) or the shipped one."""
        language = request_language(request.headers)
        if which == "reviews":
            reviewed = store(request).reviews()
            if not reviewed:
                raise HTTPException(status_code=422, detail=message(language, "review_empty"))
            questions, name = await run_in_threadpool(load_set, review_set_csv(reviewed), REVIEW_SET), REVIEW_SET
        elif file is not None and file.filename:
            data = await received(file)
            if len(data) > settings.max_upload_bytes:
                raise HTTPException(status_code=413, detail=message(language, "upload_too_large", size=len(data),
                                                                    limit=settings.max_upload_bytes))
            name = Path(file.filename).name
            try:
                questions = await run_in_threadpool(load_set, data, name)
                check_set(questions, name, assistant.settings.max_question_chars, language)
            except ValueError as error:
                raise HTTPException(status_code=422, detail=message(language, "eval_bad_set", reason=str(error))) from error
        else:
            questions, name = await run_in_threadpool(shipped_set), "qa.jsonl"
        if not questions:
            raise HTTPException(status_code=422, detail=message(language, "eval_empty"))
        run_id = eval_runs(request).start(questions, name)
        if run_id is None:
            raise HTTPException(status_code=409, detail=message(language, "eval_running"))
        return {"id": run_id, "questions": len(questions)}

    @router.post("/api/evals/cancel", dependencies=[Depends(auth.require)])
    def eval_cancel(request: Request) -> dict:
        run_id = eval_runs(request).cancel()
        if run_id is None:
            raise HTTPException(status_code=409, detail=message(request_language(request.headers), "eval_none_running"))
        return {"id": run_id, "detail": message(request_language(request.headers), "eval_cancelling")}

    @router.api_route("/api/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    def unknown(path: str) -> None:
        raise HTTPException(status_code=404)

    router.reindexer = reindexer  # create_app keeps it in app.state, for tests and scripts that wait for a run
    return router
