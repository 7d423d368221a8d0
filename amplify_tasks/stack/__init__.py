"""The hosting stack: the deploy plan (data), change sets, waiting and events, outputs,
status, the stack's bucket and taking a stage down.
"""

from .bucket import BucketReplacement, empty_bucket
from .deploy import deploy, deploy_stage
from .events import describe
from .outputs import StackOutputs, outputs_of, stack_outputs
from .plan import DeployResult, plan_deploy
from .remove import confirmation, remove_stage
from .resolve import reachable_url
from .site_url import emulator_endpoint, working_url
from .status import StatusReport, stage_status
from .unlock import unlock_stage

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
