"""MkDocs hook: the site's home page is README.md, and CHANGELOG.md and LICENSE are pages, so each is written once.

README links to pages as ``docs/<page>.md`` (right on GitHub); on the site those pages sit beside the home page.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

# file at the repository root -> (page of the site, how its text becomes Markdown)
FROM_ROOT = {
    "README.md": ("index.md", lambda text: text),
    "CHANGELOG.md": ("changelog.md", lambda text: text),
    "LICENSE": ("license.md", lambda text: "# Licence\n\n```text\n" + text + "```\n"),
}


def _site_links(markdown: str) -> str:
    markdown = markdown.replace("](docs/", "](")
    for name, (page, _) in FROM_ROOT.items():
        markdown = markdown.replace(f"](../{name}", f"]({page}").replace(f"]({name})", f"]({page})")
    return markdown


def on_files(files, config):
    root = Path(config["config_file_path"]).parent
    for name, (page, to_markdown) in FROM_ROOT.items():
        text = to_markdown((root / name).read_text(encoding="utf-8"))
        files.append(File.generated(config, page, content=text))
    return files


def on_page_markdown(markdown, page, config, files):
    # pages link to root files as ../README.md (right on GitHub); on the site they are pages
    return _site_links(markdown)
