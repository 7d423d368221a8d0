"""The demo site's tasks: the amplify-tasks namespace (hosting.*, local.*, publish)."""

from amplify_tasks import namespace as ns

__all__ = ["ns"]
