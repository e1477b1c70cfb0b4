"""The format registry (audit/render/formats.py) and the output helpers beside it."""

from __future__ import annotations

import pytest
from support.report_fixtures import demo_document

from audit.cli.options import FormatOpt
from audit.model import Severity
from audit.model.errors import InputError
from audit.render.formats import FORMATS, RenderOptions, format_for_path, format_named, render
from audit.render.outputs import Output, plan_outputs, write_outputs

# SPEC.md, `audit` options: "--format text|json|html|pdf|junit".
SPEC_FORMATS = {"text", "json", "html", "pdf", "junit"}
# README "Output": the extension each format is detected from.
DOCUMENTED_EXTENSIONS = {".txt": "text", ".json": "json", ".xml": "junit", ".html": "html",
                         ".pdf": "pdf"}  # fmt: skip


def test_the_registry_holds_exactly_the_formats_the_spec_names():
    assert set(FORMATS) == SPEC_FORMATS


def test_every_entry_is_filed_under_its_own_name():
    assert all(name == entry.name for name, entry in FORMATS.items())


def test_every_extension_belongs_to_one_format_and_detects_it():
    extensions = [ext for entry in FORMATS.values() for ext in entry.extensions]
    assert len(extensions) == len(set(extensions))
    for entry in FORMATS.values():
        assert entry.extensions, entry.name
        for extension in entry.extensions:
            assert format_for_path(f"report{extension.upper()}") is entry


def test_the_documented_extensions_are_the_registry_extensions():
    detected = {ext: entry.name for entry in FORMATS.values() for ext in entry.extensions}
    assert detected == DOCUMENTED_EXTENSIONS


def test_extension_detection_plans_every_format():
    paths = [f"out/report{entry.extensions[0]}" for entry in FORMATS.values()]
    assert [o.format for o in plan_outputs(paths, None)] == list(FORMATS)


def test_the_format_option_help_lists_the_registry():
    (option,) = FormatOpt.__metadata__
    assert option.help == "text, json, junit, html or pdf."
    assert all(name in option.help for name in FORMATS)


def test_only_pdf_is_binary():
    assert {name for name, entry in FORMATS.items() if entry.binary} == {"pdf"}


@pytest.mark.parametrize("name", sorted(SPEC_FORMATS - {"pdf"}))
def test_each_text_format_renders_the_document_as_text(name):
    document = demo_document()
    content = render(name, document, RenderOptions(Severity.HIGH))
    assert isinstance(content, str) and content


@pytest.mark.slow
def test_pdf_renders_the_document_as_bytes():
    document = demo_document()
    document["appendix"]["dns"] = []
    content = render("pdf", document, RenderOptions())
    assert isinstance(content, bytes) and content.startswith(b"%PDF")


def test_an_unknown_format_name_is_an_error_not_text():
    with pytest.raises(InputError, match="invalid --format 'yaml'") as raised:
        format_named("yaml")
    assert "\n" not in str(raised.value)


def test_an_unknown_format_option_is_refused_when_planning():
    with pytest.raises(InputError, match="one of text, json, junit, html, pdf"):
        plan_outputs(["report.txt"], "yaml")


def test_an_output_with_an_unknown_format_is_not_written_as_text(tmp_path):
    target = tmp_path / "report.yaml"
    with pytest.raises(InputError, match="yaml"):
        write_outputs(demo_document(), [Output(str(target), "yaml")], RenderOptions())
    assert not target.exists()


def test_an_unknown_extension_without_format_is_an_error():
    with pytest.raises(InputError, match="cannot tell the format"):
        plan_outputs(["report.yaml"], None)
