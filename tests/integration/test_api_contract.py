"""The OpenAPI document is a contract, checked from the outside as an ERP integrator meets it.

- schemathesis calls every operation of the served document, as a buyer, a vendor and an operator, over real HTTP
  against the app with the demo data, with a fixed seed; any 5xx, a body that breaks its documented schema, an
  undocumented status or an undocumented content type fails the test.
- openapi-python-client generates a client from the same document; any warning (a dropped model, a duplicate
  title, an unresolvable reference) fails the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import httpx
import pytest

from app.demo import DEMO_PASSWORD, load_demo_data

BIN = Path(sys.executable).parent
ROLES = {
    "buyer": "buyer@acme.example",
    "vendor": "sales@globex.example",
    "operator": "operator@market.example",
}
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
EXAMPLES = 10
SEED = 20261204
# Revoking the token the run signs in with would leave every later call a 401: tested in tests/integration/accounts.
SKIPPED_OPERATIONS = ("ApiV1AuthTokenRevokeToken",)
RUN_TIMEOUT_SECONDS = 600
# Downloads are bytes to the client: openapi-python-client reads only JSON, text and octet-stream unless told so
# (the README gives integrators this same setting).
CLIENT_CONFIG = """\
content_type_overrides:
  application/pdf: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
  application/vnd.openxmlformats-officedocument.wordprocessingml.document: application/octet-stream
  image/png: application/octet-stream
  image/jpeg: application/octet-stream
"""


async def _token(base_url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["token"]


async def _run(*command: str, cwd: Path | None = None) -> tuple[int, str]:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_SECONDS)
    return process.returncode or 0, output.decode(errors="replace")


def _figure(pattern: str, output: str) -> int:
    found = re.search(pattern, output)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("role", list(ROLES))
async def test_every_operation_answers_as_documented(live_server: str, tmp_path: Path, role: str) -> None:
    # given the demo marketplace (RFQs, offers, an award, contracts, listings) behind a real server
    await load_demo_data()
    # when schemathesis calls every operation as that role
    code, output = await _run(
        str(BIN / "st"), "run", f"{live_server}/api/schema/openapi.json",
        "--header", f"Authorization: Bearer {await _token(live_server, ROLES[role])}",
        "--checks", CHECKS, "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "2",
        "--no-color", *(option for operation in SKIPPED_OPERATIONS for option in ("--exclude-operation-id", operation)),
        cwd=tmp_path,  # schemathesis keeps its cache in the working directory
    )
    figures = {
        "operations": _figure(r"Tested: (\d+)", output),
        "requests": _figure(r"(\d+) generated", output),
        "failures": _figure(r"found (\d+) unique failures", output),
    }
    print(f"schemathesis as the {role} (seed {SEED}, {EXAMPLES} examples per operation and phase): {figures}")
    # then nothing breaks the contract
    assert code == 0, f"schemathesis as the {role}:\n{output[-12_000:]}"
    assert figures["operations"] >= 80, output[-3_000:]


async def test_a_client_generated_from_the_document_keeps_every_model(client: httpx.AsyncClient,
                                                                   tmp_path: Path) -> None:
    # given the served document
    document = tmp_path / "openapi.json"
    document.write_bytes((await client.get("/api/schema/openapi.json")).content)
    config = tmp_path / "client.yml"
    config.write_text(CLIENT_CONFIG)
    # when openapi-python-client generates a client from it
    code, output = await _run(
        str(BIN / "openapi-python-client"), "generate", "--path", str(document), "--meta", "none",
        "--config", str(config), "--output-path", str(tmp_path / "client"), cwd=tmp_path,
    )
    # then it does so without a single warning
    assert code == 0, output
    assert "Warning" not in output and "Unable to" not in output and "removal" not in output, output
    models = {path.stem for path in (tmp_path / "client" / "models").glob("*.py")}
    schemas = (await client.get("/api/schema/openapi.json")).json()["components"]["schemas"]
    assert len(models) >= len(schemas) - 1, sorted(models)  # one model per schema (less the multipart form)


async def test_the_document_has_one_error_schema_and_unique_titles(client: httpx.AsyncClient) -> None:
    title = "Error"
    document = (await client.get("/api/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert sorted({t for t in titles if titles.count(t) > 1}) == []
    assert title in schemas
    for path, item in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": f"#/components/schemas/{title}"
                    }, (method, path, status)
