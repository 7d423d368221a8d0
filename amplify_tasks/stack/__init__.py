"""The hosting stack: the deploy plan (data), change sets, waiting and events, outputs,
status, the stack's bucket and taking a stage down.

The names load their modules on first use (``amplify_tasks.lazy``): a publish never imports
the status, removal or unlocking code. ``deploy`` is also a module's name: it is imported here.
"""

from typing import TYPE_CHECKING

from amplify_tasks.lazy import lazy_names

from .deploy import deploy, deploy_stage

if TYPE_CHECKING:
    from .bucket import BucketReplacement, empty_bucket
    from .events import describe
    from .outputs import StackOutputs, outputs_of, stack_outputs
    from .plan import DeployResult, plan_deploy
    from .remove import confirmation, remove_stage
    from .resolve import reachable_url
    from .site_url import emulator_endpoint, working_url
    from .status import StatusReport, stage_status
    from .unlock import unlock_stage
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "bucket": ("BucketReplacement", "empty_bucket"),
            "events": ("describe",),
            "outputs": ("StackOutputs", "outputs_of", "stack_outputs"),
            "plan": ("DeployResult", "plan_deploy"),
            "remove": ("confirmation", "remove_stage"),
            "resolve": ("reachable_url",),
            "site_url": ("emulator_endpoint", "working_url"),
            "status": ("StatusReport", "stage_status"),
            "unlock": ("unlock_stage",),
        },
    )

__all__ = [
    "BucketReplacement",
    "DeployResult",
    "StackOutputs",
    "StatusReport",
    "confirmation",
    "deploy",
    "deploy_stage",
    "describe",
    "empty_bucket",
    "emulator_endpoint",
    "outputs_of",
    "plan_deploy",
    "reachable_url",
    "remove_stage",
    "stack_outputs",
    "stage_status",
    "unlock_stage",
    "working_url",
]
