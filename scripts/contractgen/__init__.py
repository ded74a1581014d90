"""contractgen: turns an OpenAPI 3.0/3.1 contract into a typed FastAPI package.

Pipeline: ``load`` (YAML/JSON with line numbers) → ``validate`` (every problem, with its line)
→ ``ir`` (operations, parameters, bodies, responses, security) → ``models`` (Pydantic v2 through
datamodel-code-generator) → ``render`` (api.py, routes.py, security.py, spec.py, __init__.py).
"""
