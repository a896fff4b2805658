"""MkDocs hook: the site's home page is README.md, so the front page is written once.

README links to pages as ``docs/<page>.md`` (right on GitHub); on the site those pages sit beside the home page.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File


def on_files(files, config):
    readme = Path(config["config_file_path"]).parent / "README.md"
    text = readme.read_text(encoding="utf-8").replace("](docs/", "](")
    files.append(File.generated(config, "index.md", content=text))
    return files


def on_page_markdown(markdown, page, config, files):
    # pages link to the front page as ../README.md (right on GitHub); on the site it is the home page
    return markdown.replace("](../README.md", "](index.md")
