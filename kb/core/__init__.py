"""The ground floor: what every layer shares and that imports nothing else of the project.

Passage and document records, the error hierarchy, settings and locations, the offline switch, the facet
vocabulary and filters, countries and regions, sentence splitting, line roles and text folding. `ingest/`,
`index/`, the service and the TUI all stand on it; it stands on nothing of theirs (the layer contracts in
`pyproject.toml` check this).
"""
