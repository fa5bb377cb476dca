#!/usr/bin/env python3
"""Schemathesis (PyPI) against a running CityLine: generated requests for every operation of GET /openapi.json.

    python3 schemathesis_test.py BASE_URL ADMIN_TOKEN OPEN311_API_KEY [TICKET_ID CONVERSATION_ID]

The staff API is called with the admin token (the document's `staffBearer` scheme), Open311 POSTs with the
api_key (`open311ApiKey`); valid, boundary and invalid data alike (mode `all`: the document's examples, the
coverage phase's edge values, then random fuzzing). Given a ticket and a conversation that exist, the operations
on `/api/v1/tickets/{id}…` and `/api/v1/conversations/{id}…` get those ids (the rest of each request is generated),
so they reach the code behind the 404. Fails (exit 1) on any 5xx and any answer whose status code, content type,
headers or body the document does not allow. A fixed seed keeps CI repeatable; SCHEMATHESIS_SEED and
SCHEMATHESIS_MAX_EXAMPLES change it for a longer hunt.
"""
import os
import subprocess
import sys
import tempfile

base, token, api_key = sys.argv[1], sys.argv[2], sys.argv[3]
# A background job beside the rest of the test suite: this run and the server it drives (CITYLINE_SERVER_PID)
# take the CPU only when the other tests leave it.
os.nice(19)
if os.environ.get("CITYLINE_SERVER_PID"):
    os.setpriority(os.PRIO_PROCESS, int(os.environ["CITYLINE_SERVER_PID"]), 19)
ticket, conversation = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else (None, None)
checks = ",".join([
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
])
config = f"""
[auth.openapi.staffBearer]
bearer = "{token}"

[auth.openapi.open311ApiKey]
api_key = "{api_key}"
"""
if ticket:
    config += f"""
[[operations]]
include-path-regex = '^/api/v1/tickets/\{{id\}}'
parameters = {{ "path.id" = "{ticket}" }}

[[operations]]
include-path-regex = '^/api/v1/conversations/\{{id\}}'
parameters = {{ "path.id" = "{conversation}" }}
"""
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "schemathesis.toml")
    with open(path, "w", encoding="utf-8") as file:
        file.write(config)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", path, "--no-color", "run", f"{base}/openapi.json",
        "--checks", checks,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"),
        "--seed", os.environ.get("SCHEMATHESIS_SEED", "311"),
        "--workers", "1",  # one: Hypothesis's lambda-source cache is not thread-safe (a spurious "Runtime Error")
        "--request-timeout", "10",
        "--suppress-health-check", "all",
        "--output-truncate", "true",
        "--report", "junit", "--report-dir", directory,
    ]
    print("$", " ".join(command[1:]), flush=True)
    try:
        sys.exit(subprocess.run(command, cwd=directory, timeout=300).returncode)
    except subprocess.TimeoutExpired:
        print("schemathesis did not finish in 300 s (alone it takes about 30)", flush=True)
        sys.exit(1)
