"""Render a stage's CloudFormation template from the Jinja2 templates in cfn/ (a project's own
templates folder overrides a built-in file of the same name) into deterministic JSON.
"""

from __future__ import annotations

import json
import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import TemplateError
from amplify_tasks.releases.layout import (
    FILE_INFIX,
    FOLDER_INFIX,
    LIVE_KEY,
    RELEASE_ID,
    RELEASES_PREFIX,
)
from amplify_tasks.settings import ErrorResponse, Settings
from amplify_tasks.sync import RESERVED_PREFIX
from amplify_tasks.sync.content import FINGERPRINT_PATTERN

from .domain import domain_context
from .previews import preview_context

if TYPE_CHECKING:
    import jinja2

    from amplify_tasks.project import Project


#: The main template; it includes the partials under ``partials/``.
MAIN_TEMPLATE = "hosting.json.j2"

#: The CloudFront Function source, rendered first and inlined as FunctionCode.
FUNCTION_TEMPLATE = "partials/directory-index.js.j2"
#: The routing rules evaluator, included into the functions.
RULES_TEMPLATE = "partials/rules.js.j2"
#: The viewer-response function of a release stage (its `_headers`).
RESPONSE_TEMPLATE = "partials/response-headers.js.j2"

#: One logical id for the bucket in every shape, so switching CloudFront keeps the files.
BUCKET_ID = "HostingBucket"

#: AWS's managed response headers policy "Managed-SecurityHeadersPolicy".
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"

#: Days a replaced or deleted object's old version is kept in a versioned (PROD) bucket.
NONCURRENT_DAYS = 30

#: Error caching TTL of the single-page-app mappings, short so a publish shows up soon.
SPA_ERROR_CACHING_TTL = 10


def builtin_dir() -> Path:
    """The built-in templates: ``_cfn`` inside an installed wheel, ``cfn/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_cfn"
    return packaged if packaged.is_dir() else package.parent / "cfn"


def search_path(project: Project) -> list[Path]:
    """Where templates are looked up, first match wins: the project's folder, then built-ins."""
    paths = [project.templates_dir, builtin_dir()]
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and path.resolve() not in [p.resolve() for p in out]:
            out.append(path)
    return out


def effective_error_responses(settings: Settings) -> tuple[ErrorResponse, ...]:
    """The distribution's custom error responses.

    SPA mode maps 403 and 404 to the index document with 200 (other configured codes stay).
    Otherwise the configured responses apply; with none configured, 403 and 404 serve the
    error document with 404, as DEV's website endpoint does (S3 answers 403 for missing keys).
    """
    configured = {r.code: r for r in settings.error_responses}
    if settings.spa:
        for code in (403, 404):
            configured[code] = ErrorResponse(
                code, f"/{settings.index_document}", 200, SPA_ERROR_CACHING_TTL
            )
    elif not configured:
        for code in (403, 404):
            configured[code] = ErrorResponse(code, f"/{settings.error_document}", 404, 300)
    return tuple(configured[c] for c in sorted(configured))


def error_page_keys(settings: Settings) -> tuple[str, ...]:
    """The bucket keys of the distribution's error pages (each distinct ``ResponsePagePath``,
    without its leading slash, in order): CloudFront fetches them without running the
    viewer-request function, so a release stage keeps a copy of each at the bucket's root."""
    return tuple(dict.fromkeys(r.page.lstrip("/") for r in effective_error_responses(settings)))


#: The URI paths the viewer-request function answers 404 (after decoding): the tool's state
#: and the release trees, however many slashes lead (S3 keys never start with one).
PRIVATE_PATTERN = "^/+(?:{})/".format(
    "|".join(re.escape(prefix.rstrip("/")) for prefix in (RESERVED_PREFIX, RELEASES_PREFIX))
)


#: A stack name up to this long names the stack's CloudFront resources as it is.
PLAIN_PREFIX_LENGTH = 40


def resource_prefix(settings: Settings) -> str:
    """A name prefix for the stack's account-wide CloudFront resources (cache policy, function,
    origin access control), unique per stack.

    A stack name of at most 40 characters is its own prefix. A longer one gives its first 32
    characters and 8 hex digits of the SHA-256 of the whole name: 41 characters, so it is never
    another stack's plain name, and with ``-<region>`` within AWS's 64-character limit.
    """
    import hashlib

    name = settings.stack_name
    if len(name) <= PLAIN_PREFIX_LENGTH:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{name[:32]}-{digest}"


def context(settings: Settings) -> dict[str, object]:
    """Every variable the templates may use."""
    shape = "S3 + CloudFront" if settings.cloudfront else "S3 website"
    return {
        "stage": settings.stage,
        "app_name": settings.app_name,
        "stack_name": settings.stack_name,
        "bucket_id": BUCKET_ID,
        "bucket_name": settings.bucket_name,
        "cloudfront": settings.cloudfront,
        "index_document": settings.index_document,
        "error_document": settings.error_document,
        "website_error_document": (
            settings.index_document if settings.spa else settings.error_document
        ),
        "min_ttl": settings.min_ttl,
        "default_ttl": settings.default_ttl,
        "max_ttl": settings.max_ttl,
        "spa": settings.spa,
        "error_responses": effective_error_responses(settings),
        "price_class": settings.price_class,
        "domain_names": settings.domain_names,
        "certificate_arn": settings.certificate_arn,
        "security_headers_policy_id": SECURITY_HEADERS_POLICY_ID,
        "noncurrent_days": NONCURRENT_DAYS,
        "resource_prefix": resource_prefix(settings),
        "state_prefix": RESERVED_PREFIX,
        "releases_prefix": RELEASES_PREFIX,
        "private_pattern": PRIVATE_PATTERN,
        "fingerprint_pattern": FINGERPRINT_PATTERN,
        "release_id_pattern": RELEASE_ID.pattern,
        "live_key": LIVE_KEY,
        "folder_infix": FOLDER_INFIX,
        "file_infix": FILE_INFIX,
        "releases": settings.uses_releases,
        **preview_context(settings),
        "description": f"Static hosting for {settings.app_name}, stage {settings.stage} ({shape})",
        **domain_context(settings),
    }


def environment(project: Project) -> jinja2.Environment:
    """A Jinja2 environment over the search path, with StrictUndefined."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path(project)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["tojson"] = _tojson
    return env


def _tojson(value: object) -> str:
    """JSON text of a value; an undefined variable raises (StrictUndefined) instead."""
    import jinja2

    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the variable
    return json.dumps(value, ensure_ascii=False)


def render_named(env: jinja2.Environment, name: str, variables: dict[str, object]) -> str:
    import jinja2

    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as exc:
        dirs = ", ".join(str(p) for p in search_path_of(env))
        raise TemplateError(
            f"template {exc.name} not found in {dirs}: restore it, or remove the project's "
            "templates folder override that includes it"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateError(
            f"{where} line {exc.lineno}: {exc.message}: fix the Jinja2 syntax there"
        ) from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc) or name
        raise TemplateError(
            f"{where}: {exc.message}: use only variables the renderer provides "
            f"({', '.join(sorted(variables))})"
        ) from None


def search_path_of(env: jinja2.Environment) -> list[str]:
    loader = env.loader
    return list(getattr(loader, "searchpath", []))


def _template_frame(exc: BaseException) -> str | None:
    """``file line N`` of the innermost template frame of a rendering error."""
    found: str | None = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = f"{frame.filename} line {frame.lineno}"
    return found


def _function_code(
    env: jinja2.Environment, variables: dict[str, object], name: str = FUNCTION_TEMPLATE
) -> str:
    return compact_js(render_named(env, name, variables))


def compact_js(code: str) -> str:
    """Function code without its indentation, blank lines and whole-line ``//`` comments:
    CloudFront counts every byte against the 10 KB a function may have, and each line keeps
    its own statement. (The templates use no template literals, the one construct whose
    lines this would change.)"""
    lines = (line.strip() for line in code.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def function_code(project: Project, settings: Settings) -> str:
    """The viewer-request function's JavaScript, as the stage's template carries it."""
    return _function_code(environment(project), context(settings))


def response_code(project: Project, settings: Settings) -> str:
    """The viewer-response function's JavaScript (a release stage's `_headers`)."""
    return _function_code(environment(project), context(settings), RESPONSE_TEMPLATE)


def rules_code(project: Project) -> str:
    """The routing rules evaluator's JavaScript (no variables), as the functions include it."""
    return render_named(environment(project), RULES_TEMPLATE, {}).strip() + "\n"


def render(project: Project, settings: Settings) -> str:
    """The stage's template as deterministic JSON text (sorted keys, two-space indent)."""
    env = environment(project)
    variables = context(settings)
    variables["function_code"] = _function_code(env, variables)
    variables["response_code"] = _function_code(env, variables, RESPONSE_TEMPLATE)
    text = render_named(env, MAIN_TEMPLATE, variables)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        snippet = text.splitlines()[exc.lineno - 1].strip() if text else ""
        raise TemplateError(
            f"{MAIN_TEMPLATE} rendered invalid JSON at line {exc.lineno} ({exc.msg}: "
            f"{snippet!r}): fix the template or partial that produces it"
        ) from None
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def template_parameters(settings: Settings) -> dict[str, str]:
    """CloudFormation parameters of the rendered template: none, values are rendered in."""
    return {}


def write(project: Project, settings: Settings) -> tuple[Path, str | None]:
    """Render and write ``project.template_path(stage)``; the path and a change summary
    against the previous file (None when there was none)."""
    text = render(project, settings)
    return write_text(project.template_path(settings.stage), text)


def write_text(path: Path, text: str) -> tuple[Path, str | None]:
    """Write an already rendered template; the path and its change summary."""
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    if previous != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path, None if previous is None else summarize_diff(previous, text)


def summarize_diff(old_text: str, new_text: str) -> str:
    """A short human summary of what changed between two rendered templates."""
    if old_text == new_text:
        return "no changes"
    try:
        old, new = json.loads(old_text), json.loads(new_text)
    except json.JSONDecodeError:
        return "replaced (the previous file was not valid JSON)"
    parts: list[str] = []
    for section in ("Resources", "Outputs"):
        before = old.get(section) or {}
        after = new.get(section) or {}
        items = [f"+{k}" for k in sorted(set(after) - set(before))]
        items += [f"-{k}" for k in sorted(set(before) - set(after))]
        for key in sorted(set(before) & set(after)):
            if before[key] != after[key]:
                items.append(f"~{key}{_changed_props(before[key], after[key])}")
        if items:
            parts.append(f"{section.lower()}: {', '.join(items)}")
    others = sorted(
        k for k in (set(old) | set(new)) - {"Resources", "Outputs"} if old.get(k) != new.get(k)
    )
    if others:
        parts.append(f"changed: {', '.join(others)}")
    return "; ".join(parts) or "no changes"


def _changed_props(before: object, after: object) -> str:
    b = before.get("Properties", {}) if isinstance(before, dict) else {}
    a = after.get("Properties", {}) if isinstance(after, dict) else {}
    names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return f" ({', '.join(names)})" if names else ""


def logical_ids(text: str) -> list[str]:
    """The resource logical ids of a rendered template."""
    data = json.loads(text)
    return sorted(data.get("Resources", {}))
