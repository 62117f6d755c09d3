"""doctor's wheel check, against local wheel folders only (`--no-index --find-links`)."""

from __future__ import annotations

from deploy_projects import build_wheel, function_config, run_doctor, write_json, write_text

REQUIREMENTS = "functions/job/requirements.txt"


def wheel_project(root, requirements: str):
    write_json(root / "catalyst.json", {"functions": {"targets": ["job"], "source": "functions"}})
    folder = root / "functions" / "job"
    write_json(folder / "catalyst-config.json", function_config("job", "event"))
    write_text(folder / "main.py", "import tinylib\n\n\ndef handler(event, context):\n"
                                   "    tinylib.run()\n")
    write_text(folder / "requirements.txt", requirements)
    return root


def test_requirements_with_wheels_pass(tmp_path):
    wheels = tmp_path / "wheels"
    build_wheel(wheels, "tinylib", "1.0", {"tinylib/__init__.py": "def run():\n    pass\n"})
    root = wheel_project(tmp_path / "project", "tinylib==1.0\n")

    result = run_doctor(root, "--no-index", "--find-links", wheels)

    assert result.stdout == "doctor: no problems found\n"
    assert result.exit_code == 0


def test_each_requirement_without_a_manylinux_wheel_is_named(tmp_path):
    wheels = tmp_path / "wheels"
    build_wheel(wheels, "tinylib", "1.0", {"tinylib/__init__.py": ""})
    build_wheel(wheels, "maconly", "2.0", {"maconly/__init__.py": ""},
                tag="cp311-cp311-macosx_11_0_arm64")
    root = wheel_project(tmp_path / "project", "tinylib==1.0\nmaconly==2.0\nabsent==3.0\n")

    result = run_doctor(root, "--no-index", "--find-links", wheels)

    lines = result.stdout.splitlines()
    assert lines[-1] == "doctor: 2 errors, 0 warnings"
    for line, name in zip(lines[:-1], ("maconly==2.0", "absent==3.0"), strict=True):
        short = name.split("==")[0]
        assert line.startswith(f"ERROR {REQUIREMENTS}: {short}: has no manylinux2014_x86_64 "
                               "wheel for Python 3.11 that pip can fetch (pip: ")
        assert name in line
        assert line.endswith("). Pick a version that publishes binary wheels for Linux x86_64, "
                             "or drop the dependency.")
    assert result.exit_code == 1


def test_offline_skips_the_wheel_check(tmp_path):
    root = wheel_project(tmp_path / "project", "tinylib==9.9\n")
    result = run_doctor(root, "--offline", "--no-index")
    assert result.stdout == "doctor: no problems found\n"
    assert result.exit_code == 0
