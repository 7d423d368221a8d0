"""The fingerprint rule the viewer-request function renders from ``FINGERPRINT_PATTERN``
answers as Python's ``is_fingerprinted`` does, in the function's own JavaScript engine: with
a release live, each name is fetched through a distribution preview that has no custom error
responses, and the key S3 says is missing shows where the function sent it (the pool at the
root for a fingerprinted name, the live release's tree for any other).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from edge_stacks import deploy, edge_template, emulator_environment, get, kvs_client
from test_emulator_directory_index import directory_index_function
from test_fingerprint_rule import TABLE, generated_names

from amplify_tasks.local import control
from amplify_tasks.releases import Pointer, release_key
from amplify_tasks.sync.content import is_fingerprinted

LIVE = "20261202-120000-c0de"


@pytest.fixture(scope="module")
def url(emulator: control.Emulator) -> Iterator[str]:
    bucket = f"fingerprint-{uuid.uuid4().hex[:10]}"
    with emulator_environment(emulator):
        functions = {"viewer-request": directory_index_function()}
        out = deploy(
            emulator, bucket, edge_template(bucket, functions=functions, kvs=True, list_bucket=True)
        )
        client = kvs_client(emulator)
        etag = client.describe_key_value_store(KvsARN=out["StoreArn"])["ETag"]
        live = [{"Key": "live", "Value": Pointer(LIVE).value()}]
        client.update_keys(KvsARN=out["StoreArn"], IfMatch=etag, Puts=live)
        yield out["url"]


def missing_key(url: str, name: str) -> str:
    """The key the origin was asked for ``name`` (nothing is in the bucket: S3 says which)."""
    status, _, body = get(url, "/" + quote(name, safe="/"))
    assert status == 404, (name, status, body)
    key = ElementTree.fromstring(body).findtext("Key")
    assert key is not None, (name, body)
    return key


def routed_to_the_pool(url: str, name: str) -> bool:
    key = missing_key(url, name)
    if key == name:
        return True
    assert key in (release_key(LIVE, name), release_key(LIVE, name + "index.html")), (name, key)
    return False


def plain_path(name: str) -> bool:
    """A name a viewer can ask for as it is: no leading slash, no dot segment, not private."""
    return not (
        name.startswith(("/", "_r/", ".amplify-tasks/"))
        or "/../" in f"/{name}/"
        or "/./" in f"/{name}/"
    )


@pytest.mark.parametrize(("name", "expected"), [t for t in TABLE if t[0]])
def test_the_function_places_the_table_s_names_as_python_does(
    url: str, name: str, expected: bool
) -> None:
    assert routed_to_the_pool(url, name) is expected is is_fingerprinted(name)


def test_the_function_agrees_with_python_on_generated_names(url: str) -> None:
    names = sorted(n for n in set(generated_names(1_500, seed=11)) if plain_path(n))
    assert sum(map(is_fingerprinted, names)) > 100
    differ = [n for n in names if routed_to_the_pool(url, n) != is_fingerprinted(n)]
    assert differ == []
