#!/usr/bin/env python3
"""Throughput and latency of Structure.dashboard against {__typename}, on the release binary.

    cargo build --release
    python3 tests/load/dashboard_throughput.py target/release/am-planner [--seconds 10] [--clients 8]

Starts the binary on a new SQLite file with the demo data (a free port on 127.0.0.1), creates
as admin, through the GraphQL mutations, a 50-GP SISA (two years of figures each, most with a
running individual contract, a few assistants with assignments), then runs three phases of
`--seconds` each with `--clients` client processes, each on its own keep-alive connection:
`{ __typename }` and the demo MSP's dashboard on 2026-12-01 as the demo coordinator (whose
token costs one SQL statement per request: its scope), then the 50-GP structure's as admin.
Prints one JSON line per phase (requests, errors, req/s, latency percentiles in ms, the server's
CPU per request from /proc, the client's CPU) and a summary; exits 1 when a request fails (HTTP
status other than 200, or GraphQL errors) or a target of the dashboard issue is missed: demo
dashboard >= 10 % of {__typename}'s req/s in the same run, 50-GP dashboard p99 < 50 ms.
The server is stopped and its files removed whatever happens. Linux only; loopback only; every
loop is bounded (by time and by MAX_REQUESTS).
"""

import argparse
import http.client
import json
import math
import multiprocessing
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ADMIN = "demo-admin-token-0000000000"
COORDINATOR = "demo-coordinator-tilleuls-0000"
DEMO_FINESS = "330042177"
AS_OF = "2026-12-01"
MEMBERS = 50
TARGET_RATIO, TARGET_P99_MS = 0.10, 50.0
MAX_REQUESTS = 1_000_000  # per client and phase, on top of the time bound

# What a coordinator's screen shows: every section, each verdict with its confidence, caveats
# and the explanation's rule outcomes.
ASSESS = """verdict confidence amountsConfidence objectivesConfidence caveats { key confidence reference }
  failingRules undecidedRules missingInputs explanation { formatVersion verdict confidence rules { rule outcome } }"""
OBJECTIVES = "objectives { dueBy targets { indicator kind baseline target actual rate } }"
CONTRACT = f"""contractId label option fundedEtp signedOn status contractYear yearStartsOn maximum payable
  achievementRate {OBJECTIVES} {ASSESS}"""
DASHBOARD = f"""query($id: ID!, $asOf: Date!) {{ structure(id: $id) {{ name dashboard(asOf: $asOf) {{
  asOf
  thisYear {{ maximum payable payableUnknown }}
  standing {{
    structure {{ {ASSESS} }}
    collective {{ {ASSESS} adhering leftOut {{ practitionerId name rules reason }} meanPmt etpCap fundedEtp }}
  }}
  members {{
    practitionerId name specialty partner collectiveContractId
    contracts {{ {CONTRACT} }}
    offer {{ option reason considered {{ option verdict }} {ASSESS} }}
  }}
  collectiveContracts {{ {CONTRACT} }}
  assistants {{
    assistantId name contractualEtp assignedEtp fundedEtp fundedBy {{ contractId etp }} qualificationDeadline {ASSESS}
  }}
  teamObjectives {{
    indicators {{ indicator baseline target actual rate shares {{ practitionerId name contractId baseline target actual share }} }}
    collective {{ contractId {OBJECTIVES} }}
  }}
  forecast {{
    from until totalMaximum totalPayable byCalendarYear {{ year amount }}
    contracts {{ contractId label years {{ contractYear startsOn endsOn maximum payable assumesObjectivesMet }}
      payments {{ on contractYear amount }} }}
  }}
  deadlines {{ on kind contractId assistantId practitionerId detail }}
}} }} }}"""


def readme_dashboard():
    """The README's dashboard query ("The structure dashboard"), for one structure by id: what
    the product documents a coordinator opens every month."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md"), encoding="utf-8").read()
    block = next(b.split("```")[0] for b in readme.split("```graphql")[1:] if "dashboard(asOf" in b)
    head = block.index("dashboard(asOf")
    start = block.index("{", head)
    depth, end = 0, start
    for end in range(start, len(block)):
        depth += {"{": 1, "}": -1}.get(block[end], 0)
        if depth == 0:
            break
    selection = block[start : end + 1]
    return "query($id: ID!, $asOf: Date!) { structure(id: $id) { name dashboard(asOf: $asOf) %s } }" % selection


README_DASHBOARD = readme_dashboard()


class Client:
    """One keep-alive HTTP/1.1 connection to the server's /graphql."""

    def __init__(self, port, token):
        self.port, self.token, self.conn, self.last_bytes = port, token, None, 0

    def post(self, body):
        """Sends an encoded request; returns (status, body). After a broken connection the next
        call opens a new one."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        try:
            self.conn.request("POST", "/graphql", body, headers)
            r = self.conn.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def call(self, query, variables=None):
        """A request whose answer must be data: fails loudly otherwise (set-up and checks)."""
        status, raw = self.post(json.dumps({"query": query, "variables": variables or {}}).encode())
        self.last_bytes = len(raw)
        answer = json.loads(raw)
        if status != 200 or answer.get("errors"):
            raise SystemExit(f"request failed ({status}): {raw[:500]!r}\n{query[:200]}")
        return answer["data"]

    def mutate(self, field, payload, input):
        """`field(input:)`, e.g. createStructure with a CreateStructureInput; refused input fails."""
        kind = field[0].upper() + field[1:] + "Input"
        query = f"mutation($i: {kind}!) {{ m: {field}(input: $i) {{ {payload} userErrors {{ field code message }} }} }}"
        data = self.call(query, {"i": input})["m"]
        if data["userErrors"]:
            raise SystemExit(f"{field} refused {input}: {data['userErrors']}")
        return data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def luhn_key(digits):
    """The digit that makes `digits` + key pass the Luhn check (RPPS, FINESS)."""
    for key in "0123456789":
        total = 0
        for i, c in enumerate(reversed(digits + key)):
            d = int(c) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits + key
    raise AssertionError("unreachable")


def band(pmt):
    for limit, name in ((700, "BELOW_P30"), (1000, "P30_P50"), (1300, "P50_P70"), (1600, "P70_P90"), (1750, "P90_P95")):
        if pmt < limit:
            return name
    return "P95_PLUS"


OPTIONS = ("ONE_THIRD_ETP", "HALF_ETP", "ONE_ETP")


def create_sisa(admin):
    """A 50-GP SISA near Lyon: 45 partners; 40 running individual contracts signed from 2022 to
    2026 under the 2020, 2023 and 2024 regimes, 4 older ones terminated; 8 assistants of 35 h,
    each working 11 h 40 for three doctors. Returns the structure's id."""
    sid = admin.mutate("createStructure", "structure { id }", {
        "kind": "MSP", "legalForm": "SISA", "name": "MSP Confluence (50 médecins)",
        "finess": luhn_key("69000042"), "commune": "69123",
        "projetSanteValidatedOn": "2020-06-15", "sisaEmployerGroup": True,
    })["structure"]["id"]
    doctors = []
    for i in range(MEMBERS):
        sector2 = i % 6 == 5
        membership = {"structureId": sid, "partner": i % 10 != 9, "from": f"{2012 + i % 8}-0{1 + i % 9}-01"}
        doctor = {
            "rpps": luhn_key(f"105{i:07d}"), "firstName": f"Médecin{i}", "lastName": f"Généraliste{i}",
            "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_2" if sector2 else "SECTOR_1",
            "optam": "OPTAM" if sector2 and i % 12 != 11 else "NONE",
            "installedOn": f"{2000 + i % 12}-09-01", "birthYear": 1960 + i % 32,
        }
        if i % 10 != 3:  # most are recorded with their membership, the others added after
            doctor["membership"] = membership
        pid = admin.mutate("createPractitioner", "practitioner { id }", doctor)["practitioner"]["id"]
        if "membership" not in doctor:
            admin.mutate("addMember", "membership { id }", {**membership, "practitionerId": pid})
        for year, growth in ((2024, 0), (2025, 60 + i % 5 * 25)):
            pmt = 650 + (i * 97) % 1150 + growth
            admin.mutate("recordActivityFigures", "figures { year }", {
                "practitionerId": pid, "year": year, "pmt": pmt, "adultPmt": pmt * 9 // 10,
                "fileActive": pmt * 17 // 10, "band": band(pmt),
            })
        if i % 5 != 0:  # 40 running contracts
            admin.mutate("createAidContract", "contract { id }", {
                "kind": "INDIVIDUAL", "practitionerId": pid, "option": OPTIONS[i % 3],
                "signedOn": f"{2022 + i // 5 % 5}-{1 + (i * 5) % 9:02d}-01",
            })
        if i % 12 == 0:  # 4 older contracts, over
            admin.mutate("createAidContract", "contract { id }", {
                "kind": "INDIVIDUAL", "practitionerId": pid, "option": "HALF_ETP", "signedOn": "2020-10-01",
                "status": "TERMINATED", "endsOn": "2021-12-31",
            })
        doctors.append(pid)
    for k in range(8):
        hired = f"{2023 + k % 4}-{1 + 3 * (k % 4):02d}-15"
        team = doctors[1 + 5 * k: 4 + 5 * k]
        qualified = {"qualification": "CQP", "qualifiedOn": "2024-06-30"} if k % 2 else {}
        aid = admin.mutate("createAssistant", "assistant { id }", {
            "structureId": sid, "employerStructureId": sid, "firstName": f"Assistante{k}", "lastName": "Médicale",
            "hiredOn": hired, "weeklyHours": "35", "formerSecretary": k % 3 == 0, **qualified,
            "assignments": [{"practitionerId": p, "weeklyHours": "11h40", "from": hired} for p in team[:2]],
        })["assistant"]["id"]
        admin.mutate("createAssignment", "assignment { id }",
                     {"assistantId": aid, "practitionerId": team[2], "weeklyHours": "11h40", "from": hired})
    return sid


def server_cpu_ms(pid):
    """CPU time of every thread of the server so far (schedstat, in ns), in ms."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that ended meanwhile
    return total / 1e6


def percentile(sorted_ms, p):
    if not sorted_ms:
        return None
    return round(sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)], 2)


def client_loop(port, token, query, variables, body, seconds, check, barrier, out):
    """One client process: a checked warm-up request, then `body` on one keep-alive connection
    for `seconds`. Puts (latencies in ms, errors, first error, start, end, answer bytes, CPU s)."""
    client = Client(port, token)
    latencies, errors, first_error, size = [], 0, None, None
    start = end = None
    try:
        try:
            check(client.call(query, variables))
            size = client.last_bytes
        finally:
            barrier.wait()
        start = time.monotonic()
        stop = start + seconds
        while time.monotonic() < stop and len(latencies) < MAX_REQUESTS:
            t0 = time.perf_counter()
            try:
                status, raw = client.post(body)
                ok = status == 200 and raw.startswith(b'{"data":{') and b'"errors":' not in raw
                why = None if ok else f"{status}: {raw[:300]!r}"
            except (OSError, http.client.HTTPException) as e:
                why = repr(e)
            latencies.append((time.perf_counter() - t0) * 1000)
            if why:
                errors += 1
                first_error = first_error or why
        end = time.monotonic()
    except BaseException as e:  # noqa: BLE001 - reported as this client's failure
        errors, first_error = errors + 1, f"{e!r}"[:300]
    finally:
        client.close()
        out.put((latencies, errors, first_error, start, end, size, time.process_time()))


def phase(name, port, server_pid, token, query, variables, clients, seconds, check):
    """`clients` processes sending the request for `seconds` each; `check(data)` validates one
    fully parsed answer per client (its warm-up request). Later answers are checked without
    parsing them whole: status 200, a `data` object, and no `"errors":` anywhere in the body
    (which can only count an answer as failed that was not, never the other way round).
    Processes, not threads: with threads the interpreter's lock made the client, not the
    server, the limit of the cheapest phase (`{__typename}`), which flattered every ratio."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(clients + 1), ctx.Queue()
    args = (port, token, query, variables, body, seconds, check, barrier, out)
    workers = [ctx.Process(target=client_loop, args=args, daemon=True) for _ in range(clients)]
    for w in workers:
        w.start()
    barrier.wait(timeout=120)
    cpu0 = server_cpu_ms(server_pid)
    done = []
    for _ in workers:
        try:
            done.append(out.get(timeout=seconds + 60))
        except queue.Empty:
            break
    cpu1 = server_cpu_ms(server_pid)
    for w in workers:
        w.join(5)
        if w.is_alive():
            w.kill()
    latencies = sorted(x for r in done for x in r[0])
    errors = sum(r[1] for r in done) + (clients - len(done))
    starts = [r[3] for r in done if r[3] is not None]
    ends = [r[4] for r in done if r[4] is not None]
    wall = (max(ends) - min(starts)) if starts and ends else seconds
    n = len(latencies)
    return {
        "phase": name,
        "clients": clients,
        "requests": n,
        "errors": errors,
        "first_error": next((r[2] for r in done if r[2]), None),
        "req_per_s": round(n / wall, 1),
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "server_cpu_ms_per_request": round((cpu1 - cpu0) / n, 3) if n else None,
        "client_cpu_s": round(sum(r[6] for r in done), 1),
        "answer_bytes": max((r[5] for r in done if r[5] is not None), default=None),
    }


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(server, port):
    for _ in range(600):  # 30 s at most
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("the server did not answer /healthz within 30 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 64:
        parser.error("--seconds in (0, 600], --clients in [1, 64]")
    binary = os.path.abspath(args.binary)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up below when stopped, too

    workdir = tempfile.mkdtemp(prefix="amp-dashboard-load-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMP_")}
    env.update(
        AMP_SERVER__BIND=f"127.0.0.1:{port}",
        AMP_DATABASE__URL=f"sqlite://{workdir}/load.db?mode=rwc",
        AMP_LOG__FILTER="warn",
    )
    server = None
    admin, coordinator = Client(port, ADMIN), Client(port, COORDINATOR)
    try:
        server = subprocess.Popen([binary], env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(server, port)
        started = time.monotonic()
        sisa = create_sisa(admin)
        print(json.dumps({"setup": f"{MEMBERS}-GP SISA created through the API", "seconds": round(time.monotonic() - started, 1)}))
        mine = coordinator.call("{ structures(first: 10) { edges { node { id finess } } } }")["structures"]["edges"]
        demo = next(e["node"]["id"] for e in mine if e["node"]["finess"] == DEMO_FINESS)

        def members(expected):
            def check(data):
                found = len(data["structure"]["dashboard"]["members"])
                if found != expected:
                    raise SystemExit(f"the dashboard lists {found} members, {expected} expected")
            return check

        def typename(data):
            if data != {"__typename": "Query"}:
                raise SystemExit(f"unexpected answer {data}")

        phases = [
            ("{__typename}", COORDINATOR, "{ __typename }", {}, typename),
            ("demo MSP dashboard", COORDINATOR, README_DASHBOARD, {"id": demo, "asOf": AS_OF}, members(8)),
            (f"{MEMBERS}-GP dashboard", ADMIN, README_DASHBOARD, {"id": sisa, "asOf": AS_OF}, members(MEMBERS)),
            # Informative, no target: every section with every assessment's explanation.
            (f"{MEMBERS}-GP dashboard, every explanation", ADMIN, DASHBOARD, {"id": sisa, "asOf": AS_OF}, members(MEMBERS)),
        ]
        report = {}
        for name, token, query, variables, check in phases:
            r = phase(name, port, server.pid, token, query, variables, args.clients, args.seconds, check)
            report[name] = r
            print(json.dumps(r, ensure_ascii=False), flush=True)

        base, demo_r, large = report["{__typename}"], report["demo MSP dashboard"], report[f"{MEMBERS}-GP dashboard"]
        ratio = demo_r["req_per_s"] / base["req_per_s"] if base["req_per_s"] else 0.0
        misses = [f"{r['phase']}: {r['errors']} failed ({r['first_error']})" for r in report.values() if r["errors"]]
        if ratio < TARGET_RATIO:
            misses.append(f"demo dashboard at {ratio:.1%} of {{__typename}}'s req/s, target {TARGET_RATIO:.0%}")
        if large["p99_ms"] is None or large["p99_ms"] >= TARGET_P99_MS:
            misses.append(f"{MEMBERS}-GP dashboard p99 {large['p99_ms']} ms, target < {TARGET_P99_MS:.0f} ms")
        summary = {"demo_dashboard_over_typename": round(ratio, 4), "targets_met": not misses, "misses": misses}
        print(json.dumps(summary, ensure_ascii=False))
        sys.exit(1 if misses else 0)
    finally:
        admin.close()
        coordinator.close()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
