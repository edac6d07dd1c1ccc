"""What a result was computed with (genrelib.provenance): versions and settings tables."""

from __future__ import annotations

import numpy as np

from genrelib.provenance import settings_table, versions


def test_versions_lists_python_and_numpy() -> None:
    found = versions(("numpy", "surely-not-a-package"))
    assert found["numpy"] == np.__version__
    assert found["surely-not-a-package"] == "not installed" and "python" in found


def test_settings_table_shows_each_value_with_its_own_type() -> None:
    from genrelib import FeatureConfig, get_profile

    train = get_profile("quick").train
    table = settings_table(train)
    assert list(table.columns) == ["TrainConfig"]
    assert list(table.index) == list(train.to_dict())
    html = table.to_html()
    assert f"<td>{train.epochs}</td>" in html and f"<td>{train.batch_size}</td>" in html
    assert ".000000" not in html and "3.0<" not in html
    assert table.loc["learning_rate", "TrainConfig"] == train.learning_rate
    features = settings_table(FeatureConfig(), name="features")
    assert features.loc["kind", "features"] == "mel" and features.loc["n_mels", "features"] == 128
    assert list(settings_table({"a": 1, "b": 0.5}).loc[:, "value"]) == [1, 0.5]
    # A setting left at None says what None means (every chapter showed "devices None").
    assert table.loc["devices", "TrainConfig"] == "None (every visible device)"
    assert settings_table(train.__class__(devices=2)).loc["devices", "TrainConfig"] == 2
    assert settings_table({"devices": None}).loc["devices", "value"] is None  # a mapping has no meanings


def test_machine_description_names_the_cpu_and_its_widest_vector_instructions(tmp_path) -> None:
    """Two records trained alike on two CPUs can differ beyond their seed (math kernels choose
    their code by the vector instructions), so a record names the CPU: model and widest SIMD.

    Break tried: the flags line ignored -> no "AVX-512"/"NEON" in the description."""
    import platform

    from genrelib.provenance import machine_description

    system = f"{platform.system()} {platform.machine()}"
    intel = tmp_path / "intel"
    intel.write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu sse2 avx avx2 "
                     "avx512f\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu\n")
    assert machine_description(intel) == f"{system}, Intel(R) Xeon(R) Processor, AVX-512"
    amd = tmp_path / "amd"
    amd.write_text("model name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 avx avx2 fma\n")
    assert machine_description(amd) == f"{system}, AMD EPYC 7B13, AVX2"
    arm = tmp_path / "arm"  # aarch64 names no model in cpuinfo on many machines, only features
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: 0x41\n")
    assert machine_description(arm) == f"{system}, NEON"
    assert machine_description(tmp_path / "absent").startswith(system)  # no cpuinfo: platform.processor()


def test_cpu_of_reads_the_cpu_back_and_says_when_a_record_names_none(tmp_path) -> None:
    """Tables of records show the CPU part of ``machine`` (records made before it was recorded
    say only "Linux x86_64").

    Break tried: ``partition(", ")`` replaced by ``rpartition`` -> "AVX-512" alone, fails."""
    from genrelib.provenance import CPU_NOT_RECORDED, cpu_of, machine_description

    intel = tmp_path / "intel"
    intel.write_text("model name\t: Intel(R) Xeon(R) Processor\nflags\t\t: avx2 avx512f\n")
    assert cpu_of(machine_description(intel)) == "Intel(R) Xeon(R) Processor, AVX-512"
    assert cpu_of("Linux x86_64, AMD EPYC 7B13, AVX2") == "AMD EPYC 7B13, AVX2"
    assert cpu_of("Linux x86_64") == cpu_of(None) == cpu_of("") == CPU_NOT_RECORDED == "not recorded"


def test_renaming_a_source_file_changes_the_digest(tmp_path) -> None:
    """``source_digest`` hashes each file's relative path with its bytes: a file renamed,
    its content unchanged, gives another digest.

    Break tried: the path left out of the digest -> a rename keeps the same digest."""
    from genrelib.provenance import source_digest

    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = source_digest(tmp_path)
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    assert source_digest(tmp_path) != before
