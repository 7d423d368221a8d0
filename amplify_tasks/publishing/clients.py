"""The AWS clients of one publish: one botocore session per region (its loaded models are
reused), the stack's region once the outputs name it, one client per service and region
made once and kept for the whole publish (the S3 one sized for the pool): making a client
loads its model and costs tens of milliseconds. S3, CloudFormation and the key value store
go without botocore where the environment gives all they need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, overload

from amplify_tasks import aws

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.session import Session
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client


class Clients:
    """Clients by service; ``region`` tells the stack's region ('' before it is known)."""

    def __init__(self, region: Callable[[], str], max_pool: int) -> None:
        self.region = region
        self.max_pool = max_pool
        self._sessions: dict[str, Session] = {}
        self._made: dict[tuple[str, str], BaseClient] = {}

    @overload
    def get(self, service: Literal["s3"], region: str | None = None) -> S3Client: ...
    @overload
    def get(
        self, service: Literal["cloudformation"], region: str | None = None
    ) -> CloudFormationClient: ...
    @overload
    def get(
        self, service: Literal["cloudfront"], region: str | None = None
    ) -> CloudFrontClient: ...
    @overload
    def get(
        self, service: Literal["cloudfront-keyvaluestore"], region: str | None = None
    ) -> CloudFrontKeyValueStoreClient: ...
    def get(self, service: aws.Service, region: str | None = None) -> BaseClient:
        """The client of ``service`` in ``region`` (None: the stack's, as ``region`` tells)."""
        region = self.region() if region is None else region
        key = (service, "" if service == "s3" else region)  # S3 answers every region
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(service, region)
        return made

    def _make(self, service: aws.Service, region: str) -> BaseClient:
        if service in ("s3", "cloudformation", "cloudfront-keyvaluestore"):  # over the wire
            made = aws.env_client(
                service, region, lambda: self._botocore(service, region), max_pool=self.max_pool
            )
            if made is not None:
                return made
        sess = self._session(region)
        if service == "s3":
            return aws.publish_s3(sess, max_pool=self.max_pool)
        return aws.client(service, sess=sess)

    def _session(self, region: str) -> Session:
        if "" not in self._sessions:
            self._sessions[""] = aws.session()
        if region == aws.session_region(self._sessions[""]):
            region = ""
        if region not in self._sessions:
            self._sessions[region] = aws.session(region)
        return self._sessions[region]

    def _botocore(self, service: aws.Service, region: str) -> BaseClient:
        """botocore's own client (S3's with raw timestamps, as publish_s3's fallback)."""
        raw = service == "s3"
        sess = self._session(region)
        return aws.client(service, sess=sess, max_pool=self.max_pool, raw_timestamps=raw)
