"""Remote images and embeds become placeholders; expired S3 links say so."""

from __future__ import annotations

from kbtool.site.markup.remote_media import (
    is_expired_image_url,
    media_placeholder,
    replace_remote_media,
)

EXPIRED = (
    "https://prod-files-secure.s3.us-west-2.amazonaws.com/81e645bc-1e8a-41e9-a2c2-29d1d1d98df5/"
    "dc652825-7ee1-449a-9d4d-4cc8abbf4cf1/image.png"
)
SIGNED = "https://bucket.s3.amazonaws.com/x.png?X-Amz-Algorithm=AWS4&X-Amz-Signature=abc&X-Amz-Expires=3600"


def test_expired_image_urls() -> None:
    assert is_expired_image_url(EXPIRED)
    assert is_expired_image_url(SIGNED)
    assert not is_expired_image_url("https://bucket.s3.amazonaws.com/public.png")
    assert not is_expired_image_url("https://example.org/prod-files-secure.png")
    assert not is_expired_image_url("figures/local.png")


def test_expired_image_becomes_a_visible_placeholder_with_the_link() -> None:
    html = f'<p><img alt="image.png" src="{EXPIRED}" /></p>'
    out = replace_remote_media(html)
    assert "<img" not in out
    assert '<span class="kb-media__label">Expired image</span>' in out
    assert '<span class="kb-media__alt">image.png</span>' in out
    assert f'href="{EXPIRED}"' in out
    assert "prod-files-secure.s3.us-west-2.amazonaws.com/…/image.png</a>" in out
    assert "data-search-exclude" in out


def test_other_remote_media_is_not_loaded_either() -> None:
    html = (
        '<img src="//cdn.example.org/a.png">'
        '<iframe src="https://www.youtube.com/embed/x"></iframe>'
        '<img srcset="https://a.example/1.png 1x, local.png 2x" src="local.png">'
    )
    out = replace_remote_media(html)
    assert "<img" not in out and "<iframe" not in out
    assert out.count("Remote image (not loaded)") == 2
    assert "Remote embedded media (not loaded)" in out


def test_local_media_and_code_are_left_alone() -> None:
    html = (
        '<img alt="x" src="../figures/a.png" /><code>&lt;img src="https://x.org/a.png"&gt;</code>'
    )
    assert replace_remote_media(html) == html


def test_placeholder_escapes_alt_and_url() -> None:
    out = media_placeholder('https://x.org/a.png?"><script>', alt="<b>x</b>")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out
