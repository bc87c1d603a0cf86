"""Reading Kibana NDJSON exports: real export files from the corpus, and the broken lines real files have."""

from __future__ import annotations

from pathlib import Path

from kibana_sync.kibana.ndjson import parse_ndjson


def test_every_corpus_export_file_reads_whole_with_its_details_line(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "ndjson").glob("*.ndjson"))
    assert len(files) == 12
    for path in files:
        parsed = parse_ndjson(path.read_text(encoding="utf-8"))
        assert parsed.problems == [], path.name
        assert parsed.details is not None, path.name
        assert len(parsed.objects) == parsed.details["exportedCount"], path.name
        assert parsed.detail_warnings() == [], path.name


def test_windows_line_ends_blank_lines_and_a_trailing_newline_are_fine() -> None:
    text = '{"type":"tag","id":"a","attributes":{}}\r\n\r\n{"type":"tag","id":"b","attributes":{}}\n'
    parsed = parse_ndjson(text)
    assert [(o.line, o.obj["id"]) for o in parsed.objects] == [(1, "a"), (3, "b")]
    assert parsed.problems == [] and parsed.details is None


def test_each_bad_line_is_named_and_the_good_ones_are_kept() -> None:
    text = "\n".join([
        '{"type":"tag","id":"a","attributes":{}}',
        '{"type":"tag","id":"b","attributes":',
        '"just a string"',
        '{"type":"tag","attributes":{}}',
        '{"type":"tag","id":"c","attributes":"not an object"}',
        '{"type":"tag","id":"a","attributes":{}}',
    ])
    parsed = parse_ndjson(text)
    assert [o.obj["id"] for o in parsed.objects] == ["a"]
    assert [(p.line, p.message.split(":")[0]) for p in parsed.problems] == [
        (2, "not valid JSON (Expecting value"),
        (3, "expected a saved object (a JSON object), got a JSON str"),
        (4, "saved object without id"),
        (5, "saved object whose attributes are not a JSON object"),
        (6, "tag 'a' appears again (first on line 1); the repeat is ignored"),
    ]


def test_what_kibana_left_out_of_an_export_is_said() -> None:
    details = ('{"excludedObjects":[{"id":"x","type":"config","reason":"excluded"}],"excludedObjectsCount":1,'
               '"exportedCount":0,"missingRefCount":1,"missingReferences":[{"id":"logs-*","type":"index-pattern"}]}')
    assert parse_ndjson(details).detail_warnings() == [
        "Kibana could not find 1 referenced object(s) when exporting: index-pattern 'logs-*'",
        "Kibana excluded 1 object(s) from the export: config 'x' (excluded)",
    ]
