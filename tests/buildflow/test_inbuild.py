"""The in-build runner (zsec_west.cli.inbuild): which build and domain a directory is, which settings
apply, and the `zsec` options they become."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.cli.inbuild import Settings, check_options, locate, sbom_options, sign_options
from zsec_west.errors import UsageError


def settings(image: str = "", sysbuild: str = "", bases: tuple[Path, ...] = ()) -> Settings:
    levels = []
    if image:
        levels.append(KconfigValues.parse(image, prefix="CONFIG_"))
    if sysbuild:
        levels.append(KconfigValues.parse(sysbuild, prefix="SB_CONFIG_"))
    return Settings(tuple(levels), bases)


def test_a_sysbuild_image_directory_is_its_domain_of_the_top_build():
    top = BUILDS["mcuboot-sysbuild"]
    located = locate(top / "hello_world")
    assert located.build.top == top.resolve() and located.domain is not None
    assert located.domain.name == "hello_world" and located.image is located.domain
    whole = locate(top)
    assert whole.domain is None and whole.image is None and whole.build.is_sysbuild


def test_a_build_without_sysbuild_is_its_own_image():
    located = locate(BUILDS["hello"])
    assert located.domain is None and located.image is located.build.default


def test_the_image_setting_wins_and_empty_ones_fall_through():
    s = settings(image='CONFIG_ZSEC_SIGN_KEY="/img.pem"\nCONFIG_ZSEC_SIGN_PIN_ENV=""\n',
                 sysbuild='SB_CONFIG_ZSEC_SIGN_KEY="/sb.pem"\nSB_CONFIG_ZSEC_SIGN_PIN_ENV="PIN"\n')
    assert s.text("SIGN_KEY") == ("/img.pem", "CONFIG_ZSEC_SIGN_KEY")
    assert s.text("SIGN_PIN_ENV") == ("PIN", "SB_CONFIG_ZSEC_SIGN_PIN_ENV")
    assert s.text("CHECK_PROFILE") is None


def test_relative_paths_prefer_the_application_then_the_workspace(tmp_path: Path):
    app, ws = tmp_path / "app", tmp_path / "ws"
    (app / "keys").mkdir(parents=True)
    (app / "keys" / "here.pem").write_text("x")
    ws.mkdir()
    s = settings(bases=(app, ws))
    assert s.path("keys/here.pem") == str(app / "keys" / "here.pem")
    assert s.path("keys/elsewhere.pem") == str(ws / "keys" / "elsewhere.pem")
    assert s.path("/abs/key.pem") == "/abs/key.pem"


def test_sign_options_for_each_kind_of_key(tmp_path: Path):
    pem = sign_options(settings(sysbuild='SB_CONFIG_ZSEC_SIGN_KEY="keys/release.pem"\n', bases=(tmp_path,)))
    assert pem == ["-k", str(tmp_path / "keys" / "release.pem"), "--allow-dev-key", "--allow-untrusted-key"]

    uri = "pkcs11:token=prod;object=fw?module-path=/usr/lib/p11.so&pin-source=file:/run/pin"
    hsm = sign_options(settings(sysbuild=f'SB_CONFIG_ZSEC_SIGN_KEY="{uri}"\nSB_CONFIG_ZSEC_SIGN_PIN_ENV="HSM_PIN"\n'
                                         "SB_CONFIG_ZSEC_RELEASE=y\n"))
    assert hsm == ["-k", uri, "--key-password-env", "HSM_PIN"]  # release: neither allowance

    command = sign_options(settings(sysbuild='SB_CONFIG_ZSEC_SIGN_KEY="command:vault-sign --key fw"\n'
                                             'SB_CONFIG_ZSEC_SIGN_PUBKEY="/keys/fw.pub.pem"\n'))
    assert command == ["--sign-command", "vault-sign --key fw", "--sign-command-pubkey", "/keys/fw.pub.pem",
                       "--allow-dev-key", "--allow-untrusted-key"]
    # No key setting: zsec falls back to the workspace policy, then to the build's own key.
    assert sign_options(settings(sysbuild="SB_CONFIG_ZSEC_SIGN=y\n")) == ["--allow-dev-key", "--allow-untrusted-key"]


@pytest.mark.parametrize(("config", "message"), [
    ('SB_CONFIG_ZSEC_SIGN_KEY="pkcs11:token=t;object=k?pin-value=1234"\n',
     "SB_CONFIG_ZSEC_SIGN_KEY: the pkcs11: URI carries the token PIN (pin-value)"),
    ('SB_CONFIG_ZSEC_SIGN_KEY="command:sign-it"\n', "needs the public key"),
    ('SB_CONFIG_ZSEC_SIGN_KEY="command: "\n', "is not followed by a command"),
])
def test_sign_settings_that_cannot_work_are_refused(config: str, message: str):
    with pytest.raises(UsageError) as caught:
        sign_options(settings(sysbuild=config))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_check_and_sbom_options(tmp_path: Path):
    s = settings(sysbuild='SB_CONFIG_ZSEC_CHECK_PROFILE="production"\nSB_CONFIG_ZSEC_CHECK_FAIL_ON="High"\n'
                          'SB_CONFIG_ZSEC_CHECK_RULES="a.yaml \'my rules.yaml\'"\nSB_CONFIG_ZSEC_CHECK_WARN_ONLY=y\n'
                          'SB_CONFIG_ZSEC_CHECK_WAIVERS="/w.yaml"\n'
                          'SB_CONFIG_ZSEC_SBOM_FORMAT="spdx-tv"\nSB_CONFIG_ZSEC_SBOM_VULN_DATA="/nvd"\n',
                 bases=(tmp_path,))
    assert check_options(s) == ["--profile", "production", "--fail-on", "high", "--waivers", "/w.yaml",
                                "--rules", str(tmp_path / "a.yaml"), "--rules", str(tmp_path / "my rules.yaml"),
                                "--exit-zero"]
    assert sbom_options(s) == ["--sbom-format", "spdx-tv", "--vuln-data", "/nvd", "--exit-zero"]
    assert sbom_options(settings(sysbuild='SB_CONFIG_ZSEC_SBOM_FAIL_ON="critical"\n')) == ["--fail-on", "critical"]
    with pytest.raises(UsageError, match="SB_CONFIG_ZSEC_SBOM_FORMAT: 'spdx' is not a document format"):
        sbom_options(settings(sysbuild='SB_CONFIG_ZSEC_SBOM_FORMAT="spdx"\n'))
    with pytest.raises(UsageError, match="SB_CONFIG_ZSEC_CHECK_FAIL_ON: 'severe' is not a severity"):
        check_options(settings(sysbuild='SB_CONFIG_ZSEC_CHECK_FAIL_ON="severe"\n'))
