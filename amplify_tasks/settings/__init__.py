"""Per-stage settings: `.env` (shared) and `.env.<stage>` read into one frozen, validated
Settings (the process environment wins over both); writing keeps comments.

The names load their modules on first use (``amplify_tasks.lazy``): loading a stage's
settings does not import the settings reference or the writing of settings files.
"""

from typing import TYPE_CHECKING

from amplify_tasks.lazy import lazy_names

if TYPE_CHECKING:
    from .domain import zone_problem
    from .files import ENVIRONMENT, load_settings, read_env_file, stage_names, stage_values
    from .keys import FIELD_KEYS, KEYS, Key
    from .model import ErrorResponse, Settings
    from .paths import check_dist_dir
    from .reference import SettingsReference, settings_reference, source_of
    from .validate import (
        build_settings,
        format_error_responses,
        parse_error_response,
        parse_error_responses,
        sanitize_app_name,
        validate_stage_name,
    )
    from .views import as_values, public_settings
    from .writing import write_settings
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "domain": ("zone_problem",),
            "files": (
                "ENVIRONMENT",
                "load_settings",
                "read_env_file",
                "stage_names",
                "stage_values",
            ),
            "keys": ("FIELD_KEYS", "KEYS", "Key"),
            "model": ("ErrorResponse", "Settings"),
            "paths": ("check_dist_dir",),
            "reference": ("SettingsReference", "settings_reference", "source_of"),
            "validate": (
                "build_settings",
                "format_error_responses",
                "parse_error_response",
                "parse_error_responses",
                "sanitize_app_name",
                "validate_stage_name",
            ),
            "views": ("as_values", "public_settings"),
            "writing": ("write_settings",),
        },
    )

__all__ = [
    "ENVIRONMENT",
    "FIELD_KEYS",
    "KEYS",
    "ErrorResponse",
    "Key",
    "Settings",
    "SettingsReference",
    "as_values",
    "build_settings",
    "check_dist_dir",
    "format_error_responses",
    "load_settings",
    "parse_error_response",
    "parse_error_responses",
    "public_settings",
    "read_env_file",
    "sanitize_app_name",
    "settings_reference",
    "source_of",
    "stage_names",
    "stage_values",
    "validate_stage_name",
    "write_settings",
    "zone_problem",
]
