"""The layers hold by machine, not by comment: imports run front ends → use cases → crawler/checks/reports →
store, and never back; and every project file that code, help or messages name exists in the repository."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("crawler", "checks", "reports", "scheduler", "store", "web", "samplecity")
# what each package may import of ours (scheduler holds the CLI and the use cases today; web is the console)
ALLOWED = {
    "store": set(),
    "crawler": {"store"},
    "checks": {"store"},
    "reports": {"checks", "store"},
    "web": {"reports", "checks", "store"},
    "scheduler": {"crawler", "checks", "reports", "store", "samplecity", "web"},
    "samplecity": {"checks", "store"},  # the bundled sample city builds its dates on the work calendar
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(OURS)


def test_imports_run_one_way():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for name in sorted(_imports(path) - allowed - {package}):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


_CITED = re.compile(r"(?<![\w/.-])((?:docs|bench|scheduler|crawler|checks|reports|store|web|samplecity|tests)/"
                    r"[\w./-]+\.(?:py|md|yaml|service|j2|css)|design\.md|standards\.md)")


def test_every_file_cited_exists():
    missing = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".md", ".j2", ".service", ".yaml") or ".venv" in path.parts or ".git" in path.parts:
            continue
        for cited in _CITED.findall(path.read_text(encoding="utf-8", errors="replace")):
            if "<" in cited or "*" in cited or "…" in cited:
                continue
            if "/" not in cited or not (ROOT / cited).exists():
                missing.append(f"{path.relative_to(ROOT)} cites {cited}")
    assert not missing, "\n".join(missing)
