"""Load test of `POST /api/ask`: N concurrent clients for D seconds, on loopback only.

    python scripts/loadtest.py                      # starts its own server (rate limit raised), 20 clients, 60 s
    python scripts/loadtest.py --clients 20 --duration 30
    python scripts/loadtest.py --url http://127.0.0.1:7860   # an already running server (its rate limit applies)
    python scripts/loadtest.py --unique             # each request a question not asked before in the run

The shipped mix asks 8 questions in turn, as a region's site is asked the same things again: after the
first round their query vectors are cached (assistant/retrieval/query_cache.py). `--unique` asks the
eval sets' questions (evals/qa.jsonl, paraphrases.jsonl, heldout.jsonl), then each again after an
opening ("Bonjour, ..."), so that every request is embedded and the cache cannot flatter the figures.

Prints errors, latency percentiles, throughput, the machine it ran on and its load average, and (for a
server it started) the server's CPU time per answer: user + system of its process over the run, divided
by the answers. That figure hardly moves with the machine's load, unlike the rates: 2 cores give 2,000 ms
of CPU a second, so 10 ms an answer is 200 answers/s at most. A benchmark, not a test.
"""

import argparse
import asyncio
import ipaddress
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from evals.machine import describe, machine

PROJECT = Path(__file__).resolve().parent.parent
MAX_CLIENTS, MAX_DURATION_S = 100, 300
QUESTIONS = [
    "Quel est le budget du dispositif Start-up Industrie de demain ?",
    "Le Pass Occitanie est-il encore ouvert ?",
    "Qui contacter pour un projet innovant ?",
    "What is the Occitanie AI plan?",
    "Qu'est-ce que READYNOV ?",
    "Quels sont les prêts de la Région avec Bpifrance ?",
    "Qu'est-ce que le statut de jeune entreprise innovante ?",
    "Que fait ANITI à Toulouse ?",
]


EVAL_SETS = ("evals/qa.jsonl", "evals/paraphrases.jsonl", "evals/heldout.jsonl")
OPENINGS = ("", "Bonjour, ", "Question : ", "Merci de me dire : ", "Une question : ", "Svp, ", "Dites-moi : ")


def unique_questions():
    """Questions never repeated in a run (an opening before each of the eval sets' questions; past
    them all, a number after), each a real question of the corpus's kinds."""
    seen, base = set(), []
    for name in EVAL_SETS:
        for line in (PROJECT / name).read_text(encoding="utf-8").splitlines():
            question = json.loads(line).get("question", "").strip() if line.strip() else ""
            if question and question not in seen:
                seen.add(question)
                base.append(question)
    for opening in OPENINGS:
        for question in base:
            yield f"{opening}{question[:1].lower() if opening else question[:1]}{question[1:]}"
    for n in itertools.count(2):
        for question in base:
            yield f"{question} ({n})"


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all its threads) so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASSISTANT_HOST": "127.0.0.1", "ASSISTANT_PORT": str(port),
           "ASSISTANT_RATE_LIMIT_PER_MINUTE": "1000000", "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # the first start may build the index
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("the server did not start within 300 s")


async def run(url: str, clients: int, duration_s: float, unique: bool = False) -> dict:
    latencies: list[float] = []
    server_ms: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + duration_s
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    fresh = unique_questions()  # one event loop: clients take from it in turn

    async def client(worker: int, http: httpx.AsyncClient) -> None:
        turn = worker
        while time.monotonic() < deadline:
            question = next(fresh) if unique else QUESTIONS[turn % len(QUESTIONS)]
            turn += 1
            started = time.perf_counter()
            try:
                response = await http.post(f"{url}/api/ask", json={"question": question, "history": []})
                elapsed = time.perf_counter() - started
                body = response.json() if response.status_code == 200 else {}
                if body.get("answer") and body.get("question") == question:
                    latencies.append(elapsed)
                    server_ms.append(body.get("latency_ms", 0.0))
                elif body:  # an answer to another client's question would be a concurrency bug
                    errors["mismatched answer"] = errors.get("mismatched answer", 0) + 1
                else:
                    errors[f"HTTP {response.status_code}"] = errors.get(f"HTTP {response.status_code}", 0) + 1
            except httpx.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(client(w, http) for w in range(clients)))
    wall = time.perf_counter() - started
    return {"latencies": latencies, "server_ms": server_ms, "errors": errors, "wall": wall}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server on loopback (default: start one)")
    parser.add_argument("--clients", type=int, default=20, help=f"concurrent clients (1-{MAX_CLIENTS})")
    parser.add_argument("--duration", type=float, default=60, help=f"seconds (1-{MAX_DURATION_S})")
    parser.add_argument("--unique", action="store_true", help="each request a distinct question (no cached query vector)")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--clients must be 1-{MAX_CLIENTS} and --duration 1-{MAX_DURATION_S} s")
    if args.url and not loopback(args.url):
        parser.error("--url must be a loopback address (127.0.0.0/8, ::1 or localhost)")

    process, url = (None, args.url.rstrip("/")) if args.url else start_server()
    try:
        health = httpx.get(f"{url}/api/health", timeout=10).json()
        httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[0]}, timeout=120)  # warm-up, not counted
        load_before = os.getloadavg()
        server_cpu = cpu_seconds(process.pid) if process else None
        client_cpu = time.process_time()
        result = asyncio.run(run(url, args.clients, args.duration, args.unique))
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu_seconds(process.pid) - server_cpu if process else None
        load = os.getloadavg()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)

    ok, errors = result["latencies"], result["errors"]
    print(f"machine     {describe(machine())} · load average (1 min) {load_before[0]:.1f} before, "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end")
    print(f"server      {url} · {health['chunks']} chunks · {health['embedding_model']} · {health['answerer']}"
          f" · version {health['version']}{' (started by this script)' if process else ''}")
    mix = "each question distinct (--unique)" if args.unique else f"{len(QUESTIONS)} questions in turn"
    print(f"load        {args.clients} clients × {args.duration:.0f} s, POST /api/ask, {mix}")
    print(f"requests    {len(ok)} answered, {sum(errors.values())} errors {errors or ''}")
    if ok:
        print(f"latency     p50 {percentile(ok, 0.5) * 1000:.0f} ms · p95 {percentile(ok, 0.95) * 1000:.0f} ms"
              f" · max {max(ok) * 1000:.0f} ms (client side, including queueing)")
        print(f"server      answer time p50 {statistics.median(result['server_ms']):.0f} ms (Answer.latency_ms)")
        print(f"throughput  {len(ok) / result['wall']:.1f} answers/s")
        cpu = f"server {server_cpu * 1000 / len(ok):.1f} ms, " if server_cpu is not None else ""
        print(f"cpu         {cpu}this client {client_cpu * 1000 / len(ok):.1f} ms per answer (user + system)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
