"""`mailhygiene report RESULT.json` and the html/pdf formats and branding options."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from support.cli_run import cli
from support.report_fixtures import DEMO_RESULT, demo_document, tiny_png

from audit.cli import main


def test_report_re_renders_json_as_html_text_junit_and_json(capsys, tmp_path):
    outputs = [tmp_path / name for name in ("r.html", "r.txt", "r.xml", "r.json")]
    args = [arg for path in outputs for arg in ("-o", str(path))]
    code, _, err = cli(capsys, "report", str(DEMO_RESULT), *args)
    assert (code, err) == (0, "")
    assert "Fix these first" in outputs[0].read_text(encoding="utf-8")
    assert "BLACKLIST_LISTED" in outputs[1].read_text(encoding="utf-8")
    assert ET.fromstring(outputs[2].read_text(encoding="utf-8")).tag == "testsuites"
    assert json.loads(outputs[3].read_text(encoding="utf-8")) == demo_document()


def small_result(tmp_path) -> str:
    """The demo result without its DNS appendix: quicker to lay out as a PDF."""
    document = demo_document()
    document["appendix"]["dns"] = []
    saved = tmp_path / "small.json"
    saved.write_text(json.dumps(document), encoding="utf-8")
    return str(saved)


@pytest.mark.slow
def test_report_writes_a_pdf(capsys, tmp_path):
    code, _, err = cli(capsys, "report", small_result(tmp_path), "-o", str(tmp_path / "r.pdf"))
    assert (code, err) == (0, "")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_report_exits_0_even_when_the_audit_failed(capsys, tmp_path):
    assert demo_document()["summary"]["exit_code"] == 1
    code, _, _ = cli(capsys, "report", str(DEMO_RESULT), "-o", str(tmp_path / "r.html"))
    assert code == 0


@pytest.mark.parametrize(
    "content",
    ["not json", '{"schema_version": "1"}', '{"x": 1}', "[]"],
    ids=["not-json", "schema-invalid", "not-a-result", "array"],
)
def test_an_invalid_result_file_is_one_line_and_exit_2(capsys, tmp_path, content):
    saved = tmp_path / "bad.json"
    saved.write_text(content, encoding="utf-8")
    code, _, err = cli(capsys, "report", str(saved), "-o", str(tmp_path / "r.html"))
    assert code == 2
    assert err.startswith("mailhygiene: error: ") and err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_a_missing_result_file_is_exit_2(capsys, tmp_path):
    code, _, err = cli(
        capsys, "report", str(tmp_path / "nope.json"), "-o", str(tmp_path / "r.html")
    )
    assert code == 2 and "cannot read" in err


def test_branding_options_reach_the_report(capsys, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    out = tmp_path / "r.html"
    code, _, _ = cli(
        capsys, "report", str(DEMO_RESULT), "-o", str(out), "--brand-name", "Acme Mail",
        "--brand-logo", str(logo), "--client-name", "Northwind <Traders>",
        "--prepared-by", "J. Smith",
    )  # fmt: skip
    html = out.read_text(encoding="utf-8")
    assert code == 0
    assert "Acme Mail" in html and "Northwind &lt;Traders&gt;" in html and "J. Smith" in html
    assert 'src="data:image/png;base64,' in html


@pytest.mark.parametrize(
    ("name", "content"),
    [("logo.gif", b"GIF89a...."), ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 1_000_001)],
    ids=["not-an-image", "too-large"],
)
def test_a_bad_logo_is_exit_2(capsys, tmp_path, name, content):
    logo = tmp_path / name
    logo.write_bytes(content)
    code, _, err = cli(
        capsys,
        "report",
        str(DEMO_RESULT),
        "-o",
        str(tmp_path / "r.html"),
        "--brand-logo",
        str(logo),
    )
    assert code == 2 and "--brand-logo" in err


def test_a_missing_logo_for_audit_is_exit_2_before_any_query(capsys, tmp_path):
    code, _, err = cli(
        capsys, "audit", "example.test", "--nameserver", "127.0.0.1:9",
        "--brand-logo", str(tmp_path / "none.png"), "-o", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert code == 2 and "--brand-logo" in err


def test_html_and_pdf_formats_are_planned_from_the_extension():
    from audit.cli.common import plan_outputs

    planned = plan_outputs(["a.html", "b.pdf"], None)
    assert [o.format for o in planned] == ["html", "pdf"]


def test_pdf_is_refused_on_a_terminal(monkeypatch):
    import sys

    from audit.cli.common import plan_outputs
    from audit.model.errors import InputError

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(InputError, match="terminal"):
        plan_outputs(["-"], "pdf")


@pytest.mark.slow
def test_a_piped_pdf_goes_to_stdout_as_bytes(capsysbinary, tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["report", small_result(tmp_path), "--format", "pdf", "-o", "-"])
    assert exited.value.code == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF")


def test_re_rendering_a_saved_result_as_json_is_byte_identical(capsys, tmp_path):
    out = tmp_path / "again.json"
    code, _, err = cli(capsys, "report", str(DEMO_RESULT), "-o", str(out))
    assert (code, err) == (0, "")
    assert out.read_bytes() == DEMO_RESULT.read_bytes()


def test_an_unknown_format_is_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = cli(capsys, "report", str(DEMO_RESULT), "--format", "yaml", "-o", "-")
    assert code == 2 and out == ""
    assert err.startswith("mailhygiene: error: invalid --format 'yaml'") and err.count("\n") == 1


def test_a_nan_in_a_saved_result_is_one_line_and_exit_2(capsys, tmp_path):
    saved = tmp_path / "nan.json"
    text = DEMO_RESULT.read_text(encoding="utf-8").replace(
        '"duration_s": ', '"duration_s": NaN, "x": ', 1
    )
    saved.write_text(text, encoding="utf-8")
    code, _, err = cli(capsys, "report", str(saved), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "not a finite number: NaN" in err and err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_report_takes_fixed_codes_and_a_brand_colour(capsys, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = cli(
        capsys, "report", str(DEMO_RESULT), "-o", str(out),
        "--fixed", "PTR_MISSING", "--brand-color", "#123456",
    )  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert (code, err) == (0, "")
    assert "We published a PTR record for the address" in page
    assert ":root { --brand: #123456; }" in page


def test_an_svg_logo_with_an_external_reference_is_one_line_and_exit_2(capsys, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://192.0.2.9/track.png"/></svg>',
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    code, _, err = cli(
        capsys, "report", str(DEMO_RESULT), "-o", str(out), "--brand-logo", str(logo)
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "SVG refused" in err
    assert "base64" not in err and not out.exists()


def test_a_bad_brand_colour_is_exit_2(capsys, tmp_path):
    code, _, err = cli(
        capsys, "report", str(DEMO_RESULT), "-o", str(tmp_path / "r.html"), "--brand-color", "red"
    )
    assert code == 2 and "--brand-color" in err


def test_the_config_file_carries_fixed_codes_brand_colour_and_appendix(tmp_path):
    from audit.cli.audit_command import build_plan

    config = tmp_path / "c.toml"
    config.write_text(
        'domains = ["example.test"]\nnameserver = ["127.0.0.1:53"]\n'
        'fixed = ["PTR_MISSING", "relay_open"]\nbrand_color = "#336699"\nappendix = true\n',
        encoding="utf-8",
    )
    branding = build_plan({"config": config}).branding
    assert branding.fixed == frozenset({"PTR_MISSING", "RELAY_OPEN"})
    assert (branding.brand_color, branding.appendix) == ("#336699", True)


def test_the_config_file_carries_the_paper_size(tmp_path):
    from audit.cli.audit_command import build_plan

    config = tmp_path / "c.toml"
    config.write_text(
        'domains = ["example.test"]\nnameserver = ["127.0.0.1:53"]\npaper = "Letter"\n',
        encoding="utf-8",
    )
    assert build_plan({"config": config}).branding.paper == "letter"
