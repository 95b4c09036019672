"""Importing the researcher's legacy exports into notes: formats, merge, writing, report.

    sources ──read, repair (kbtool.repair.files)──▶ text
      └─ formats.detect_format ─▶ one parser per format (nested_bullets, monthly_list,
                                  awesome_list, arxiv_digest) ─▶ model.ParsedSource
    ParsedSources ─▶ merge (one Paper per paper; topic blocks placed on topics)
      ─▶ writer.plan (create / update / unchanged / keep, by the manifest) ─▶ writer.apply
      ─▶ report (what was found, created, merged, skipped; where every line went)

``pipeline.import_files`` runs it all; ``kbtool import`` is its command line.
"""
