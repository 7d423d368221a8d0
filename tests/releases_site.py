"""A PROD stage with releases on the emulator, as the release tests drive it: its dist folder,
`inv` runs, and what the bucket, the store and the emulator's request log hold."""

from __future__ import annotations

import json
import shutil
from typing import Any
from urllib.parse import unquote

from amplify_tasks import aws
from amplify_tasks.project import Project
from amplify_tasks.releases import LIVE_KEY, manifest_key, parse_pointer
from amplify_tasks.settings.files import load_settings
from amplify_tasks.stack import StackOutputs, stack_outputs

KVS = "cloudfront-keyvaluestore"

#: Version 1 of the site: pages, a fingerprinted chunk and a plain asset.
V1 = {
    "index.html": "<!doctype html><title>v1</title><script src='/assets/app.1111aaaa.js'></script>",
    "404.html": "<!doctype html><title>not found v1</title>",
    "docs/index.html": "<!doctype html><title>docs v1</title>",
    "assets/app.1111aaaa.js": "console.log('app v1')",
    "assets/lazy.2222bbbb.js": "console.log('lazy chunk of v1')",
    "robots.txt": "User-agent: *",
}


class ReleaseSite:
    """Stage prod (CloudFront, releases) of a temp project, added with 404.html as its
    error document."""

    def __init__(self, project: Any, emulator: Any, app_name: str) -> None:
        self.project = project
        self.emulator = emulator
        project.env["HOSTING_APP_NAME"] = app_name
        project.env["HOSTING_ERROR_DOCUMENT"] = "404.html"
        project.env["AMPLIFY_TASKS_PROGRESS"] = "plain"
        project.env["HOSTING_SMOKE_TEST"] = "false"
        self.build(V1)
        project.run("hosting.add", "--stage", "prod", "--yes")
        self._outputs: StackOutputs | None = None

    def build(self, files: dict[str, str]) -> None:
        """Make dist/ hold exactly ``files``."""
        shutil.rmtree(self.project.root / "dist", ignore_errors=True)
        for rel, text in files.items():
            self.project.write(f"dist/{rel}", text)

    def run(self, *args: str, check: bool = True, **env: str) -> Any:
        saved = dict(self.project.env)
        self.project.env.update(env)
        try:
            return self.project.run(*args, check=check)
        finally:
            self.project.env = saved

    def publish(self, *args: str, check: bool = True, **env: str) -> Any:
        return self.run("publish", "--stage", "prod", "--yes", *args, check=check, **env)

    @property
    def outputs(self) -> StackOutputs:
        if self._outputs is None:
            settings = load_settings(Project.at(self.project.root), "prod", self.project.env)
            self._outputs = stack_outputs(aws.client("cloudformation"), settings.stack_name)
        return self._outputs

    @property
    def bucket(self) -> str:
        return self.outputs.bucket

    def store(self) -> dict[str, str]:
        client = aws.client(KVS)
        items: dict[str, str] = {}
        for page in client.get_paginator("list_keys").paginate(KvsARN=self.outputs.kvs_arn):
            items.update({i["Key"]: i["Value"] for i in page.get("Items", [])})
        return items

    def live(self) -> str:
        pointer = parse_pointer(self.store().get(LIVE_KEY))
        return pointer.release if pointer else ""

    def objects(self, prefix: str = "") -> dict[str, str]:
        """Key -> ETag of the bucket's objects under ``prefix``."""
        s3 = aws.client("s3")
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            found.update({o["Key"]: o["ETag"].strip('"') for o in page.get("Contents", [])})
        return found

    def manifest(self, release_id: str) -> dict[str, Any]:
        body = aws.client("s3").get_object(Bucket=self.bucket, Key=manifest_key(release_id))
        data: dict[str, Any] = json.loads(body["Body"].read())
        return data

    def keys(self, release_id: str) -> str:
        """The prefix of release ``release_id``'s key set in the store (its manifest's)."""
        return str(self.manifest(release_id)["keys"])

    def body(self, key: str) -> str:
        return str(aws.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read().decode())

    def writes(self) -> list[tuple[str, str, str]]:
        """(service, operation, key) of every write to this stage's bucket or store since the
        request log was reset, but the stage lock's own."""
        arn = self.outputs.kvs_arn
        found = []
        for r in self.emulator.requests():
            if r["method"] not in {"PUT", "POST", "DELETE"}:
                continue
            if r["service"] == "s3" and r["bucket"] == self.bucket:
                if r["key"] != ".amplify-tasks/stage-lock.json":
                    found.append(("s3", r["operation"], r["key"]))
            elif r["service"] == KVS and arn in unquote(r["path"]):
                found.append((KVS, r["operation"], r["key"]))
        return found

    def url(self) -> str:
        return str(self.emulator.preview_url(self.outputs.distribution_id))


def live_then(project: Any, emulator: Any, app_name: str, files: dict[str, str]) -> ReleaseSite:
    """A release site whose first publish (V1) is live, its dist folder then holding
    ``files``."""
    made = ReleaseSite(project, emulator, app_name)
    made.publish()
    assert made.live(), "the first publish made no release live"
    made.build(files)
    return made
