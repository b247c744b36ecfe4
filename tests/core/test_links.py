"""The link policy: which addresses the app opens, shared by the window and exports."""

from __future__ import annotations

import pytest

from readinglist.links import MAX_LINK_LENGTH, paper_links, safe_link


@pytest.mark.parametrize(
    ("link", "opened"),
    [
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://Example.org/x", "HTTPS://Example.org/x"),
        ("  https://example.org/padded \n", "https://example.org/padded"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
        ("doi:10.1234/abc.5678", "https://doi.org/10.1234/abc.5678"),
        ("DOI:10.1234/ABC", "https://doi.org/10.1234/abc"),
        (
            "doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O",
            "https://doi.org/10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-o",
        ),
        ("arxiv:2401.12345", "https://arxiv.org/abs/2401.12345"),
        ("arXiv:2401.12345v2", "https://arxiv.org/abs/2401.12345v2"),
        ("arxiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
    ],
)
def test_web_links_and_identifiers_open(link, opened):
    assert safe_link(link) == opened


@pytest.mark.parametrize(
    "link",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "qrc:/images/x.png",
        "mailto:someone@example.org",
        "ftp://example.org/x",
        "/dev/zero",
        "notes/other.md",
        "//example.org/no-scheme",
        "example.org",
        "https://",
        "https:///path-only",
        "https:\\\\example.org",
        "https://evil.example\\@good.example/",
        "https://example.org:99999/",
        "https://exa mple.org/",
        "https://example.org/\nx",
        "https://example.org/\x00",
        "doi:not-a-doi",
        "doi:10.1234/../x y",
        "arxiv:../../etc/passwd",
        "arxiv:2401.12345/../x",
        "",
        "   ",
        "https://example.org/" + "a" * MAX_LINK_LENGTH,
    ],
)
def test_everything_else_is_refused(link):
    assert safe_link(link) is None


def test_paper_links_keep_refused_values_as_text():
    links = paper_links(
        url="file:///etc/passwd",
        code_url="https://github.com/x/y",
        arxiv_id="2401.12345",
        doi="https://doi.org/10.1234/abc",
    )
    assert links == [
        ("Paper", "file:///etc/passwd", None),
        ("Code", "https://github.com/x/y", "https://github.com/x/y"),
        ("arXiv", "2401.12345", "https://arxiv.org/abs/2401.12345"),
        ("DOI", "https://doi.org/10.1234/abc", "https://doi.org/10.1234/abc"),
    ]
    assert paper_links(doi="10.1234/abc", arxiv_id="javascript:x") == [
        ("arXiv", "javascript:x", None),
        ("DOI", "10.1234/abc", "https://doi.org/10.1234/abc"),
    ]
    assert paper_links() == []
