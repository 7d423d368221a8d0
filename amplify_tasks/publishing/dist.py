"""The dist folder checked before anything is deployed: missing, not a folder, or empty is
one line that names the settings file HOSTING_DIST_DIR comes from, and the build."""

from __future__ import annotations

from collections.abc import Callable

from amplify_tasks.project import Project
from amplify_tasks.settings import Settings, check_dist_dir

from .options import PublishOptions

KEY = "HOSTING_DIST_DIR"


def check_dist_folder(
    project: Project, settings: Settings, options: PublishOptions, ignore: Callable[[str], bool]
) -> None:
    """DistError (bad input) unless the dist folder holds a file to publish (SettingsError
    when it is a folder publish may not upload, as check_dist_dir says)."""
    from amplify_tasks.sync import DistError, check_publishable

    dist = check_dist_dir(project, settings)
    try:
        check_publishable(dist, ignore)
    except DistError as exc:
        fix = _fix(project, settings, options, exc.empty)
        raise DistError(exc.problem, fix, empty=exc.empty) from None


def _setting(project: Project, settings: Settings) -> str:
    """Where to change HOSTING_DIST_DIR: the file (or environment) that sets it."""
    from amplify_tasks.settings import source_of

    source = source_of(project, settings.stage, KEY)
    if source == "default":
        stage_file = project.env_file(settings.stage).name
        return f"set {KEY} in {stage_file} to the folder your build writes (default: dist)"
    where = "the environment" if source == "environment" else source
    return f"point {KEY}={settings.dist_dir} (in {where}) at the folder your build writes"


def _fix(project: Project, settings: Settings, options: PublishOptions, empty: bool) -> str:
    setting = _setting(project, settings)
    if empty:
        return f"check the build output and {settings.ignore_file}, or {setting}"
    command = settings.build_command
    if options.skip_build:
        build = "run the build (publish without --skip-build)" if command else "build the site"
    elif command:
        build = f"make the build (`{command}`) write it"
    else:
        build = "build the site first (HOSTING_BUILD_COMMAND is not set, so publish builds nothing)"
    return f"{build}, or {setting}"
