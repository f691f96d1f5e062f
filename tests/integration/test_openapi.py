"""The API's integration surface is described, with bodies, in the OpenAPI schema."""


async def test_every_foundation_endpoint_is_in_the_schema(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    expected = {
        "/api/v1/auth/token": {"post", "delete"},
        "/api/v1/me": {"get"},
        "/api/v1/companies": {"get", "post"},
        "/api/v1/companies/{company_id}/users": {"get", "post"},
        "/api/v1/companies/{company_id}/suspend": {"post"},
        "/api/v1/users/{user_id}/deactivate": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    body = paths["/api/v1/companies/{company_id}/users"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # pages are not part of the API
    assert "/login" not in paths and "/team" not in paths
