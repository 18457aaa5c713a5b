import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gateway import gateway  # noqa: E402,F401  (session fixture: a real LiteLLM proxy)
