#!/usr/bin/python3
"""Renders the template corpus with Python's Jinja2, the oracle dvt's
templating is compared with (test TemplateCorpus.*).

    /usr/bin/python3 tests/template_oracle.py tests/template_corpus

Prints one JSON object: {"<name>": {"output": "..."} | {"error": "..."}} for
every <name>.jinja of the folder (lib/ holds the templates they include or
import). Jinja2 is configured as dvt configures MiniJinja (docs/templating.md):
strict undefined values, the do and loopcontrols extensions dbt enables, no
autoescape, and the whitespace options a template's <name>.json asks for.
Exits 3 when Jinja2 is not installed (apt-get install python3-jinja2).
"""
import json
import os
import sys

try:
    import jinja2
except ImportError:
    print("template_oracle: Jinja2 is missing (apt-get install python3-jinja2)", file=sys.stderr)
    sys.exit(3)


def load_sources(folder):
    sources = {}
    for root, _, files in os.walk(folder):
        for file in files:
            if file.endswith(".jinja"):
                path = os.path.join(root, file)
                with open(path, encoding="utf-8", newline="") as f:
                    sources[os.path.relpath(path, folder)] = f.read()
    return sources


def main():
    folder = sys.argv[1]
    sources = load_sources(folder)
    results = {}
    for name in sorted(n for n in sources if "/" not in n):
        stem = name[: -len(".jinja")]
        settings = {}
        settings_path = os.path.join(folder, stem + ".json")
        if os.path.exists(settings_path):
            with open(settings_path, encoding="utf-8") as f:
                settings = json.load(f)
        whitespace = settings.get("whitespace", {})
        env = jinja2.Environment(
            loader=jinja2.DictLoader(sources),
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            autoescape=False,
            trim_blocks=whitespace.get("trim_blocks", False),
            lstrip_blocks=whitespace.get("lstrip_blocks", False),
            keep_trailing_newline=whitespace.get("keep_trailing_newline", False),
        )
        try:
            output = env.get_template(name).render(settings.get("context", {}))
            results[stem] = {"output": output}
        except Exception as error:  # every failure is an outcome to compare
            results[stem] = {"error": "%s: %s" % (type(error).__name__, error)}
    json.dump(results, sys.stdout, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main()
