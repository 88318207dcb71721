#!/usr/bin/env python3
"""Cost of the costliest requests the server accepts: CPU time, answer size, peak and settled
memory, measured on the release binary, each request on a fresh server process.

    cargo build --release
    python3 tests/load/worst_requests.py target/release/am-planner

Each case starts the binary on a new SQLite file with the demo data (port 18xxx on 127.0.0.1),
sends one warm-up query, then the case's request as the demo coordinator, and reads the process's
CPU time (the threads' schedstat) and memory (VmHWM, VmRSS) from /proc. Linux only; loopback only; every
loop is bounded. Prints one line per case; exits 1 when a case breaks the targets of issue 8
(CPU < 100 ms, answer < 20 MB, RSS < 100 MB once the answer is sent) unless it was refused.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TOKEN = "demo-coordinator-tilleuls-0000"
TARGET_CPU_MS, TARGET_BYTES, TARGET_RSS_MB = 100, 20_000_000, 100

PARAMS = "key family description value effectiveFrom reference source confidence checkedOn origin"
SIMULATION = """regime verdict confidence objectivesConfidence caveats { key confidence reference }
  options { option outcome reason } schedule { contractYear startsOn maximum revalued }
  objectives { dueBy targets { indicator baseline target } }
  explanation { formatVersion rules { rule outcome note parameters { key value effectiveFrom reference source confidence } } }"""
SIM_INPUT = """input: { signedOn: "2026-11-23", option: ONE_ETP, doctor: { specialty: GENERAL_PRACTICE,
  sector: SECTOR_1, band: P50_P70, activity: { pmt: 1300, fileActive: 2100 } } }"""
DOCTOR = """rpps memberships { structure { name } from } contracts { id status signedOn }
  activityFigures { year pmt fileActive } cpamStatus { stale }"""


def aliases(n, body):
    return "{ " + " ".join(f"a{i}: {body}" for i in range(n)) + " }"


def compact(n, field, fragment):
    """n aliases in about 32 bytes each, as a client packs them under the 64 KiB body limit."""
    return "query($v:%s){%s}fragment F on %s{%s}" % (
        fragment[0],
        "".join(f"a{i}:{field}{{...F}}" for i in range(n)),
        fragment[1],
        fragment[2],
    )


CASES = {
    # The reproductions of issue 8, as reported (62 KiB bodies).
    "1800 x ruleParameters (reported)": compact(1800, "ruleParameters(asOf:$v)", ("Date!", "RuleParameter", PARAMS)),
    "2000 x practitioner(rpps) with 4 lists (reported)": compact(
        2000, "practitioner(rpps:$v)", ("String!", "Practitioner", DOCTOR)
    ),
    # The costliest shapes the limits still accept.
    "20 x ruleParameters, every field": aliases(20, f'ruleParameters(asOf: "2026-11-23") {{ {PARAMS} }}'),
    "20 x practitioner(rpps) with 4 lists": aliases(20, f'practitioner(rpps: "10001234565") {{ {DOCTOR} }}'),
    "10 x simulateIndividualAid with explanation": aliases(10, f"simulateIndividualAid({SIM_INPUT}) {{ {SIMULATION} }}"),
    "members x (lists + aidSimulation)": """{ structures(first: 1) { edges { node { members(first: 20) { edges { node {
        practitioner { %s aidSimulation(signedOn: "2026-12-01", option: HALF_ETP) { verdict failingRules schedule { contractYear maximum } } } } } } } } } }"""
    % DOCTOR,
    "contracts x evaluation": """{ structures(first: 1) { edges { node { contracts(first: 20) { edges { node {
        id evaluation(asOf: "2026-11-23") { ... on IndividualSimulation { regime verdict year { contractYear maximum } payable } } } } } } } } }""",
}


def proc_stat(pid):
    # CPU time of every thread in nanoseconds (schedstat), finer than the 10 ms clock ticks.
    cpu = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                cpu += int(f.read().split()[0])
        except OSError:
            pass  # a thread that ended meanwhile
    cpu /= 1e6
    mem = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                mem[key] = int(value.split()[0]) / 1024
    return cpu, mem["VmHWM"], mem["VmRSS"]


VARIABLES = {"ruleParameters": "2026-11-23", "practitioner": "10001234565"}


def post(url, query, timeout=120):
    variables = {"v": v for k, v in VARIABLES.items() if "$v" in query and k in query}
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def run_case(binary, port, name, query):
    workdir = tempfile.mkdtemp(prefix="amp-load-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMP_")}
    env.update(
        AMP_SERVER__BIND=f"127.0.0.1:{port}",
        AMP_DATABASE__URL=f"sqlite://{workdir}/load.db?mode=rwc",
        AMP_LOG__FILTER="warn",
    )
    server = subprocess.Popen([binary], env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/graphql", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.05)
        post(base + "/graphql", "{ viewer { name } }")
        cpu0, _, rss0 = proc_stat(server.pid)
        started = time.monotonic()
        status, body = post(base + "/graphql", query)
        wall = (time.monotonic() - started) * 1000
        cpu1, hwm, _ = proc_stat(server.pid)
        time.sleep(1.0)
        _, _, rss_after = proc_stat(server.pid)
        try:
            answer = json.loads(body)
            errors = answer.get("errors") or []
            code = errors[0].get("extensions", {}).get("code", "no code") if errors else "ok"
        except ValueError:
            code = "not JSON: " + body[:60].decode(errors="replace")
        return {
            "case": name,
            "request_bytes": len(query),
            "status": status,
            "result": code,
            "answer_bytes": len(body),
            "cpu_ms": round(cpu1 - cpu0, 1),
            "wall_ms": round(wall, 1),
            "rss_before_mb": round(rss0, 1),
            "peak_rss_mb": round(hwm, 1),
            "rss_after_mb": round(rss_after, 1),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    failed = False
    for i, (name, query) in enumerate(CASES.items()):
        r = run_case(binary, 18_400 + i, name, query)
        print(json.dumps(r, ensure_ascii=False))
        accepted = r["result"] == "ok"
        if accepted and (r["cpu_ms"] >= TARGET_CPU_MS or r["answer_bytes"] >= TARGET_BYTES or r["rss_after_mb"] >= TARGET_RSS_MB):
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
