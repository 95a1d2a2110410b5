"""The worker's report outbox outlives its container: a Modal Volume, or the RunPod pod's volume."""

from __future__ import annotations

from pathlib import Path

from gpu_worker import modal_app, runpod_entry
from shared.settings import load_settings


def test_given_a_runpod_pod_with_a_volume_then_the_outbox_is_on_the_volume() -> None:
    # GIVEN a pod (RunPod sets RUNPOD_POD_ID) with its volume mounted at /workspace
    volumes = {"/workspace", "/mnt/net"}
    overrides = runpod_entry.volume_overrides({"RUNPOD_POD_ID": "abc"}, is_dir=volumes.__contains__)
    # THEN the data folder, and with it the outbox, is on that volume
    assert overrides == {"BUDDYHELPS_DATA_DIR": "/workspace/buddyhelps"}
    settings = load_settings(**overrides)
    assert settings.outbox_dir == Path("/workspace/buddyhelps/worker-outbox")
    # AND a network volume mounted elsewhere is followed
    elsewhere = {"RUNPOD_POD_ID": "abc", "RUNPOD_VOLUME_PATH": "/mnt/net/"}
    assert runpod_entry.volume_overrides(elsewhere, is_dir=volumes.__contains__) == {
        "BUDDYHELPS_DATA_DIR": "/mnt/net/buddyhelps"
    }


def test_given_no_pod_or_no_volume_then_the_data_folder_is_left_as_configured() -> None:
    assert runpod_entry.volume_overrides({}, is_dir=lambda _: True) == {}
    assert runpod_entry.volume_overrides({"RUNPOD_POD_ID": "abc"}, is_dir=lambda _: False) == {}


def test_given_the_modal_image_then_the_outbox_is_on_the_mounted_volume_not_tmp() -> None:
    settings = load_settings(BUDDYHELPS_DATA_DIR=modal_app.GPU_ENVIRONMENT["BUDDYHELPS_DATA_DIR"])
    assert settings.outbox_dir.is_relative_to(modal_app.OUTBOX_MOUNT)
    assert not settings.outbox_dir.is_relative_to("/tmp")
    assert modal_app.outbox_volume is not None
