"""The one place that builds AWS sessions and clients, and turns every botocore failure
(credentials, region, permissions, refusals, unreadable answers) into a one-line HostingError
that names the fix.
"""

from __future__ import annotations

import contextlib
import os
import typing
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, cast, overload

from .errors import AwsError, HostingError

if TYPE_CHECKING:
    from typing import TypedDict

    from botocore.client import BaseClient
    from botocore.exceptions import ClientError
    from botocore.loaders import Loader
    from botocore.session import Session
    from mypy_boto3_acm import ACMClient
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_s3 import S3Client
    from typing_extensions import Unpack

    from .retrying import RetryWatch

    class ClientOptions(TypedDict, total=False):
        """The keyword arguments of ``client``."""

        region: str | None
        max_pool: int
        sess: Session | None
        raw_timestamps: bool


#: The services the tool talks to.
Service = Literal[
    "s3", "cloudformation", "cloudfront", "cloudfront-keyvaluestore", "route53", "acm", "iam"
]

#: Hosts of a loopback endpoint (the emulator).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: Upload concurrency and the connection pool share this default.
DEFAULT_MAX_POOL = 32
#: Attempts per request (botocore's standard retry mode), and seconds to wait for a TCP
#: connection; a refused connection on loopback is not retried (retrying.RetryWatch).
MAX_ATTEMPTS = 10
CONNECT_TIMEOUT = 5


def session(region: str | None = None) -> Session:
    """A botocore session: it reads AWS_PROFILE, the credentials and the region itself.

    botocore's own session, not boto3's: boto3 adds nothing the tool uses, and importing it
    (its managed-transfer layer) costs about 40 ms on every publish.
    """
    import botocore.session

    sess = botocore.session.Session()
    sess.register_component("data_loader", _services_loader(sess))
    # Some botocore releases read only AWS_DEFAULT_REGION; AWS_REGION is what users set.
    chosen = region or os.environ.get("AWS_REGION")
    if chosen:
        sess.set_config_variable("region", chosen)
    return sess


def _services_loader(sess: Session) -> Loader:
    """botocore's model loader, the same search path (AWS_DATA_PATH included), but asked
    which services exist it looks at the tool's services only: botocore lists every service
    folder it has (about 400) before it loads a model, ~25 ms of CPU for each kind of model
    a client loads (its API, its endpoint rules), ~100 ms a publish."""
    from botocore.loaders import Loader

    class ServicesLoader(Loader):
        def list_available_services(self, type_name: str) -> list[str]:
            found = set()
            for base in self.search_paths:
                for service in typing.get_args(Service):
                    folder = os.path.join(base, service)
                    if os.path.isdir(folder) and any(
                        self.file_loader.exists(os.path.join(folder, version, type_name))
                        for version in os.listdir(folder)
                    ):
                        found.add(service)
            return sorted(found)

    paths = sess.get_config_variable("data_path")
    extra = (
        [os.path.expanduser(os.path.expandvars(p)) for p in paths.split(os.pathsep)]
        if paths
        else None
    )
    return ServicesLoader(extra_search_paths=extra)


def session_region(sess: Session) -> str:
    """The region a session's clients talk to ('' when none is configured)."""
    return str(sess.get_config_variable("region") or "")


@overload
def client(service: Literal["s3"], **options: Unpack[ClientOptions]) -> S3Client: ...
@overload
def client(
    service: Literal["cloudformation"], **options: Unpack[ClientOptions]
) -> CloudFormationClient: ...
@overload
def client(
    service: Literal["cloudfront"], **options: Unpack[ClientOptions]
) -> CloudFrontClient: ...
@overload
def client(
    service: Literal["cloudfront-keyvaluestore"], **options: Unpack[ClientOptions]
) -> CloudFrontKeyValueStoreClient: ...
@overload
def client(service: Literal["route53"], **options: Unpack[ClientOptions]) -> Route53Client: ...
@overload
def client(service: Literal["acm"], **options: Unpack[ClientOptions]) -> ACMClient: ...
@overload
def client(service: Literal["iam"], **options: Unpack[ClientOptions]) -> BaseClient: ...
def client(
    service: Service,
    *,
    region: str | None = None,
    max_pool: int = DEFAULT_MAX_POOL,
    sess: Session | None = None,
    raw_timestamps: bool = False,
) -> BaseClient:
    """A client with botocore's standard retry mode and a pool sized for our thread pool.

    ``AWS_ENDPOINT_URL`` (read by botocore) points every client at the loopback emulator.
    ``raw_timestamps`` keeps response timestamps as the strings AWS sent: parsing every
    LastModified of a 1,000-key listing page into a datetime costs tens of milliseconds,
    and the sync never reads them.

    ``cloudfront-keyvaluestore`` is signed with SigV4A (botocore needs awscrt for it), and
    its endpoint is the store's account id in front of the endpoint's host; with a loopback
    ``AWS_ENDPOINT_URL`` that name resolves nowhere, so the endpoint is its HTTP proxy too.
    """
    from botocore.config import Config

    cfg = Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        max_pool_connections=max_pool,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=120,
        proxies=loopback_proxies() if service == "cloudfront-keyvaluestore" else None,
    )
    with translate_errors():
        made = (sess or session(region)).create_client(service, config=cfg)
    _watch_retries(made)
    if raw_timestamps:
        _leave_timestamps_unparsed(made)
    return made


def publish_s3(sess: Session, *, max_pool: int) -> S3Client:
    """The S3 client of a publish: its object requests go over the wire (``s3wire``: about
    a fifth of botocore's CPU per request), the rest through botocore's client, made on first
    need, that ``client`` gives (raw timestamps)."""
    from .s3wire import wire_client

    def made() -> S3Client:
        return client("s3", max_pool=max_pool, sess=sess, raw_timestamps=True)

    return wire_client(
        sess, made, region=session_region(sess), max_pool=max_pool, watch=retry_watch()
    )


def env_client(
    service: Literal["s3", "cloudformation", "cloudfront-keyvaluestore"],
    region: str,
    botocore: Callable[[], BaseClient],
    *,
    max_pool: int,
) -> BaseClient | None:
    """The publish's S3, CloudFormation or key value store client without botocore, where
    the environment gives the credentials, the region (``region`` first) and the endpoint
    (s3wire.environ): S3's object requests, the stack check and the store's calls over the
    wire, anything else through the client ``botocore`` makes on first need. None when
    botocore should find them itself."""
    from .s3wire import from_environ

    access = from_environ(region)
    if access is None:
        return None
    if service == "s3":
        from .s3wire import env_wire_client

        s3 = cast("Callable[[], S3Client]", botocore)
        return env_wire_client(access, s3, max_pool=max_pool, watch=retry_watch())
    if service == "cloudfront-keyvaluestore":
        from .kvswire import env_client as wire_store

        kvs = cast("Callable[[], CloudFrontKeyValueStoreClient]", botocore)
        return wire_store(access, kvs, watch=retry_watch())
    from .cfnwire import env_client as wire_cloudformation

    cfn = cast("Callable[[], CloudFormationClient]", botocore)
    return wire_cloudformation(access, cfn, watch=retry_watch())


def store_client(region: str = "") -> CloudFrontKeyValueStoreClient:
    """The key value store's client of a task: over the wire where the environment suffices
    (``env_client``), else botocore's."""

    def made() -> CloudFrontKeyValueStoreClient:
        return client("cloudfront-keyvaluestore")

    wire = env_client("cloudfront-keyvaluestore", region, made, max_pool=2)
    return cast("CloudFrontKeyValueStoreClient", wire) if wire is not None else made()


#: One watch for every client of the process: a host's notice is printed once.
_RETRY_WATCH: list[RetryWatch] = []


def retry_watch() -> RetryWatch:
    """The process's RetryWatch (made on first use)."""
    from .retrying import RetryWatch

    if not _RETRY_WATCH:
        _RETRY_WATCH.append(RetryWatch(MAX_ATTEMPTS))
    return _RETRY_WATCH[0]


def _watch_retries(client_: BaseClient) -> None:
    """Put RetryWatch before botocore's retry handler on the client's ``needs-retry`` event:
    no retries of a refused loopback connection, and a notice when a host keeps failing."""
    service = client_.meta.service_model.service_id.hyphenize()
    # botocore acts on what a needs-retry handler returns; the stubs type handlers as None
    handler = cast("Callable[..., None]", retry_watch())
    client_.meta.events.register_first(f"needs-retry.{service}", handler)


def loopback_proxies() -> dict[str, str] | None:
    """``{"http": URL}`` when the store's endpoint (AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE,
    else AWS_ENDPOINT_URL) is a loopback http URL, else None."""
    from urllib.parse import urlsplit

    endpoint = (
        os.environ.get("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE")
        or os.environ.get("AWS_ENDPOINT_URL", "")
    ).rstrip("/")
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return None
    if parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
        return {"http": endpoint}
    return None


def _leave_timestamps_unparsed(client_: BaseClient) -> None:
    """Give one client a response parser factory of its own that keeps timestamps as sent.

    The factory normally belongs to the botocore session and is read at each response; a
    session of its own would cost more to set up (~0.15 s) than the parsing it saves. Where
    a botocore release keeps it elsewhere, the client simply goes on parsing timestamps.
    """
    from botocore.parsers import ResponseParserFactory

    endpoint = getattr(client_, "_endpoint", None)
    if endpoint is None or not hasattr(endpoint, "_response_parser_factory"):
        return
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=str)
    endpoint._response_parser_factory = factory


#: Describes a refusal no rule below knows (an AWS error code and message) as a HostingError.
Refusal = Callable[["ClientError"], HostingError]


@contextlib.contextmanager
def translate_errors(refused: Refusal | None = None) -> Iterator[None]:
    """Turn any botocore failure into a one-line AwsError: credentials, region, permissions,
    an unreachable endpoint, an answer that cannot be parsed, and every other refusal by AWS
    (described by ``refused`` when given)."""
    try:
        yield
    except HostingError:
        raise
    except Exception as exc:
        error = aws_error(exc, refused)
        if error is None:
            raise
        raise error from exc


def one_line(text: object) -> str:
    """Text on one line: every run of whitespace, line breaks included, becomes one space."""
    return " ".join(str(text).split())


def client_error(exc: BaseException) -> ClientError | None:
    """``exc`` when it is a botocore ClientError, else None (botocore.exceptions is imported
    once something failed, not on every request: ``except Exception`` then this)."""
    from botocore.exceptions import ClientError

    return exc if isinstance(exc, ClientError) else None


def refusal(exc: ClientError) -> str:
    """``Operation (Code: message)`` of a botocore ClientError, on one line."""
    err = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = err.get("Code") or status or "no error code"
    message = one_line(err.get("Message") or "")
    return (
        f"{exc.operation_name} ({code}: {message})" if message else f"{exc.operation_name} ({code})"
    )


def aws_error(exc: BaseException, refused: Refusal | None = None) -> HostingError | None:
    """The one-line error for a botocore failure; None for an exception botocore did not
    raise (checked by module first, so nothing is imported for other exceptions)."""
    if not type(exc).__module__.startswith("botocore"):
        return None
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        MissingDependencyException,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )
    from botocore.parsers import ResponseParserError

    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return AwsError(
            f"no AWS credentials found ({exc}): set AWS_PROFILE to a configured profile, "
            "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, NoRegionError):
        return AwsError(
            "no AWS region configured: set AWS_REGION (for example AWS_REGION=us-east-1) "
            "or a region in your AWS profile"
        )
    if isinstance(exc, MissingDependencyException):
        return AwsError(
            f"{exc}: install it into the environment that runs inv (pip install awscrt)"
        )
    if isinstance(exc, ProfileNotFound):
        return AwsError(f"{exc}: set AWS_PROFILE to one of the profiles in ~/.aws/config")
    if isinstance(exc, EndpointConnectionError):
        endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
        hint = (
            f" (AWS_ENDPOINT_URL={endpoint}: is the emulator running? try `inv local.up`)"
            if endpoint
            else ""
        )
        return AwsError(f"cannot reach AWS: {exc}{hint}")
    if isinstance(exc, ClientError):
        return _client_error(exc, refused)
    if isinstance(exc, ResponseParserError):
        first = one_line(str(exc).split("\n", 1)[0][:200]).rstrip(":")
        return AwsError(
            f"an answer from AWS could not be read ({first}): AWS, or a proxy on the way, "
            "sent something that is not an AWS response; run the command again (--debug "
            "shows the answer)"
        )
    if isinstance(exc, BotoCoreError):
        return AwsError(
            f"an AWS request failed ({type(exc).__name__}: {one_line(exc)}): run the command "
            "again once the cause is fixed (--debug shows where it failed)"
        )
    return None


def _client_error(exc: ClientError, refused: Refusal | None) -> HostingError:
    err = exc.response.get("Error", {})
    code = str(err.get("Code", ""))
    op = exc.operation_name
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return AwsError(
            f"access denied for {op}: {one_line(err.get('Message', ''))} -- grant the calling "
            f"identity permission for {op} (see README, 'Permissions')"
        )
    credentials = {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"}
    if code in credentials | {"InvalidSignatureException", "UnrecognizedClientException"}:
        return AwsError(
            f"AWS rejected the credentials ({code}): refresh them or set AWS_PROFILE "
            "to a profile with valid credentials"
        )
    if refused is not None:
        return refused(exc)
    return AwsError(f"AWS refused {refusal(exc)}: fix what AWS names and run the command again")
