"""The one place that builds AWS sessions and clients, and turns credential,
region and permission failures into one-line HostingErrors that name the fix.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, cast, overload

from .errors import AwsError

if TYPE_CHECKING:
    from typing import TypedDict

    from botocore.client import BaseClient
    from botocore.session import Session
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudfront import CloudFrontClient
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
Service = Literal["s3", "cloudformation", "cloudfront"]

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
    # Some botocore releases read only AWS_DEFAULT_REGION; AWS_REGION is what users set.
    chosen = region or os.environ.get("AWS_REGION")
    if chosen:
        sess.set_config_variable("region", chosen)
    return sess


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
    """
    from botocore.config import Config

    cfg = Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        max_pool_connections=max_pool,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=120,
    )
    with translate_errors():
        made = (sess or session(region)).create_client(service, config=cfg)
    _watch_retries(made)
    if raw_timestamps:
        _leave_timestamps_unparsed(made)
    return made


#: One watch for every client of the process: a host's notice is printed once.
_RETRY_WATCH: list[RetryWatch] = []


def _watch_retries(client_: BaseClient) -> None:
    """Put RetryWatch before botocore's retry handler on the client's ``needs-retry`` event:
    no retries of a refused loopback connection, and a notice when a host keeps failing."""
    from .retrying import RetryWatch

    if not _RETRY_WATCH:
        _RETRY_WATCH.append(RetryWatch(MAX_ATTEMPTS))
    service = client_.meta.service_model.service_id.hyphenize()
    # botocore acts on what a needs-retry handler returns; the stubs type handlers as None
    handler = cast("Callable[..., None]", _RETRY_WATCH[0])
    client_.meta.events.register_first(f"needs-retry.{service}", handler)


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


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn botocore's credential, region and AccessDenied errors into AwsError."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise AwsError(
            f"no AWS credentials found ({exc}): set AWS_PROFILE to a configured profile, "
            "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ) from exc
    except NoRegionError as exc:
        raise AwsError(
            "no AWS region configured: set AWS_REGION (for example AWS_REGION=us-east-1) "
            "or a region in your AWS profile"
        ) from exc
    except ProfileNotFound as exc:
        raise AwsError(f"{exc}: set AWS_PROFILE to one of the profiles in ~/.aws/config") from exc
    except EndpointConnectionError as exc:
        endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
        hint = (
            f" (AWS_ENDPOINT_URL={endpoint}: is the emulator running? try `inv local.up`)"
            if endpoint
            else ""
        )
        raise AwsError(f"cannot reach AWS: {exc}{hint}") from exc
    except ClientError as exc:
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
            op = exc.operation_name
            raise AwsError(
                f"access denied for {op}: {err.get('Message', '')} -- grant the calling "
                f"identity permission for {op} (see README, 'Permissions')"
            ) from exc
        if code in {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"}:
            raise AwsError(
                f"AWS rejected the credentials ({code}): refresh them or set AWS_PROFILE "
                "to a profile with valid credentials"
            ) from exc
        raise
