"""Workspace policy: defaults from the environment (and west's configuration), the command line wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.cli.app import build_parser, main
from zsec_west.cli.policy import apply_policy, load_policy
from zsec_west.errors import UsageError

BUILD = BUILDS["mcuboot-sysbuild"]


def parsed(*argv: str):
    return build_parser().parse_args(list(argv))


def test_environment_beats_west_config_and_paths_from_west_config_are_workspace_relative(tmp_path: Path):
    config = {"zsec.profile": "strict", "zsec.waivers": "policy/waivers.yaml", "zsec.rules": "a.yaml:/abs/b.yaml"}
    policy = load_policy({"ZSEC_PROFILE": "production"}, config.get, tmp_path)
    args = parsed("check", "-d", "build")
    notes = apply_policy(args, policy)
    assert args.profile == "production"
    assert args.waivers == tmp_path / "policy" / "waivers.yaml"
    assert args.rules == [tmp_path / "a.yaml", Path("/abs/b.yaml")]
    assert args.fail_on == "low"  # nothing set: the command's own default
    assert "profile from ZSEC_PROFILE" in notes and "waivers from west config zsec.waivers" in notes


def test_the_command_line_wins_even_when_it_gives_the_default():
    policy = load_policy({"ZSEC_PROFILE": "production", "ZSEC_FAIL_ON": "high", "ZSEC_RULES": "x.yaml"})
    args = parsed("check", "--profile", "base", "--fail-on", "low", "--rules", "mine.yaml")
    apply_policy(args, policy)
    assert (args.profile, args.fail_on, args.rules) == ("base", "low", [Path("mine.yaml")])


def test_each_command_takes_only_its_settings():
    policy = load_policy({"ZSEC_FAIL_ON": "critical", "ZSEC_VULN_DATA": "/nvd", "ZSEC_SIGN_KEY": "k.pem",
                          "ZSEC_PROFILE": "strict"})
    sbom = parsed("sbom")
    apply_policy(sbom, policy)
    assert (sbom.fail_on, sbom.vuln_data) == ("critical", ["/nvd"])
    sign = parsed("sign", "--build-dir", "b")
    apply_policy(sign, policy)
    assert sign.key == "k.pem"
    verify = parsed("sign", "verify", "image.bin")  # -k of verify is not the signing key
    apply_policy(verify, policy)
    assert verify.key is None
    command = parsed("sign", "--sign-command", "signer", "--sign-command-pubkey", "p.pem", "--build-dir", "b")
    apply_policy(command, policy)
    assert command.key is None  # with a signing command, -k would be its public key


@pytest.mark.parametrize(("env", "message"), [
    ({"ZSEC_FAIL_ON": "hgh"}, "ZSEC_FAIL_ON: 'hgh' is not a severity"),
    ({"ZSEC_SIGN_KEY": "pkcs11:token=a;object=b?pin-value=1"}, "ZSEC_SIGN_KEY: the pkcs11: URI carries the token PIN"),
])
def test_bad_policy_values_name_their_origin(env: dict, message: str):
    args = parsed("sign", "--build-dir", "b") if "SIGN" in next(iter(env)) else parsed("check")
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        apply_policy(args, load_policy(env))


def test_zsec_reads_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("NO_COLOR", "1")

    def profile_run(*extra: str) -> dict:
        capsys.readouterr()
        main(["check", "-d", str(BUILD), "--format", "json", *extra])
        return json.loads(capsys.readouterr().out)

    base = profile_run()
    monkeypatch.setenv("ZSEC_PROFILE", "production")
    production = profile_run()
    assert len(production["findings"]) > len(base["findings"])
    assert profile_run("--profile", "base")["findings"] == base["findings"]
    monkeypatch.setenv("ZSEC_FAIL_ON", "nonsense")
    assert main(["check", "-d", str(BUILD)]) == 2
    assert capsys.readouterr().err.strip() == ("zsec check: error: ZSEC_FAIL_ON: 'nonsense' is not a severity "
                                               "(info, low, medium, high, critical)")
