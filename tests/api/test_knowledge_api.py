"""The knowledge base over HTTP: the admin writes an article, dispatchers and engineers
find it by a Chinese symptom with the part that fixed it; customers and warehouse staff
do not search; bad input is problem+json naming the field."""

from __future__ import annotations

import pytest

from tests.builders import bearer, make_part, make_user

PROBLEM = "application/problem+json"


@pytest.fixture
def callers(db) -> dict[str, dict[str, str]]:
    make_part(db, "SRV-PSU")
    make_part(db, "SRV-R740")
    return {
        role: bearer(make_user(db, role)[1])
        for role in ("admin", "dispatcher", "engineer", "warehouse", "customer")
    }


ARTICLE = {
    "symptom": "电源模块故障，服务器无法开机，电源指示灯不亮",
    "cause": "电源模块老化",
    "fix": "更换电源模块",
    "emergency_strategy": "先接冗余电源维持运行",
    "parts": ["SRV-PSU"],
    "models": ["SRV-R740"],
}


def test_an_article_written_by_the_admin_is_found_by_dispatchers_and_engineers(client, callers):
    made = client.post("/api/knowledge/articles", headers=callers["admin"], json=ARTICLE)
    assert made.status_code == 201, made.json
    assert made.json["status"] == "published" and made.json["number"].startswith("KB-")
    for role in ("dispatcher", "engineer"):
        found = client.get(
            "/api/knowledge/search",
            headers=callers[role],
            query_string={"q": "开不了机 电源灯不亮", "model": "SRV-R740"},
        )
        assert found.status_code == 200, found.json
        assert [h["ref"] for h in found.json["hits"]] == [made.json["number"]]
        assert [p["part_number"] for p in found.json["parts"]] == ["SRV-PSU"]
    for role in ("warehouse", "customer"):
        denied = client.get(
            "/api/knowledge/search", headers=callers[role], query_string={"q": "电源"}
        )
        assert denied.status_code == 403 and denied.mimetype == PROBLEM
    written = client.post("/api/knowledge/articles", headers=callers["dispatcher"], json=ARTICLE)
    assert written.status_code == 403
    listed = client.get(
        "/api/knowledge/articles", headers=callers["engineer"], query_string={"status": "published"}
    )
    assert [a["number"] for a in listed.json["items"]] == [made.json["number"]]
    proposals = client.get(
        "/api/knowledge/articles", headers=callers["admin"], query_string={"status": "proposed"}
    )
    assert proposals.json["items"] == []
    bad = client.get(
        "/api/knowledge/articles", headers=callers["admin"], query_string={"status": "draft"}
    )
    assert bad.status_code == 422 and "status" in bad.json["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "电" * 201}, "q"), ({"q": "电源", "limit": 0}, "limit")],
)
def test_a_bad_search_is_422_naming_the_field(client, callers, query, field):
    r = client.get("/api/knowledge/search", headers=callers["dispatcher"], query_string=query)
    assert r.status_code == 422 and r.mimetype == PROBLEM and field in r.json["errors"], r.json


def test_an_article_with_an_unknown_part_or_no_fix_is_refused_and_approving_twice_conflicts(
    client, callers
):
    admin = callers["admin"]
    unknown = client.post(
        "/api/knowledge/articles", headers=admin, json={**ARTICLE, "parts": ["NO-SUCH"]}
    )
    assert unknown.status_code == 422 and unknown.mimetype == PROBLEM
    assert "NO-SUCH" in unknown.json["errors"]["parts"][0]
    no_fix = client.post("/api/knowledge/articles", headers=admin, json={**ARTICLE, "fix": ""})
    assert no_fix.status_code == 422 and "fix" in no_fix.json["errors"]
    made = client.post("/api/knowledge/articles", headers=admin, json=ARTICLE).json
    again = client.post(f"/api/knowledge/articles/{made['number']}/approve", headers=admin)
    assert again.status_code == 409 and again.mimetype == PROBLEM
    missing = client.post("/api/knowledge/articles/KB-2026-999999/approve", headers=admin)
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
