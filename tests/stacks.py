"""CloudFormation templates the tests create on the emulator."""

from __future__ import annotations

from typing import Any


def website_template(bucket: str, error_document: str = "404.html") -> dict[str, Any]:
    """One website bucket named ``bucket``, its WebsiteURL as an output."""
    return {
        "Resources": {
            "Site": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": bucket,
                    "WebsiteConfiguration": {
                        "IndexDocument": "index.html",
                        "ErrorDocument": error_document,
                    },
                },
            }
        },
        "Outputs": {"WebsiteURL": {"Value": {"Fn::GetAtt": ["Site", "WebsiteURL"]}}},
    }
