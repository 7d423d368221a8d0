"""`_redirects` and `_headers`: parsing (every bad line named), the compiled form and its
key value store chunks, and one table of cases held against the Python reference matcher
and the JavaScript evaluator (cfn/partials/rules.js.j2) run by the emulator's
cloudfront-js-2.0 runtime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from routing_cases import CASES, CLEAN_CASES, FILES, FOLDERS, HEADER_CASES, HEADERS, REDIRECTS

from amplify_tasks.local.function_store import LiveFunction
from amplify_tasks.local.functions import FunctionRuntime
from amplify_tasks.project import Project
from amplify_tasks.routing import (
    CompiledRules,
    RulesError,
    compile_rules,
    decide,
    headers_for,
    parse_headers,
    parse_redirects,
    read_rules,
    store_entries,
)
from amplify_tasks.routing.rules import MAX_CHUNKS, VALUE_MAX_BYTES, check_cloudfront, chunks
from amplify_tasks.templates.rendering import rules_code


def compiled(clean: bool = False) -> CompiledRules:
    redirects, problems = parse_redirects(REDIRECTS)
    blocks, header_problems = parse_headers(HEADERS)
    assert problems == [] and header_problems == []
    return compile_rules(redirects, blocks, clean_urls=clean, files=FILES)


def python_answer(rules: CompiledRules, path: str, query: str) -> tuple[int, str] | None:
    found = decide(
        rules, path, query, is_file=lambda p: p in FILES, is_folder=lambda p: p in FOLDERS
    )
    return None if found is None else (found.status, found.location or found.uri)


HARNESS = """
var FILES = %(files)s, FOLDERS = %(folders)s;
var env = {
  isFile: async function (p) { return FILES.indexOf(p) >= 0; },
  isFolder: async function (p) { return FOLDERS.indexOf(p) >= 0; },
};
async function handler(event) {
  var out = [];
  for (var i = 0; i < event.cases.length; i++) {
    var c = event.cases[i];
    var d = await rulesDecide(event.doc, c[0], c[1], env);
    out.push(d ? [d.status, d.location || d.uri] : null);
  }
  var headers = event.paths.map(function (p) { return rulesHeaders(event.hdoc, p); });
  return {decisions: out, headers: headers};
}
"""


def run_js(rules: CompiledRules, cases: list[tuple[str, str]], paths: list[str]) -> dict:
    code = rules_code(Project.at(Path.cwd())) + HARNESS % {
        "files": json.dumps(list(FILES)),
        "folders": json.dumps(list(FOLDERS)),
    }
    runtime = FunctionRuntime(LiveFunction("arn:test:rules", "rules", "1", code, ()))
    try:
        event = {
            "doc": json.loads(rules.redirects_json()),
            "hdoc": json.loads(rules.headers_json()),
            "cases": [list(c) for c in cases],
            "paths": paths,
        }
        result: dict = runtime.run(event)
        return result
    finally:
        runtime.close()


@pytest.mark.parametrize("clean", [False, True])
def test_python_and_javascript_agree_with_the_table(clean: bool) -> None:
    table = CLEAN_CASES if clean else CASES
    rules = compiled(clean)
    got_py = [python_answer(rules, path, query) for path, query, _ in table]
    expected = [None if e is None else tuple(e) for _, _, e in table]
    assert got_py == expected
    js = run_js(rules, [(p, q) for p, q, _ in table], [p for p, _ in HEADER_CASES])
    assert [None if d is None else tuple(d) for d in js["decisions"]] == expected


def test_header_blocks_combine_in_python_and_javascript() -> None:
    rules = compiled()
    assert [headers_for(rules, p) for p, _ in HEADER_CASES] == [h for _, h in HEADER_CASES]
    js = run_js(rules, [], [p for p, _ in HEADER_CASES])
    assert js["headers"] == [h for _, h in HEADER_CASES]


def test_the_slash_star_pattern_matches_every_path() -> None:
    blocks, _ = parse_headers("/*\n  X-Test: 1\n")
    rules = compile_rules([], blocks)
    for path in ("/", "/a", "/a/b/c.html", "/.well-known/x"):
        assert headers_for(rules, path) == {"x-test": "1"}
    js = run_js(rules, [], ["/", "/a", "/a/b/c.html"])
    assert js["headers"] == [{"x-test": "1"}] * 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/a /b 299", "_redirects:1: unknown status '299'"),
        (
            "/a/:id /b/:slug",
            "_redirects:1: TO uses ':slug' but FROM '/a/:id' has no ':slug' in FROM",
        ),
        ("/a /b/:splat", "_redirects:1: TO uses ':splat' but FROM '/a' has no a '*' at the end"),
        ("/a", "_redirects:1: a rule is 'FROM TO [STATUS]': TO is missing"),
        ("a /b", "_redirects:1: FROM 'a' must be a path starting with '/'"),
        ("/a/*/b /c", "_redirects:1: FROM '/a/*/b' may have one '*', at its end only"),
        ("/a https://x.example/ 200", "_redirects:1: TO 'https://x.example/' is another site"),
        ("/a /b 301 Country=us", "_redirects:1: unexpected 'Country=us' after the status"),
    ],
)
def test_a_bad_redirect_line_says_file_line_and_what(line: str, message: str) -> None:
    rules, problems = parse_redirects(line)
    assert rules == []
    assert len(problems) == 1
    assert str(problems[0]).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/*\n  X Bad: 1\n", "_headers:2: header name 'X Bad' has a space"),
        ("/*\n  X-Ok: a\x01b\n", "_headers:2: the line has a control character"),
        ("  X-Early: 1\n", "_headers:1: an indented header line comes before any path pattern"),
        ("/*\n  Content-Length: 3\n", "_headers:2: Content-Length is set by CloudFront"),
        ("/*\n  NoColon\n", "_headers:2: 'NoColon' is not 'Name: value'"),
    ],
)
def test_a_bad_headers_line_says_file_line_and_what(text: str, message: str) -> None:
    _, problems = parse_headers(text)
    assert [str(p)[: len(message)] for p in problems] == [message]


def test_every_bad_line_is_reported_and_comments_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "_redirects").write_text("# c\n\n/a /b 299\n/ok /fine\n/c /d/:x\n")
    (tmp_path / "_headers").write_text("/*\n  Bad Name: 1\n")
    with pytest.raises(RulesError) as caught:
        read_rules(tmp_path)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [
        "_redirects:3",
        "_redirects:5",
        "_headers:2",
    ]
    assert "and 2 more problem(s)" in str(caught.value)


def test_without_routing_files_there_are_no_rules(tmp_path: Path) -> None:
    rules = read_rules(tmp_path).compiled()
    assert rules.empty
    assert store_entries("r1", rules) == {}


def test_chunks_fit_a_store_value_and_join_back() -> None:
    text = "é" * 700 + "x" * 900
    pieces = chunks(text)
    assert all(len(p.encode()) <= VALUE_MAX_BYTES for p in pieces)
    assert "".join(pieces) == text


def test_store_entries_hold_the_documents_per_release() -> None:
    rules = compiled()
    entries = store_entries("rel-7", rules)
    count = int(entries["rel-7:R"])
    text = "".join(entries[f"rel-7:R:{i}"] for i in range(count))
    assert json.loads(text) == rules.redirects_doc()
    headers = "".join(entries[f"rel-7:H:{i}"] for i in range(int(entries["rel-7:H"])))
    assert json.loads(headers)["h"][0][0] == "/*"
    assert all(len(v.encode()) <= VALUE_MAX_BYTES for v in entries.values())
    assert all(len(k.encode()) <= 512 for k in entries)


def test_how_many_rules_fit_the_chunk_budget() -> None:
    """Measured: a rule moving a 22-character path to another takes 56 bytes encoded, so
    the 16 chunks of a document hold 292 of them; one more is refused with a clear line."""

    def rules_of(count: int) -> CompiledRules:
        lines = [f"/old/section-{i:04d}/page /new/section-{i:04d}/page 301" for i in range(count)]
        redirects, problems = parse_redirects("\n".join(lines))
        assert problems == []
        return compile_rules(redirects, [])

    assert len(chunks(rules_of(292).redirects_json())) == MAX_CHUNKS
    check_cloudfront(rules_of(292))
    with pytest.raises(RulesError) as caught:
        check_cloudfront(rules_of(293))
    assert str(caught.value).startswith(
        "_redirects: 293 rules take 16,427 bytes encoded, over the 16,384 a CloudFront stage "
        "reads per request (16 store values of 1 KB)"
    )
